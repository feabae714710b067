using System.Diagnostics;
using System.Text;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// Client certificates as an administrator handles them, with openssl and real kubectl: the Kubernetes way (a key
/// and CSR from openssl, a CertificateSigningRequest, <c>kubectl certificate approve|deny</c>, the signed
/// certificate from <c>status.certificate</c>), <c>certs issue</c> for any identity and lifetime, and a client-CA
/// rotation that fails every old certificate on the running server while tokens keep working.
/// </summary>
public sealed class CertificateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    static readonly TimeSpan SigningTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task TheKubernetesWayOpensslCsrApproveAndUseTheCertificate()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        using var dir = new TempDir();
        var admin = fixture.Kubectl();
        var name = "dev1-" + Guid.NewGuid().ToString("N")[..8];
        await Run("openssl", "genrsa", "-out", Path.Combine(dir.Path, "dev1.key"), "2048");
        await Run("openssl", "req", "-new", "-key", Path.Combine(dir.Path, "dev1.key"), "-subj", "/CN=dev1/O=engineering", "-out", Path.Combine(dir.Path, "dev1.csr"));
        var request = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(dir.Path, "dev1.csr")));
        await admin.OkAsync("apply", "-f", dir.Write("csr.yaml", $"""
            apiVersion: certificates.k8s.io/v1
            kind: CertificateSigningRequest
            metadata:
              name: {name}
            spec:
              request: {request}
              signerName: kubernetes.io/kube-apiserver-client
              expirationSeconds: 86400
              usages: [client auth]
            """));
        Assert.Matches($@"(?m)^{name}\s+\S+\s+kubernetes.io/kube-apiserver-client\s+kubernetes-admin\s+24h\s+Pending$", await admin.OkAsync("get", "csr", name, "--no-headers"));

        Assert.Contains($"certificatesigningrequest.certificates.k8s.io/{name} approved", await admin.OkAsync("certificate", "approve", name));
        var certificate = await SignedCertificateAsync(admin, name);
        File.WriteAllText(Path.Combine(dir.Path, "dev1.crt"), certificate);
        var table = await admin.OkAsync("get", "csr", name);
        Assert.Matches(@"NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION", table);
        Assert.Contains("Approved,Issued", table);

        var kubeconfig = dir.Write("dev1.kubeconfig", Kubeconfig(fixture.Server, "dev1", Path.Combine(dir.Path, "dev1.crt"), Path.Combine(dir.Path, "dev1.key")));
        var whoami = await new Kubectl(kubeconfig).OkAsync("auth", "whoami");
        Assert.Matches(@"(?m)^Username\s+dev1$", whoami);
        Assert.Matches(@"(?m)^Groups\s+\[engineering system:authenticated\]$", whoami);
    }

    [SkippableFact]
    public async Task ADeniedRequestIsNeverSigned()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        using var dir = new TempDir();
        var admin = fixture.Kubectl();
        var name = "intruder-" + Guid.NewGuid().ToString("N")[..8];
        await Run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(dir.Path, "k.key"),
            "-subj", "/CN=intruder", "-out", Path.Combine(dir.Path, "k.csr"));
        await admin.OkAsync("apply", "-f", dir.Write("csr.yaml", $"""
            apiVersion: certificates.k8s.io/v1
            kind: CertificateSigningRequest
            metadata:
              name: {name}
            spec:
              request: {Convert.ToBase64String(File.ReadAllBytes(Path.Combine(dir.Path, "k.csr")))}
              signerName: kubernetes.io/kube-apiserver-client
              usages: [client auth]
            """));
        Assert.Contains($"certificatesigningrequest.certificates.k8s.io/{name} denied", await admin.OkAsync("certificate", "deny", name));
        Assert.Matches($@"(?m)^{name}\s.*\s<none>\s+Denied$", await admin.OkAsync("get", "csr", name, "--no-headers"));
        // kubectl refuses by itself (the server would too: Approved and Denied are exclusive, see the integration tests).
        var again = await admin.RunAsync("certificate", "approve", name);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains($"certificate signing request \"{name}\" is already Denied", again.StdErr);
        Assert.Equal("", await admin.OkAsync("get", "csr", name, "-o", "jsonpath={.status.certificate}"));
    }

    [SkippableTheory]
    [InlineData("--days=7", 0)]
    [InlineData("--expired", 1)]
    [InlineData("--not-yet-valid", 1)]
    public async Task CertsIssueGivesAReadyKubeconfigForAnyLifetime(string lifetime, int exitCode)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var name = "issued-" + Guid.NewGuid().ToString("N")[..8];
        var output = await Cli(fixture.Server, "certs", "issue", "--user=dev2", "--group=engineering", "--group=qa", lifetime, $"--name={name}");
        Assert.Contains("issued CN=dev2", output);
        var kubeconfig = Path.Combine(fixture.Server.DataDir, "issued", name + ".kubeconfig");
        var whoami = await new Kubectl(kubeconfig).RunAsync("auth", "whoami");
        Assert.True(exitCode == whoami.ExitCode, whoami.ToString());
        if (exitCode == 0) Assert.Matches(@"(?m)^Groups\s+\[engineering qa system:authenticated\]$", whoami.StdOut);
        else Assert.Contains("You must be logged in to the server", whoami.StdErr);
    }

    [SkippableFact]
    public async Task RotatingTheClientCaFailsEveryOldCertificateWhileTokensKeepWorking()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        await using var server = await ServerProcess.StartAsync();
        using var dir = new TempDir();
        var oldAdmin = dir.Write("old-admin.kubeconfig", File.ReadAllText(server.AdminKubeconfig));
        await new Kubectl(oldAdmin).OkAsync("auth", "whoami");
        var token = server.TokenKubeconfig(dir.Path, "static-token-frank-6a0d3e");

        var output = await Cli(server, "certs", "rotate-client-ca");
        Assert.Contains("client-ca.crt.replaced-", output);
        Assert.Contains($"reissued {server.AdminKubeconfig}", output);

        // The running server reloads its --client-ca-file within a second.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        KubectlResult result;
        while ((result = await new Kubectl(oldAdmin).RunAsync("auth", "whoami")).ExitCode == 0 && DateTime.UtcNow < deadline) { }
        Assert.Contains("You must be logged in to the server", result.StdErr);
        Assert.Matches(@"(?m)^Username\s+kubernetes-admin$", await new Kubectl(server.AdminKubeconfig).OkAsync("auth", "whoami"));
        Assert.Matches(@"(?m)^Username\s+devuser$", await new Kubectl(Path.Combine(server.DataDir, "kubeconfigs", "x509-devuser.kubeconfig")).OkAsync("auth", "whoami"));
        Assert.Matches(@"(?m)^Username\s+frank$", await new Kubectl(token).OkAsync("auth", "whoami"));
    }

    /// <summary>Polls <c>kubectl get csr -o jsonpath={.status.certificate}</c> until the signer has written it; the PEM.</summary>
    static async Task<string> SignedCertificateAsync(Kubectl admin, string name)
    {
        var deadline = DateTime.UtcNow + SigningTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var base64 = await admin.OkAsync("get", "csr", name, "-o", "jsonpath={.status.certificate}");
            if (base64.Length > 0) return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        throw new TimeoutException($"{name} was never signed");
    }

    static string Kubeconfig(ServerProcess server, string user, string certificate, string key) => $$$"""
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "{{{server.Url}}}", certificate-authority: "{{{Path.Combine(server.CertDir, "ca.crt")}}}"}}]
        users: [{name: {{{user}}}, user: {client-certificate: "{{{certificate}}}", client-key: "{{{key}}}"}}]
        contexts: [{name: c, context: {cluster: c, user: {{{user}}}}}]
        current-context: c
        """;

    /// <summary>The server's own command line (<c>run.sh certs …</c>) on the server's folders; its output.</summary>
    static Task<string> Cli(ServerProcess server, params string[] args) =>
        Run("dotnet", [ServerProcess.ServerDll, .. args, $"--cert-dir={server.CertDir}", $"--data-dir={server.DataDir}"]);

    static async Task<string> Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {await stdout}{await stderr}");
        return await stdout;
    }
}
