using MiniApiServer.Demo;
using MiniApiServer.Hosting;
using YamlDotNet.Serialization;

namespace MiniApiServer.Tests.Demo;

public sealed class DemoKubeconfigsTests : IAsyncLifetime
{
    private readonly DemoEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();
    public Task DisposeAsync() => _env.DisposeAsync();

    private static Dictionary<object, object> First(Dictionary<string, object> config, string list, string field) =>
        (Dictionary<object, object>)((Dictionary<object, object>)((List<object>)config[list])[0])[field];

    [Fact]
    public void WritesOneKubeconfigPerDemoIdentityOfEachProvider()
    {
        var dir = Path.Combine(_env.DataDir, "kubeconfigs");
        var written = DemoKubeconfigs.WriteAll(_env.Demo, _env.Pki, "https://127.0.0.1:6443", dir, new SelfCommand("/opt/miniapiserver", []));

        Assert.Equal(
            ["oidc-alice", "oidc-bob", "oidc-carol", "proxy-alice", "proxy-bob", "proxy-carol", "webhook-dave", "webhook-erin"],
            written.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        var yaml = new DeserializerBuilder().Build();

        var oidc = yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(dir, "oidc-alice.kubeconfig")));
        var exec = (Dictionary<object, object>)First(oidc, "users", "user")["exec"];
        Assert.Equal("https://127.0.0.1:6443", First(oidc, "clusters", "cluster")["server"]);
        Assert.Equal("/opt/miniapiserver", exec["command"]);
        var args = ((List<object>)exec["args"]).Cast<string>().ToList();
        Assert.Equal(["oidc-login", "get-token"], args.Take(2));
        Assert.Contains($"--oidc-issuer-url={_env.Demo.OidcIssuerUrl}", args);
        Assert.Contains("--username=alice", args);

        var proxy = yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(dir, "proxy-bob.kubeconfig")));
        Assert.Equal(_env.Demo.AuthProxyUrl, First(proxy, "clusters", "cluster")["server"]);
        Assert.Equal("proxy-token-bob-8e1d7a", First(proxy, "users", "user")["token"]);

        var webhook = yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(dir, "webhook-erin.kubeconfig")));
        Assert.Equal("webhook-token-erin-a7f402", First(webhook, "users", "user")["token"]);
    }

    [Fact]
    public async Task ACorruptKeyFileStopsTheStartNamingTheFile()
    {
        var other = Path.Combine(_env.DataDir + "-corrupt");
        var keyFile = Path.Combine(other, "demo", "oidc", MiniApiServer.Demo.OidcIssuer.SigningKeyStore.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, "{ not json");
        await using var demo = new DemoProviders(_env.Options(dataDir: other), _env.Time);

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => demo.StartAsync(CancellationToken.None));
        Assert.Contains(keyFile, error.Message);
    }
}
