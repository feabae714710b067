using MiniApiServer.Tests.Authentication;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Impersonation;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Authorization;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;
using ImpersonationFilter = MiniApiServer.Authentication.Impersonation.Impersonation;

namespace MiniApiServer.Tests.Authentication.RequestHeader;

/// <summary>
/// A real Kestrel over TLS with kube's road in small: the request-header and x509 authenticators (kubeadm's
/// configuration: front-proxy CA, allowed name front-proxy-client, X-Remote-* headers) behind the server's
/// KubeAuthenticationHandler with anonymous on, then impersonation under the interim authorizer (system:masters only).
/// Requests are written by hand so a header can be sent on several lines, as proxies do.
/// </summary>
public sealed class ProxyTlsFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private WebApplication? _app;

    public ClusterPki Pki { get; private set; } = null!;
    public int Port { get; private set; }

    public sealed record WhoAmI(string User, string Uid, string[] Groups, Dictionary<string, string[]> Extra, string? RealUser, string[] IdentityHeadersLeft);

    public async Task InitializeAsync()
    {
        Pki = ClusterPki.LoadOrCreate(_dir.Path, TimeProvider.System);
        var proxyRoots = new ClientCaBundle(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(Pki.FrontProxyCa.Certificate.RawData)));
        var requestHeader = new RequestHeaderAuthenticator(
            new RequestHeaderOptions("front-proxy-ca.crt", ["front-proxy-client"], ["X-Remote-User"], ["X-Remote-Uid"], ["X-Remote-Group"], ["X-Remote-Extra-"]),
            proxyRoots, TimeProvider.System);
        var x509 = new X509ClientCertificateAuthenticator(new ClientCaBundle([Pki.CaCertificate]), TimeProvider.System);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = Pki.ServingCertificate;
            ClientCertificateTls.Configure(https);
        })));
        builder.Services.AddSingleton(new AuthenticationChain(new AuthenticatorUnion([requestHeader, x509]), anonymousEnabled: true));
        builder.Services.AddSingleton<IAuthorizer>(new AuthorizerUnion([new PrivilegedGroupAuthorizer(), new BootstrapPublicAuthorizer()]));
        builder.Services.AddAuthentication(KubeAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, KubeAuthenticationHandler>(KubeAuthenticationHandler.SchemeName, null);
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (ApiException e)
            {
                await Negotiation.WriteStatusAsync(context, e.Status);
            }
        });
        _app.UseAuthentication();
        _app.Use(async (context, next) =>
        {
            if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is not { Succeeded: true })
            {
                await context.ChallengeAsync(KubeAuthenticationHandler.SchemeName);
                return;
            }
            await next(context);
        });
        _app.Use(ImpersonationFilter.InvokeAsync);
        _app.MapGet("/whoami", async context =>
        {
            var user = context.GetUser()!;
            var left = context.Request.Headers.Keys
                .Where(k => k.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase))
                .ToArray();
            var body = JsonSerializer.SerializeToUtf8Bytes(new WhoAmI(user.Name, user.Uid, [.. user.Groups],
                user.Extra.ToDictionary(e => e.Key, e => e.Value.ToArray()), context.GetImpersonatingUser()?.Name, left));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await _app.StartAsync();
        Port = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
    }

    /// <summary>GET /whoami over TLS presenting <paramref name="clientCertificate"/>, each header tuple written as its own line.</summary>
    public async Task<(int Status, string Body)> GetAsync(X509Certificate2? clientCertificate, params (string Name, string Value)[] headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificateContext = clientCertificate is null ? null : SslStreamCertificateContext.Create(clientCertificate, [], offline: true),
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Pki.CaCertificate },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        });
        var request = new StringBuilder("GET /whoami HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var response = new MemoryStream();
        await tls.CopyToAsync(response);
        return ParseResponse(response.ToArray());
    }

    /// <summary>Status line, headers, then a body sent either with Content-Length or chunked.</summary>
    private static (int Status, string Body) ParseResponse(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = text[..headerEnd];
        var body = text[(headerEnd + 4)..];
        var status = int.Parse(head.Split(' ')[1]);
        if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return (status, body);
        }
        var decoded = new StringBuilder();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
            var size = Convert.ToInt32(body[..lineEnd], 16);
            if (size == 0)
            {
                return (status, decoded.ToString());
            }
            decoded.Append(body, lineEnd + 2, size);
            body = body[(lineEnd + 2 + size + 2)..];
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Pki.Dispose();
        _dir.Dispose();
    }
}

public sealed class AuthenticatingProxyOverTlsTests(ProxyTlsFixture server) : IClassFixture<ProxyTlsFixture>
{
    private static ProxyTlsFixture.WhoAmI Read(string body) => JsonSerializer.Deserialize<ProxyTlsFixture.WhoAmI>(body)!;

    private X509Certificate2 UserCertificate(string user, params string[] groups)
    {
        var now = TimeProvider.System.GetUtcNow();
        return server.Pki.IssueClientCertificate(user, groups, now.AddMinutes(-5), now.AddHours(1)).ToCertificateWithKey();
    }

    [Fact]
    public async Task FrontProxyAssertsIdentityFromRepeatedHeaderLinesAndTheHeadersNeverReachTheHandler()
    {
        var (status, body) = await server.GetAsync(server.Pki.FrontProxyClientCertificate,
            ("X-Remote-User", "jane"), ("X-Remote-Uid", "u-1"), ("X-Remote-Group", "dev"), ("X-Remote-Group", "a,b"),
            ("X-Remote-Extra-Acme.com%2Fproject", "p1"), ("X-Remote-Extra-Acme.com%2Fproject", "p2"));

        Assert.Equal(200, status);
        var whoami = Read(body);
        Assert.Equal(("jane", "u-1", null), (whoami.User, whoami.Uid, whoami.RealUser));
        Assert.Equal(["dev", "a,b", UserInfo.AllAuthenticated], whoami.Groups);
        Assert.Equal(["p1", "p2"], whoami.Extra["acme.com/project"]);
        Assert.Empty(whoami.IdentityHeadersLeft);
    }

    [Fact]
    public async Task UserCertificateCannotAssertHeadersItAuthenticatesAsItselfAndTheHeadersAreStripped()
    {
        using var alice = UserCertificate("alice", "dev");

        var (status, body) = await server.GetAsync(alice, ("X-Remote-User", "system:admin"), ("X-Remote-Group", "system:masters"));

        Assert.Equal(200, status);
        var whoami = Read(body);
        Assert.Equal("alice", whoami.User);
        Assert.Equal(["dev", UserInfo.AllAuthenticated], whoami.Groups);
        Assert.Empty(whoami.IdentityHeadersLeft);
    }

    [Fact]
    public async Task WithoutClientCertificateHeadersAreIgnoredAndTheRequestIsAnonymous()
    {
        var (status, body) = await server.GetAsync(null, ("X-Remote-User", "system:admin"), ("X-Remote-Group", "system:masters"));

        Assert.Equal(200, status);
        var whoami = Read(body);
        Assert.Equal(UserInfo.Anonymous, whoami.User);
        Assert.Equal([UserInfo.AllUnauthenticated], whoami.Groups);
        Assert.Empty(whoami.IdentityHeadersLeft);
    }

    [Fact]
    public async Task CertificateFromNeitherCaIsUnauthorizedEvenWithAnonymousOn()
    {
        var now = TimeProvider.System.GetUtcNow();
        var (foreign, _) = CertificateAuthority.CreateSelfSigned("foreign", TimeProvider.System);
        using (foreign)
        using (var cert = foreign.IssueClientCertificate("front-proxy-client", [], now.AddMinutes(-5), now.AddHours(1)).ToCertificateWithKey())
        {
            var (status, body) = await server.GetAsync(cert, ("X-Remote-User", "system:admin"));

            Assert.Equal(401, status);
            Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""", body);
        }
    }

    [Fact]
    public async Task ProxiedMasterMayImpersonateAndTheRealUserIsKept()
    {
        var (status, body) = await server.GetAsync(server.Pki.FrontProxyClientCertificate,
            ("X-Remote-User", "admin"), ("X-Remote-Group", UserInfo.Masters),
            ("Impersonate-User", "system:serviceaccount:default:builder"), ("Impersonate-Extra-Scopes", "view"));

        Assert.Equal(200, status);
        var whoami = Read(body);
        Assert.Equal(("system:serviceaccount:default:builder", "admin"), (whoami.User, whoami.RealUser));
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:default", UserInfo.AllAuthenticated], whoami.Groups);
        Assert.Equal(["view"], whoami.Extra["scopes"]);
        Assert.Empty(whoami.IdentityHeadersLeft);
    }

    [Fact]
    public async Task OrdinaryUserMayNotImpersonate()
    {
        using var bob = UserCertificate("bob", "dev");

        var (status, body) = await server.GetAsync(bob, ("Impersonate-User", "jane"));

        Assert.Equal(403, status);
        using var status403 = JsonDocument.Parse(body);
        var root = status403.RootElement;
        Assert.Equal(("Forbidden", "users \"jane\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
            (root.GetProperty("reason").GetString(), root.GetProperty("message").GetString()));
        var details = root.GetProperty("details");
        Assert.Equal(("jane", "users", false), (details.GetProperty("name").GetString(), details.GetProperty("kind").GetString(), details.TryGetProperty("group", out _)));
    }
}
