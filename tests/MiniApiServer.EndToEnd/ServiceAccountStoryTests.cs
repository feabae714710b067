using System.Text;
using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>A server in the legacy token model (the default).</summary>
public sealed class LegacyTokenServerFixture : IAsyncLifetime
{
    ServerProcess? server;
    public ServerProcess Server => server ?? throw new InvalidOperationException("the server is not started");
    public async Task InitializeAsync() => server = await ServerProcess.StartAsync();
    public async Task DisposeAsync() { if (server is not null) await server.DisposeAsync(); }
}

/// <summary>A server in the bound token model (<c>--service-account-token-mode=bound</c>, as Kubernetes 1.24+).</summary>
public sealed class BoundTokenServerFixture : IAsyncLifetime
{
    ServerProcess? server;
    public ServerProcess Server => server ?? throw new InvalidOperationException("the server is not started");
    public async Task InitializeAsync() => server = await ServerProcess.StartAsync(["--service-account-token-mode=bound"]);
    public async Task DisposeAsync() { if (server is not null) await server.DisposeAsync(); }
}

/// <summary>
/// Issue 5's story, step by step with real kubectl, in one token model: a namespace gets its default account,
/// an account gets its token (a Secret in the legacy model, none in the bound one), pods get the token mounted
/// by admission, the token read out of a pod with <c>kubectl exec</c> authenticates as the pod's account, an
/// application in a pod is Forbidden until a role is bound, and tokens die with what they belong to.
/// </summary>
public abstract class ServiceAccountStory(ServerProcess server, bool bound)
{
    const string SaDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    Kubectl Admin() => new(server.AdminKubeconfig);

    /// <summary>A kubectl whose only credential is the token (a client certificate would outrank it).</summary>
    Kubectl WithToken(TempDir dir, string token) => new(server.TokenKubeconfig(dir.Path, token));

    static JsonElement UserInfo(string whoamiJson) => JsonDocument.Parse(whoamiJson).RootElement.GetProperty("status").GetProperty("userInfo");

    static JsonElement Claims(string token) =>
        JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]))).RootElement;

    static async Task WaitRunningAsync(Kubectl k, string ns, string pod) =>
        await Eventually.HoldsAsync(() => k.OkAsync("get", "pod", pod, "-n", ns, "-o", "jsonpath={.status.phase}"), p => p == "Running", $"pod {pod} running");

    [SkippableFact]
    public async Task TheStory()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var k = Admin();
        using var dir = new TempDir();
        var ns = await ServerFixture.NewNamespaceAsync(k, bound ? "bound" : "legacy");

        // 1. The namespace has its default account and the cluster CA.
        await Eventually.HoldsAsync(() => k.RunAsync("get", "sa", "default", "-n", ns), r => r.ExitCode == 0, "the default account");
        var rootCa = await k.OkAsync("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}");
        Assert.Equal(File.ReadAllText(Path.Combine(server.CertDir, "ca.crt")).Trim(), rootCa.Trim());

        // 2. An account: a token Secret in the legacy model, none in the bound one.
        Assert.Equal("serviceaccount/robot created", (await k.OkAsync("create", "sa", "robot", "-n", ns)).Trim());
        if (bound)
        {
            Assert.Equal("", (await k.OkAsync("get", "sa", "robot", "-n", ns, "-o", "jsonpath={.secrets}")).Trim());
        }
        else
        {
            var secret = (await Eventually.HoldsAsync(() => k.OkAsync("get", "sa", "robot", "-n", ns, "-o", "jsonpath={.secrets[0].name}"), s => s.Length > 0, "robot's token Secret")).Trim();
            Assert.Matches("^robot-token-[a-z0-9]{5}$", secret);
            Assert.Equal("kubernetes.io/service-account-token", await k.OkAsync("get", "secret", secret, "-n", ns, "-o", "jsonpath={.type}"));
            var legacy = Encoding.UTF8.GetString(Convert.FromBase64String(await k.OkAsync("get", "secret", secret, "-n", ns, "-o", "jsonpath={.data.token}")));
            Assert.Equal("kubernetes/serviceaccount", Claims(legacy).GetProperty("iss").GetString());
            var whoami = await WithToken(dir, legacy).RunAsync("auth", "whoami", "-o", "json");
            Assert.Equal(0, whoami.ExitCode);
            Assert.Equal($"system:serviceaccount:{ns}:robot", UserInfo(whoami.StdOut).GetProperty("username").GetString());
            Assert.Contains("Warning: Use tokens from the TokenRequest API or manually created secret-based tokens instead of auto-generated secret-based tokens.", whoami.StdErr);
        }

        // 3–4. A TokenRequest token is the account.
        var requested = (await k.OkAsync("create", "token", "robot", "-n", ns)).Trim();
        var me = UserInfo(await WithToken(dir, requested).OkAsync("auth", "whoami", "-o", "json"));
        Assert.Equal($"system:serviceaccount:{ns}:robot", me.GetProperty("username").GetString());
        Assert.Equal(["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"],
            me.GetProperty("groups").EnumerateArray().Select(g => g.GetString() ?? "").ToArray());

        // 6. Admission: the default account, the token volume mounted read-only in every container.
        await k.OkAsync("run", "web", "--image", "nginx", "-n", ns);
        Assert.Equal("default", await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "jsonpath={.spec.serviceAccountName}"));
        var volume = await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "jsonpath={.spec.volumes[0].name}");
        Assert.Matches(bound ? "^kube-api-access-[a-z0-9]{5}$" : "^default-token-[a-z0-9]{5}$", volume);
        Assert.Equal($"{volume} {SaDir} true", await k.OkAsync("get", "pod", "web", "-n", ns, "-o",
            "jsonpath={.spec.containers[0].volumeMounts[0].name} {.spec.containers[0].volumeMounts[0].mountPath} {.spec.containers[0].volumeMounts[0].readOnly}"));
        var missing = await k.RunAsync("run", "ghost", "--image", "nginx", "-n", ns, "--overrides", """{"spec":{"serviceAccountName":"nobody"}}""");
        Assert.Contains($"Error from server (Forbidden): pods \"ghost\" is forbidden: error looking up service account {ns}/nobody: serviceaccount \"nobody\" not found", missing.StdErr);

        // 7. kubectl exec reads what the simulated kubelet mounted; the token is the pod's account.
        await WaitRunningAsync(k, ns, "web");
        Assert.Equal(["ca.crt", "namespace", "token"], (await k.OkAsync("exec", "web", "-n", ns, "--", "ls", SaDir)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ns, await k.OkAsync("exec", "web", "-n", ns, "--", "cat", $"{SaDir}/namespace"));
        Assert.Equal(rootCa.Trim(), (await k.OkAsync("exec", "web", "-n", ns, "--", "cat", $"{SaDir}/ca.crt")).Trim());
        var mounted = (await k.OkAsync("exec", "web", "-n", ns, "--", "cat", $"{SaDir}/token")).Trim();
        var podUser = UserInfo(await WithToken(dir, mounted).OkAsync("auth", "whoami", "-o", "json"));
        Assert.Equal($"system:serviceaccount:{ns}:default", podUser.GetProperty("username").GetString());
        if (bound)
        {
            Assert.Equal(["web"], podUser.GetProperty("extra").GetProperty("authentication.kubernetes.io/pod-name").EnumerateArray().Select(e => e.GetString() ?? "").ToArray());
            Assert.Equal(3607, Claims(mounted).GetProperty("kubernetes.io").GetProperty("warnafter").GetInt64() - Claims(mounted).GetProperty("iat").GetInt64());
        }
        Assert.Contains("KUBERNETES_SERVICE_HOST=", await k.OkAsync("exec", "web", "-n", ns, "--", "env"));

        // 8. An application using its account: Forbidden until a role is bound, then the list.
        await k.OkAsync("run", "app", "--image", "bitnami/kubectl", "-n", ns, "--restart", "Never",
            "--overrides", """{"spec":{"serviceAccountName":"robot"}}""", "--command", "--", "kubectl", "get", "pods");
        var forbidden = await Eventually.HoldsAsync(() => k.RunAsync("logs", "app", "-n", ns), r => r.StdOut.Contains("Forbidden"), "the app's Forbidden");
        Assert.Contains($"Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", forbidden.StdOut);
        await k.OkAsync("create", "rolebinding", "robot-view", "-n", ns, "--clusterrole", "view", "--serviceaccount", $"{ns}:robot");
        var listed = await WithToken(dir, requested).OkAsync("get", "pods", "-n", ns, "-o", "name");
        Assert.Contains("pod/web", listed);
        var inPod = await k.OkAsync("exec", "web", "-n", ns, "--", "sh", "-c",
            $"curl -sS --cacert {SaDir}/ca.crt -H \"Authorization: Bearer $(cat {SaDir}/token)\" https://kubernetes.default.svc/api/v1/namespaces/{ns}/pods");
        Assert.Contains("\"reason\":\"Forbidden\"", inPod); // web runs as "default", which has no role

        // 5. Tokens die with what they belong to (after at most the 10 s token cache).
        if (bound)
        {
            await k.OkAsync("delete", "pod", "web", "-n", ns, "--wait=true");
            var dead = await Eventually.HoldsAsync(() => WithToken(dir, mounted).RunAsync("auth", "whoami"), r => r.ExitCode != 0, "the pod's token refused");
            Assert.Contains("error: You must be logged in to the server (Unauthorized)", dead.StdErr);
        }
        await k.OkAsync("delete", "sa", "robot", "-n", ns);
        await k.OkAsync("create", "sa", "robot", "-n", ns);
        var revoked = await Eventually.HoldsAsync(() => WithToken(dir, requested).RunAsync("auth", "whoami"), r => r.ExitCode != 0, "robot's old token refused");
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", revoked.StdErr);
    }
}

public sealed class LegacyServiceAccountStoryTests(LegacyTokenServerFixture fx) : ServiceAccountStory(fx.Server, bound: false), IClassFixture<LegacyTokenServerFixture>;

public sealed class BoundServiceAccountStoryTests(BoundTokenServerFixture fx) : ServiceAccountStory(fx.Server, bound: true), IClassFixture<BoundTokenServerFixture>;
