using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo;

/// <summary>
/// One demo provider's own HTTPS listener on 127.0.0.1: a separate Kestrel, so the server reaches it over
/// the network exactly as it would reach Dex, a webhook or a proxy elsewhere.
/// </summary>
internal sealed class DemoListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoListener(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The listener's base URL, <c>https://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public Uri Url { get; }

    public string BaseUrl => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// A serving certificate from the cluster CA for 127.0.0.1, ::1 and localhost, so a client trusting
    /// <c>&lt;cert-dir&gt;/ca.crt</c> (the server's <c>--oidc-ca-file</c>, the webhook kubeconfig's CA) trusts it.
    /// Issued afresh at each start; earlier ones stay valid because the CA is the same.
    /// </summary>
    public static X509Certificate2 IssueServingCertificate(ClusterPki pki, string commonName, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return pki.ClusterCa.IssueServingCertificate(commonName, ["localhost"], ClusterPki.ServingIpAddresses,
            now - CertificateAuthority.Backdate, now + CertificateAuthority.LeafValidity).ToCertificateWithKey();
    }

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0 = a free port), maps the endpoints and starts serving.</summary>
    public static async Task<DemoListener> StartAsync(string name, int port, X509Certificate2 certificate,
        Action<HttpsConnectionAdapterOptions>? configureTls, Action<IServiceCollection>? services, Action<WebApplication> map,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    configureTls?.Invoke(https);
                });
            });
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ConfigurationException($"demo {name}: cannot listen on 127.0.0.1:{port} ({e.Message}); the demo providers use --secure-port+1..+3: pick another --secure-port, or --demo-providers=false");
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var bound = new Uri(address).Port;
        return new DemoListener(app, new Uri($"https://127.0.0.1:{bound}"));
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
