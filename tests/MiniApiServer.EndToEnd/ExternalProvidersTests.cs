using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// One server with <c>--demo-providers=false</c>, configured only with kube-apiserver's own flags to trust
/// identity providers the test runs itself: an OIDC issuer and a token webhook (its own CA and RSA key,
/// <see cref="StandInProviders"/>), a front-proxy CA and an x509 client CA of its own.
/// </summary>
public sealed class ExternalProvidersFixture : IAsyncLifetime
{
    public const string ProxyName = "e2e-front-proxy";
    public const string WebhookToken = "e2e-webhook-token-1";

    StandInProviders? providers;
    ServerProcess? server;
    readonly TempDir files = new();

    public StandInProviders Providers => providers!;
    public ServerProcess Server => server!;
    public TestCa FrontProxyCa { get; } = new("e2e-front-proxy-ca");
    public TestCa ClientCa { get; } = new("e2e-client-ca");

    public async Task InitializeAsync()
    {
        providers = await StandInProviders.StartAsync();
        providers.AddWebhookUser(WebhookToken, "ext-webhook-user", "w-1", ["hooked"], new() { ["example.org/team"] = ["blue"] });
        server = await ServerProcess.StartAsync(
        [
            "--demo-providers=false", "--token-auth-file=", "--enable-bootstrap-token-auth=false",
            $"--oidc-issuer-url={providers.Url}", $"--oidc-client-id={StandInProviders.ClientId}",
            $"--oidc-ca-file={files.Write("providers-ca.crt", providers.Ca.Pem)}",
            "--oidc-username-prefix=ext:", "--oidc-groups-claim=groups", "--oidc-groups-prefix=ext:",
            $"--authentication-token-webhook-config-file={files.Write("webhook.kubeconfig", providers.WebhookConfig())}",
            "--authentication-token-webhook-version=v1",
            $"--requestheader-client-ca-file={files.Write("front-proxy-ca.crt", FrontProxyCa.Pem)}",
            $"--requestheader-allowed-names={ProxyName}", "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group", "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            $"--client-ca-file={files.Write("client-ca.crt", ClientCa.Pem)}",
        ]);
    }

    /// <summary>A kubeconfig for the server (trusting its serving CA) with the given <c>user</c> entry (YAML flow mapping).</summary>
    public string Kubeconfig(string name, string user) => files.Write(name + ".kubeconfig", $$$"""
        apiVersion: v1
        kind: Config
        clusters: [{name: s, cluster: {server: "{{{Server.Url}}}", certificate-authority: "{{{Path.Combine(Server.CertDir, "ca.crt")}}}"}}]
        users: [{name: u, user: {{{user}}}}]
        contexts: [{name: c, context: {cluster: s, user: u}}]
        current-context: c
        """);

    /// <summary>An HTTPS client trusting only the server's CA, presenting <paramref name="clientCertificate"/> if given.</summary>
    public HttpClient Http(X509Certificate2? clientCertificate = null)
    {
        var serverCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Server.CertDir, "ca.crt"));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { serverCa }, RevocationMode = X509RevocationMode.NoCheck },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(Server.Url) };
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        if (providers is not null) await providers.DisposeAsync();
        FrontProxyCa.Dispose();
        ClientCa.Dispose();
        files.Dispose();
    }
}

public sealed class ExternalProvidersTests(ExternalProvidersFixture fx) : IClassFixture<ExternalProvidersFixture>
{
    [SkippableFact]
    public async Task AnIdTokenFromTheConfiguredIssuerIsItsSubjectWithThePrefixes()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var token = fx.Providers.MintIdToken("jane", ["platform", "sre"]);
        var kubectl = new Kubectl(fx.Kubeconfig("oidc", $"{{token: \"{token}\"}}"));
        // The server fetches discovery and the JWKS after it starts listening; the first token may come before that.
        var whoami = await Eventually.HoldsAsync(() => kubectl.RunAsync("auth", "whoami", "-o", "json"), r => r.ExitCode == 0, "the issuer's keys loaded", TimeSpan.FromSeconds(20));
        var user = UserInfo(whoami.StdOut);
        Assert.Equal("ext:jane", user.GetProperty("username").GetString());
        Assert.Equal(["ext:platform", "ext:sre", "system:authenticated"], Strings(user.GetProperty("groups")));
        Assert.StartsWith("JTI=", Strings(user.GetProperty("extra").GetProperty("authentication.kubernetes.io/credential-id")).Single());
    }

    [SkippableFact]
    public async Task AnIdTokenSignedByAnotherKeyIsUnauthorized()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        await using var impostor = await StandInProviders.StartAsync();
        // Same claims shape, but another issuer's key and iss: nobody in the union accepts it.
        var r = await new Kubectl(fx.Kubeconfig("impostor", $"{{token: \"{impostor.MintIdToken("jane", [])}\"}}")).RunAsync("auth", "whoami");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", r.StdErr);
    }

    [SkippableFact]
    public async Task AWebhookTokenIsTheUserTheWebhookReturns()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var whoami = await new Kubectl(fx.Kubeconfig("webhook", $"{{token: {ExternalProvidersFixture.WebhookToken}}}")).OkAsync("auth", "whoami", "-o", "json");
        var user = UserInfo(whoami);
        Assert.Equal(("ext-webhook-user", "w-1"), (user.GetProperty("username").GetString(), user.GetProperty("uid").GetString()));
        Assert.Equal(["hooked", "system:authenticated"], Strings(user.GetProperty("groups")));
        Assert.Equal(["blue"], Strings(user.GetProperty("extra").GetProperty("example.org/team")));
        lock (fx.Providers.ReviewsReceived) Assert.Contains("authentication.k8s.io/v1", fx.Providers.ReviewsReceived);
    }

    [SkippableFact]
    public async Task ATokenTheWebhookRejectsIsUnauthorized()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var r = await new Kubectl(fx.Kubeconfig("webhook-bad", "{token: not-known-anywhere}")).RunAsync("auth", "whoami");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", r.StdErr);
    }

    [Fact]
    public async Task TheTestsFrontProxyMayAssertAUserInHeaders()
    {
        using var http = fx.Http(fx.FrontProxyCa.IssueClient(ExternalProvidersFixture.ProxyName));
        var user = await WhoamiAsync(http, ("X-Remote-User", "proxied-pat"), ("X-Remote-Group", "g1"), ("X-Remote-Extra-Scopes", "read"));
        Assert.Equal("proxied-pat", user.GetProperty("username").GetString());
        Assert.Equal(["g1", "system:authenticated"], Strings(user.GetProperty("groups")));
        Assert.Equal(["read"], Strings(user.GetProperty("extra").GetProperty("scopes")));
    }

    [Fact]
    public async Task AProxyCertificateWithANameNotAllowedIsUnauthorized()
    {
        using var http = fx.Http(fx.FrontProxyCa.IssueClient("some-other-proxy"));
        using var response = await http.SendAsync(SelfSubjectReview(("X-Remote-User", "proxied-pat")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task HeadersFromAClientWithoutTheProxyCertificateAreIgnored()
    {
        // A user certificate from the x509 CA: the request is that user, the asserted name is not looked at.
        using var http = fx.Http(fx.ClientCa.IssueClient("cert-carl", "team-a"));
        var user = await WhoamiAsync(http, ("X-Remote-User", "admin-wannabe"), ("X-Remote-Group", "system:masters"));
        Assert.Equal("cert-carl", user.GetProperty("username").GetString());
        Assert.Equal(["team-a", "system:authenticated"], Strings(user.GetProperty("groups")));
    }

    [SkippableFact]
    public async Task AClientCertificateFromTheConfiguredCaIsItsCommonNameAndOrganizations()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var cert = fx.ClientCa.IssueClient("ext-x509-user", "ops", "dba");
        var kubeconfig = fx.Kubeconfig("x509", $"{{client-certificate-data: {B64(Pem.Certificate(cert))}, client-key-data: {B64(Pem.PrivateKey(cert))}}}");
        var user = UserInfo(await new Kubectl(kubeconfig).OkAsync("auth", "whoami", "-o", "json"));
        Assert.Equal("ext-x509-user", user.GetProperty("username").GetString());
        Assert.Equal(["ops", "dba", "system:authenticated"], Strings(user.GetProperty("groups")));
    }

    [SkippableFact]
    public async Task TheServersOwnClusterCaNoLongerVouchesForClients()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        // --client-ca-file replaced the cluster CA: the admin certificate the server wrote is now a foreign one.
        var r = await new Kubectl(fx.Server.AdminKubeconfig).RunAsync("auth", "whoami");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", r.StdErr);
    }

    static HttpRequestMessage SelfSubjectReview(params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews")
        {
            Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return request;
    }

    static async Task<JsonElement> WhoamiAsync(HttpClient http, params (string Name, string Value)[] headers)
    {
        using var response = await http.SendAsync(SelfSubjectReview(headers));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return UserInfo(body);
    }

    static JsonElement UserInfo(string selfSubjectReview) =>
        JsonDocument.Parse(selfSubjectReview).RootElement.GetProperty("status").GetProperty("userInfo").Clone();

    static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
