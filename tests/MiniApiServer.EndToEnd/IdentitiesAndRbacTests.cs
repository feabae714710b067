namespace MiniApiServer.EndToEnd;

/// <summary>
/// RBAC as a user meets it with real kubectl: nothing until a role is bound, then exactly what was granted.
/// (Every written kubeconfig's identity is checked against README's table in <see cref="KubeconfigsTests"/>.)
/// </summary>
public sealed class IdentitiesAndRbacTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [SkippableFact]
    public async Task AStaticTokenFromTheFixturesAuthenticates()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        // A client certificate outranks a bearer token (x509 comes first in kube's chain): a token-only user.
        var kubeconfig = fixture.Server.TokenKubeconfig(fixture.Server.Root, "static-token-frank-6a0d3e");
        var whoami = await new Kubectl(kubeconfig).OkAsync("auth", "whoami");
        Assert.Matches(@"(?m)^Username\s+frank$", whoami);
        var bad = await new Kubectl(kubeconfig).RunAsync("--token=not-a-token", "get", "pods");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("You must be logged in to the server", bad.StdErr);
    }

    [SkippableFact]
    public async Task AServiceAccountMayDoNothingUntilARoleIsBound()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fixture.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "rbac");
        var sa = $"system:serviceaccount:{ns}:robot";
        await admin.OkAsync("create", "serviceaccount", "robot", "-n", ns);

        var denied = await admin.RunAsync("get", "pods", "-n", ns, "--as", sa);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"Error from server (Forbidden): pods is forbidden: User \"{sa}\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", denied.StdErr);
        var no = await admin.RunAsync("auth", "can-i", "list", "pods", "-n", ns, "--as", sa);
        Assert.Equal((1, "no"), (no.ExitCode, no.StdOut.Trim()));

        await admin.OkAsync("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", ns);
        await admin.OkAsync("create", "rolebinding", "robot-reads", "--role=pod-reader", $"--serviceaccount={ns}:robot", "-n", ns);

        await admin.OkAsync("get", "pods", "-n", ns, "--as", sa);
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "list", "pods", "-n", ns, "--as", sa)).Trim());
        var other = await admin.RunAsync("auth", "can-i", "delete", "pods", "-n", ns, "--as", sa);
        Assert.Equal((1, "no"), (other.ExitCode, other.StdOut.Trim()));
        var elsewhere = await admin.RunAsync("get", "pods", "-n", "default", "--as", sa);
        Assert.Equal(1, elsewhere.ExitCode);
        var list = await admin.OkAsync("auth", "can-i", "--list", "-n", ns, "--as", sa);
        Assert.Matches(@"(?m)^pods\s+\[\]\s+\[\]\s+\[get list watch\]", list);
    }

    [SkippableFact]
    public async Task AUserCannotGrantWhatItDoesNotHold()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fixture.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "escalate");
        await admin.OkAsync("create", "role", "role-maker", "--verb=create,get", "--resource=roles", "-n", ns);
        await admin.OkAsync("create", "rolebinding", "jane-makes-roles", "--role=role-maker", "--user=jane", "-n", ns);
        var escalation = await admin.RunAsync("create", "role", "secrets-reader", "--verb=get", "--resource=secrets", "-n", ns, "--as", "jane");
        Assert.Equal(1, escalation.ExitCode);
        Assert.Contains("is attempting to grant RBAC permissions not currently held", escalation.StdErr);
    }

    [SkippableFact]
    public async Task AnonymousReadsOnlyThePublicEndpoints()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(fixture.Server.Url + "/version")).StatusCode);
        var pods = await http.GetAsync(fixture.Server.Url + "/api/v1/namespaces/default/pods");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, pods.StatusCode);
        Assert.Contains("User \\\"system:anonymous\\\" cannot list resource \\\"pods\\\"", await pods.Content.ReadAsStringAsync());
    }
}
