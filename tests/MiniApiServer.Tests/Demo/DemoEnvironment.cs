using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MiniApiServer.Demo;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Demo;

/// <summary>
/// The demo providers started on free ports (--secure-port=0) over a fresh PKI and data directory and the
/// repository's own fixtures/, with a clock the test can move, and an HTTPS client that trusts the cluster CA.
/// </summary>
public sealed class DemoEnvironment : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public FakeTimeProvider Time { get; } = new(TimeProvider.System.GetUtcNow());
    public ClusterPki Pki { get; private set; } = null!;
    public DemoProviders Demo { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string DataDir => _dir.File("data");

    public DemoOptions Options(int securePort = 0, string? dataDir = null) =>
        new(securePort, dataDir ?? DataDir, Pki, DemoFixtures.Locate());

    public async Task InitializeAsync()
    {
        Pki = ClusterPki.LoadOrCreate(_dir.File("certs"), TimeProvider.System);
        Demo = new DemoProviders(Options(), Time);
        await Demo.StartAsync(CancellationToken.None);
        Client = TrustingClient(Pki);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Demo.DisposeAsync();
        Pki.Dispose();
        _dir.Dispose();
    }

    /// <summary>An HTTPS client that trusts only the cluster CA (as the server's --oidc-ca-file would).</summary>
    public static HttpClient TrustingClient(ClusterPki pki, X509Certificate2? clientCertificate = null) => new(TrustingHandler(pki, clientCertificate));

    public static SocketsHttpHandler TrustingHandler(ClusterPki pki, X509Certificate2? clientCertificate = null)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(pki.CaCertificate);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                ClientCertificateContext = clientCertificate is null ? null : SslStreamCertificateContext.Create(clientCertificate, null, offline: true),
            },
        };
    }

    /// <summary>Validates <paramref name="token"/> as kube-apiserver's JWT authenticator would: signature by a JWKS key, iss, aud, exp.</summary>
    public async Task<TokenValidationResult> ValidateAsync(string token, string jwksJson)
    {
        var handler = new JsonWebTokenHandler();
        return await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Demo.OidcIssuerUrl,
            ValidAudience = MiniApiServer.Demo.OidcIssuer.DemoOidcIssuer.ClientId,
            IssuerSigningKeys = new JsonWebKeySet(jwksJson).GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) => expires > Time.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= Time.GetUtcNow().UtcDateTime.AddMinutes(5)),
        });
    }
}
