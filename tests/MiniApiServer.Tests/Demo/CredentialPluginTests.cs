using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using MiniApiServer.Demo.OidcIssuer;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Demo;

public sealed class CredentialPluginTests : IAsyncLifetime
{
    private readonly DemoEnvironment _env = new();
    private readonly TempDirectory _cache = new();

    public Task InitializeAsync() => _env.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _cache.Dispose();
    }

    private sealed record Run(int ExitCode, string Stdout, string Stderr, int Requests);

    /// <summary>Runs the plugin as client-go would, with the clock at <paramref name="now"/>, counting HTTP requests to the issuer.</summary>
    private async Task<Run> RunAsync(DateTimeOffset now, string password = "alice-demo-password", params string[] extra)
    {
        var counter = new CountingHandler(DemoEnvironment.TrustingHandler(_env.Pki));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args =
        [
            "get-token", $"--oidc-issuer-url={_env.Demo.OidcIssuerUrl}", "--username=alice", $"--password={password}",
            $"--certificate-authority={_env.Pki.PathOf(PkiFileNames.CaCert)}", $"--token-cache-dir={_cache.Path}", .. extra,
        ];
        var code = await CredentialPlugin.RunAsync(args, stdout, stderr, new FakeTimeProvider(now), counter);
        return new Run(code, stdout.ToString(), stderr.ToString(), counter.Requests);
    }

    [Fact]
    public async Task PrintsAnExecCredentialWhoseExpiryIsTheTokensExp()
    {
        var run = await RunAsync(_env.Time.GetUtcNow());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var credential = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("ExecCredential", credential["kind"]!.GetValue<string>());
        Assert.Equal("client.authentication.k8s.io/v1", credential["apiVersion"]!.GetValue<string>());
        var token = credential["status"]!["token"]!.GetValue<string>();
        Assert.True((await _env.ValidateAsync(token, await _env.Client.GetStringAsync(_env.Demo.OidcIssuerUrl + "/keys"))).IsValid);
        var exp = DateTimeOffset.FromUnixTimeSeconds(new JsonWebToken(token).GetPayloadValue<long>("exp"));
        Assert.Equal(exp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), credential["status"]!["expirationTimestamp"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReusesTheCachedTokenUntilAMinuteBeforeItExpires()
    {
        var now = _env.Time.GetUtcNow();
        var first = await RunAsync(now);
        var lifetime = _env.Demo.Options.IdTokenLifetime;

        var stillFresh = await RunAsync(now + lifetime - CredentialPlugin.RefreshMargin - TimeSpan.FromSeconds(5));
        var nearExpiry = await RunAsync(now + lifetime - CredentialPlugin.RefreshMargin + TimeSpan.FromSeconds(5));

        Assert.Equal(2, first.Requests); // discovery, then the password grant
        Assert.Equal(0, stillFresh.Requests);
        Assert.Equal(first.Stdout, stillFresh.Stdout);
        Assert.Equal(2, nearExpiry.Requests);
    }

    [Fact]
    public async Task AFailedLoginWritesTheErrorToStderrAndExitsOne()
    {
        var run = await RunAsync(_env.Time.GetUtcNow(), password: "wrong");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("invalid_grant", run.Stderr);
    }

    [Theory]
    [InlineData("--oidc-issuer-url=http://127.0.0.1:1", "https://")]
    [InlineData("--username=", "--username")]
    [InlineData("--unknown-flag=1", "unknown flag")]
    public async Task BadArgumentsExitOne(string flag, string message)
    {
        var run = await RunAsync(_env.Time.GetUtcNow(), "alice-demo-password", flag);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public async Task APasswordFileWorksInsteadOfPassword()
    {
        var file = _cache.File("password.txt");
        await File.WriteAllTextAsync(file, "alice-demo-password\n");

        var run = await RunAsync(_env.Time.GetUtcNow(), "ignored-because-file", $"--password-file={file}", "--password=");

        Assert.Equal(0, run.ExitCode);
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _requests;
        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
