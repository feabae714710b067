using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Authentication.Oidc;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>
/// The issuer as a real HTTPS server (Kestrel on 127.0.0.1:0, certificate from its own CA): discovery and JWKS go
/// over TLS trusting only the configured certificateAuthority (--oidc-ca-file), nothing injected.
/// </summary>
public sealed class OidcIssuerOverTlsTests : IAsyncLifetime
{
    readonly TempDirectory _dir = new();
    WebApplication? _app;
    ClusterPki _pki = null!;
    FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _pki = ClusterPki.LoadOrCreate(_dir.Path, TimeProvider.System);
        FakeOidcIssuer? issuer = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_pki.ServingCertificate)));
        _app = builder.Build();
        // Every request is answered by the fake issuer's discovery/JWKS logic.
        _app.Run(async context =>
        {
            using var invoker = new HttpMessageInvoker(issuer!, disposeHandler: false);
            var url = $"{issuer!.Url}{context.Request.Path}{context.Request.QueryString}";
            using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.WriteAsync(await response.Content.ReadAsStringAsync());
        });
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _issuer = issuer = new FakeOidcIssuer($"https://127.0.0.1:{address.Port}");
    }

    JwtAuthenticator Authenticator(string? caPem, TimeProvider time)
    {
        var jwt = OidcOptions.FromLegacyFlags(_issuer.Url, "kube", "sub", "-", "", "", [], caPem);
        var options = OidcOptions.FromConfiguration(new AuthenticationConfiguration { Jwt = [jwt] }, ["RS256"], [], new CelExpressionCompiler());
        return new JwtAuthenticator(options.Authenticators[0], options.SigningAlgorithms, time, NullLogger.Instance);
    }

    [Fact]
    public async Task DiscoveryAndKeysOverTlsTrustingTheConfiguredCa()
    {
        using var authenticator = Authenticator(_pki.CaPem, TimeProvider.System);
        Assert.True(await authenticator.InitializeAsync(CancellationToken.None), authenticator.HealthError);
        var token = _issuer.Mint(_issuer.Claims(TimeProvider.System.GetUtcNow()));
        var r = await authenticator.AuthenticateTokenAsync(token, CancellationToken.None);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal("1234", r.User!.Name);
        Assert.Equal(1, _issuer.JwksRequests);
    }

    [Fact]
    public async Task AnIssuerCertificateFromAnotherCaIsRefused()
    {
        var other = CertificateAuthority.CreateSelfSigned("other-ca", TimeProvider.System).Ca;
        using var authenticator = Authenticator(other.CertificatePem, TimeProvider.System);
        Assert.False(await authenticator.InitializeAsync(CancellationToken.None));
        Assert.Contains("SSL", authenticator.HealthError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, _issuer.DiscoveryRequests);
        Assert.Equal("oidc: authenticator not initialized",
            (await authenticator.AuthenticateTokenAsync(_issuer.Mint(_issuer.Claims(TimeProvider.System.GetUtcNow())), CancellationToken.None)).Error);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _pki.Dispose();
        _dir.Dispose();
    }
}
