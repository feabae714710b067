using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Authentication.X509;

/// <summary>A real Kestrel on 127.0.0.1:0 serving the cluster PKI's certificate, configured with <see cref="ClientCertificateTls"/>.</summary>
public sealed class TlsServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private WebApplication? _app;

    public ClusterPki Pki { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    public sealed record WhoAmI(string? User, string[] Groups, string? Error, int PeerIntermediates);

    public async Task InitializeAsync()
    {
        Pki = ClusterPki.LoadOrCreate(_dir.Path, TimeProvider.System);
        var authenticator = new X509ClientCertificateAuthenticator(new ClientCaBundle([Pki.CaCertificate]), TimeProvider.System);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = Pki.ServingCertificate;
            ClientCertificateTls.Configure(https);
        })));
        _app = builder.Build();
        _app.MapGet("/whoami", async (HttpContext context) =>
        {
            var result = await authenticator.AuthenticateAsync(context, context.RequestAborted);
            var intermediates = context.Features.Get<IPeerCertificateChainFeature>()?.Intermediates.Count ?? -1;
            return new WhoAmI(result.User?.Name, result.User?.Groups.ToArray() ?? [], result.Error, intermediates);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
    }

    /// <summary>A client that trusts the cluster CA and presents <paramref name="clientCertificate"/> with <paramref name="chain"/>.</summary>
    public HttpClient Client(X509Certificate2? clientCertificate, X509Certificate2[] chain, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = clientCertificate is null ? null : SslStreamCertificateContext.Create(clientCertificate, [.. chain], offline: true),
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { Pki.CaCertificate },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress, DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
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

public sealed class ClientCertificateOverTlsTests(TlsServerFixture server) : IClassFixture<TlsServerFixture>
{
    public static TheoryData<string> HttpVersions => new() { "1.1", "2.0" };

    [Theory]
    [MemberData(nameof(HttpVersions))]
    public async Task ClusterIssuedClientCertificateArrivesAndAuthenticates(string version)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var cert = server.Pki.IssueClientCertificate("alice", ["dev", "ops"], now.AddMinutes(-5), now.AddHours(1)).ToCertificateWithKey();
        using var client = server.Client(cert, [], Version.Parse(version));

        var whoami = await client.GetFromJsonAsync<TlsServerFixture.WhoAmI>("/whoami");

        Assert.Equal(("alice", null, 0), (whoami!.User, whoami.Error, whoami.PeerIntermediates));
        Assert.Equal(["dev", "ops"], whoami.Groups);
    }

    [Theory]
    [MemberData(nameof(HttpVersions))]
    public async Task IntermediateSentInTheHandshakeReachesTheAuthenticator(string version)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var intermediate = TestPki.NewIntermediateCa(server.Pki.ClusterCa, "team-ca", now.AddDays(1), now.AddMinutes(-5));
        using var cert = intermediate.IssueClientCertificate("bob", ["team"], now.AddMinutes(-5), now.AddHours(1)).ToCertificateWithKey();
        using var intermediatePublic = X509CertificateLoader.LoadCertificate(intermediate.Certificate.RawData);
        using var client = server.Client(cert, [intermediatePublic], Version.Parse(version));

        var whoami = await client.GetFromJsonAsync<TlsServerFixture.WhoAmI>("/whoami");

        Assert.Equal(("bob", null, 1), (whoami!.User, whoami.Error, whoami.PeerIntermediates));
    }

    [Fact]
    public async Task ForeignCertificateDoesNotFailTheHandshakeButFailsAuthentication()
    {
        var now = TimeProvider.System.GetUtcNow();
        var (foreign, _) = CertificateAuthority.CreateSelfSigned("foreign", TimeProvider.System);
        using (foreign)
        using (var cert = foreign.IssueClientCertificate("mallory", ["system:masters"], now.AddMinutes(-5), now.AddHours(1)).ToCertificateWithKey())
        using (var client = server.Client(cert, [], HttpVersion.Version11))
        {
            var whoami = await client.GetFromJsonAsync<TlsServerFixture.WhoAmI>("/whoami");

            Assert.Null(whoami!.User);
            Assert.EndsWith("failed: x509: certificate signed by unknown authority", whoami.Error);
        }
    }

    [Fact]
    public async Task NoClientCertificateIsNoOpinion()
    {
        using var client = server.Client(null, [], HttpVersion.Version11);

        var whoami = await client.GetFromJsonAsync<TlsServerFixture.WhoAmI>("/whoami");

        Assert.Equal((null, null), (whoami!.User, whoami.Error));
    }
}
