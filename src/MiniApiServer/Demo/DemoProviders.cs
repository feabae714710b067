using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Demo.AuthProxy;
using MiniApiServer.Demo.OidcIssuer;
using MiniApiServer.Demo.TokenWebhook;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo;

/// <summary>
/// The three built-in stand-ins for external identity providers, each on its own HTTPS port of 127.0.0.1
/// (<see cref="DemoPorts"/>): an OIDC issuer, a token webhook and an authenticating proxy. They share nothing
/// with the server but the cluster PKI's files and the network, so the server treats them exactly as it would
/// Dex, a real webhook or a real proxy; <c>--demo-providers=false</c> leaves them off.
/// <para>
/// Start it before the server builds its authenticators (their configuration names the providers' URLs);
/// with <c>--secure-port=0</c> the API server's own URL is known only after it starts, so pass it then with
/// <see cref="ConnectApiServer"/>. StartAsync is idempotent, so the instance can also be registered as a
/// hosted service, whose StopAsync then stops the listeners with the server.
/// </para>
/// </summary>
public sealed class DemoProviders(DemoOptions options, TimeProvider time) : IHostedService, IAsyncDisposable
{
    public const string IssuerUrlPlaceholder = "DEMO_OIDC_ISSUER_URL";
    public const string ClientIdPlaceholder = "DEMO_OIDC_CLIENT_ID";
    public const string CaPemPlaceholder = "CLUSTER_CA_PEM";

    private DemoOidcIssuer? _issuer;
    private DemoTokenWebhook? _webhook;
    private DemoAuthProxy? _proxy;

    public DemoOptions Options => options;

    public DemoPorts RequestedPorts { get; } = DemoPorts.For(options.SecurePort);

    public DemoUsers Users { get; } = DemoUsers.Load(Path.Combine(options.FixturesDir, DemoUsers.FileName));

    public LdapDirectory Directory { get; } = LdapDirectory.Load(Path.Combine(options.FixturesDir, LdapDirectory.FileName));

    public DemoOidcIssuer OidcIssuer => _issuer ?? throw NotStarted();
    public DemoTokenWebhook TokenWebhook => _webhook ?? throw NotStarted();
    public DemoAuthProxy AuthProxy => _proxy ?? throw NotStarted();

    /// <summary>For <c>--oidc-issuer-url</c> / the AuthenticationConfiguration's <c>jwt[0].issuer.url</c>.</summary>
    public string OidcIssuerUrl => OidcIssuer.IssuerUrl;

    /// <summary>The URL in the webhook kubeconfig (TokenReviews are POSTed there).</summary>
    public string TokenWebhookUrl => TokenWebhook.Url;

    public string AuthProxyUrl => AuthProxy.Url;

    /// <summary>For <c>--authentication-token-webhook-config-file</c>: <c>&lt;data-dir&gt;/demo/webhook.kubeconfig</c>.</summary>
    public string WebhookKubeconfigPath => TokenWebhook.KubeconfigPath;

    /// <summary>For <c>--authentication-config</c>: the rendered <c>&lt;data-dir&gt;/demo/authentication-config.yaml</c>.</summary>
    public string AuthenticationConfigPath => Path.Combine(options.StateDir, DemoFixtures.AuthenticationConfigFileName);

    public bool IsStarted => _proxy is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsStarted) return;
        System.IO.Directory.CreateDirectory(options.StateDir);
        try
        {
            _issuer = await DemoOidcIssuer.StartAsync(options, RequestedPorts.OidcIssuer, Users, time, cancellationToken);
            _webhook = await DemoTokenWebhook.StartAsync(options, RequestedPorts.TokenWebhook, Directory, time, cancellationToken);
            var pki = options.Pki;
            _proxy = await DemoAuthProxy.StartAsync(RequestedPorts.AuthProxy,
                DemoListener.IssueServingCertificate(pki, "miniapiserver-demo-auth-proxy", time),
                pki.FrontProxyClientCertificate, new X509Certificate2Collection(pki.CaCertificate), Users, options.ApiServerUrl, cancellationToken);
            WriteAuthenticationConfig();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Points the authenticating proxy at the API server (once its URL is known).</summary>
    public void ConnectApiServer(Uri apiServerUrl) => AuthProxy.ApiServerUrl = apiServerUrl;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_proxy is not null) await _proxy.StopAsync(cancellationToken);
        if (_webhook is not null) await _webhook.StopAsync(cancellationToken);
        if (_issuer is not null) await _issuer.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        if (_webhook is not null) await _webhook.DisposeAsync();
        if (_issuer is not null) await _issuer.DisposeAsync();
        _proxy = null;
        _webhook = null;
        _issuer = null;
    }

    private void WriteAuthenticationConfig()
    {
        var template = Path.Combine(options.FixturesDir, DemoFixtures.AuthenticationConfigFileName);
        if (!File.Exists(template)) return;
        var rendered = DemoFixtures.Render(File.ReadAllText(template), new Dictionary<string, string>
        {
            [IssuerUrlPlaceholder] = OidcIssuerUrl,
            [ClientIdPlaceholder] = DemoOidcIssuer.ClientId,
            [CaPemPlaceholder] = options.Pki.CaPem,
        }, template);
        AtomicFile.WriteAllText(AuthenticationConfigPath, rendered, secret: false);
    }

    private static InvalidOperationException NotStarted() => new("the demo providers have not been started");
}
