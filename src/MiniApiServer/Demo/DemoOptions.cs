using MiniApiServer.Pki;

namespace MiniApiServer.Demo;

/// <summary>
/// What the demo providers need from the server's configuration. They read fixtures and the cluster PKI,
/// write their own state under <c>&lt;data-dir&gt;/demo/</c>, and reach the API server only at
/// <see cref="ApiServerUrl"/> (which may be given later, see <see cref="DemoProviders.ConnectApiServer"/>).
/// </summary>
public sealed record DemoOptions(int SecurePort, string DataDir, ClusterPki Pki, string FixturesDir)
{
    /// <summary>The API server the authenticating proxy forwards to; null until known (with --secure-port=0 only after the server started).</summary>
    public Uri? ApiServerUrl { get; init; }

    /// <summary>Lifetime of the issuer's ID tokens (the <c>exp</c> − <c>iat</c> span). Dex's default is 24 h; an hour shows refresh sooner.</summary>
    public TimeSpan IdTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a rotated-out signing key stays in the JWKS. It must outlive the tokens it signed, or those
    /// would fail verification before their <c>exp</c>; one token lifetime plus a minute of clock skew does.
    /// </summary>
    public TimeSpan? KeyRotationGrace { get; init; }

    /// <summary>When true the token webhook refuses TLS clients without a certificate from the cluster CA.</summary>
    public bool WebhookRequiresClientCertificate { get; init; }

    public string StateDir => Path.Combine(DataDir, "demo");

    public TimeSpan EffectiveRotationGrace => KeyRotationGrace ?? IdTokenLifetime + TimeSpan.FromMinutes(1);
}
