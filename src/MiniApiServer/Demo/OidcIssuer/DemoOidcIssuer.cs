using MiniApiServer.Pki;

namespace MiniApiServer.Demo.OidcIssuer;

/// <summary>
/// The demo OpenID Connect provider: its own HTTPS listener, a persistent RS256 key set under
/// <c>&lt;data-dir&gt;/demo/oidc/</c>, and the users of <c>fixtures/users.yaml</c>. kube-apiserver uses it as
/// it would use Dex: <c>--oidc-issuer-url=</c><see cref="IssuerUrl"/>, <c>--oidc-client-id=</c><see cref="ClientId"/>,
/// <c>--oidc-ca-file=&lt;cert-dir&gt;/ca.crt</c>.
/// </summary>
public sealed class DemoOidcIssuer : IAsyncDisposable
{
    /// <summary>The one OAuth client (public, no secret): the audience of every ID token.</summary>
    public const string ClientId = "miniapiserver";

    private readonly DemoListener _listener;

    private DemoOidcIssuer(DemoListener listener, SigningKeyStore keys, IdTokenMinter minter)
    {
        _listener = listener;
        Keys = keys;
        Minter = minter;
    }

    /// <summary>The issuer URL, <c>https://127.0.0.1:PORT</c>: the <c>iss</c> of every token and the server's <c>--oidc-issuer-url</c>.</summary>
    public string IssuerUrl => _listener.BaseUrl;

    public SigningKeyStore Keys { get; }

    public IdTokenMinter Minter { get; }

    /// <summary>An ID token for a user of the fixtures, as the password grant would return it (for CLI use and tests).</summary>
    public IssuedIdToken IssueFor(DemoUser user) => Minter.Mint(IssuerUrl, user, ClientId);

    public static async Task<DemoOidcIssuer> StartAsync(DemoOptions options, int port, DemoUsers users, TimeProvider time, CancellationToken cancellationToken)
    {
        var keys = SigningKeyStore.LoadOrCreate(Path.Combine(options.StateDir, "oidc"), time, options.EffectiveRotationGrace);
        var minter = new IdTokenMinter(keys, time, options.IdTokenLifetime);
        var endpoints = new OidcIssuerEndpoints(minter, keys, users, ClientId);
        var certificate = DemoListener.IssueServingCertificate(options.Pki, "miniapiserver-demo-oidc-issuer", time);
        var listener = await DemoListener.StartAsync("OIDC issuer", port, certificate, configureTls: null, services: null, endpoints.Map, cancellationToken);
        endpoints.Issuer = listener.BaseUrl;
        return new DemoOidcIssuer(listener, keys, minter);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _listener.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
