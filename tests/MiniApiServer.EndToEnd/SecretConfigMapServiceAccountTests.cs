using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// The typed-client create commands (protobuf request bodies): secrets of each kind, config maps and
/// service accounts, read back with jsonpath and the server's tables.
/// </summary>
public sealed class SecretConfigMapServiceAccountTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [SkippableFact]
    public async Task GenericSecretFromLiteralAndFile()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "secret");
        using var dir = new TempDir();
        var file = dir.Write("token.txt", "s3cr3t\n");

        Assert.Equal("secret/creds created", (await k.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=k=v", $"--from-file={file}")).Trim());
        Assert.Equal(B64("v"), await k.OkAsync("get", "secret", "creds", "-n", ns, "-o", "jsonpath={.data.k}"));
        Assert.Equal(B64("s3cr3t\n"), await k.OkAsync("get", "secret", "creds", "-n", ns, "-o", @"jsonpath={.data.token\.txt}"));
        // The protobuf body carries type "" explicitly; the server defaults it to Opaque.
        var table = await k.OkAsync("get", "secret", "-n", ns);
        Assert.Matches(@"^NAME\s+TYPE\s+DATA\s+AGE", table);
        Assert.Matches(@"(?m)^creds\s+Opaque\s+2\s+\d+s", table);
    }

    [SkippableFact]
    public async Task TlsSecretFromAKeyPair()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "tls");
        using var dir = new TempDir();
        var key = Path.Combine(dir.Path, "tls.key");
        var crt = Path.Combine(dir.Path, "tls.crt");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=web.example", "-days", "1");

        Assert.Equal("secret/web-tls created", (await k.OkAsync("create", "secret", "tls", "web-tls", "-n", ns, $"--cert={crt}", $"--key={key}")).Trim());
        Assert.Equal(Convert.ToBase64String(await File.ReadAllBytesAsync(crt)), await k.OkAsync("get", "secret", "web-tls", "-n", ns, "-o", @"jsonpath={.data.tls\.crt}"));
        Assert.Equal(Convert.ToBase64String(await File.ReadAllBytesAsync(key)), await k.OkAsync("get", "secret", "web-tls", "-n", ns, "-o", @"jsonpath={.data.tls\.key}"));
        Assert.Matches(@"(?m)^web-tls\s+kubernetes.io/tls\s+2\s", await k.OkAsync("get", "secret", "web-tls", "-n", ns));
    }

    [SkippableFact]
    public async Task DockerRegistrySecret()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "regcred");

        Assert.Equal("secret/regcred created", (await k.OkAsync("create", "secret", "docker-registry", "regcred", "-n", ns,
            "--docker-server=registry.example:5000", "--docker-username=bob", "--docker-password=pw", "--docker-email=bob@example.com")).Trim());
        Assert.Equal("kubernetes.io/dockerconfigjson", await k.OkAsync("get", "secret", "regcred", "-n", ns, "-o", "jsonpath={.type}"));
        var config = Encoding.UTF8.GetString(Convert.FromBase64String(await k.OkAsync("get", "secret", "regcred", "-n", ns, "-o", @"jsonpath={.data.\.dockerconfigjson}")));
        var auth = JsonDocument.Parse(config).RootElement.GetProperty("auths").GetProperty("registry.example:5000");
        Assert.Equal("bob", auth.GetProperty("username").GetString());
        Assert.Equal(B64("bob:pw"), auth.GetProperty("auth").GetString());
        Assert.Matches(@"(?m)^regcred\s+kubernetes.io/dockerconfigjson\s+1\s", await k.OkAsync("get", "secret", "-n", ns));
    }

    [SkippableFact]
    public async Task ConfigMapFromLiteralsAndFile()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "cm");
        using var dir = new TempDir();
        var file = dir.Write("app.properties", "mode=fast\n");

        Assert.Equal("configmap/settings created", (await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1", "--from-literal=b=two", $"--from-file={file}")).Trim());
        Assert.Equal("1 two", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a} {.data.b}"));
        Assert.Equal("mode=fast\n", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", @"jsonpath={.data.app\.properties}"));
        var table = await k.OkAsync("get", "configmap", "settings", "-n", ns);
        Assert.Matches(@"^NAME\s+DATA\s+AGE", table);
        Assert.Matches(@"(?m)^settings\s+3\s", table);
    }

    [SkippableFact]
    public async Task ServiceAccountCreateAndGet()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "sa");

        Assert.Equal("serviceaccount/robot created", (await k.OkAsync("create", "serviceaccount", "robot", "-n", ns)).Trim());
        // The server runs the legacy token model: the tokens controller lists robot's token Secret in the account.
        var table = await Eventually.HoldsAsync(() => k.OkAsync("get", "sa", "robot", "-n", ns), t => Regex.IsMatch(t, @"(?m)^robot\s+1\s"), "robot's token Secret");
        Assert.Matches(@"^NAME\s+SECRETS\s+AGE", table);
        Assert.Matches(@"(?m)^robot\s+1\s+\d+s", table);
        Assert.Matches(@"^robot-token-[a-z0-9]{5}$", (await k.OkAsync("get", "sa", "robot", "-n", ns, "-o", "jsonpath={.secrets[0].name}")).Trim());
        Assert.Equal("serviceaccount/robot", (await k.OkAsync("get", "serviceaccounts", "robot", "-n", ns, "-o", "name")).Trim());
        var again = await k.RunAsync("create", "sa", "robot", "-n", ns);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error: failed to create serviceaccount: serviceaccounts \"robot\" already exists", again.StdErr);
    }

    /// <summary>kube-controller-manager's serviceaccounts controller gives every namespace a "default" account.</summary>
    [SkippableFact]
    public async Task EveryNamespaceGetsADefaultServiceAccount()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "defaultsa");
        await Eventually.HoldsAsync(() => k.RunAsync("get", "sa", "-n", ns, "-o", "name"),
            r => r.StdOut.Split('\n').Contains("serviceaccount/default"), $"serviceaccount/default in {ns}", TimeSpan.FromSeconds(20));
    }

    static async Task OpenSslAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { Skip.If(true, "openssl is not installed"); return; }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, "openssl failed: " + await err);
        }
    }
}
