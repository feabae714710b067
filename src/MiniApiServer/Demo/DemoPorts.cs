using MiniApiServer.Hosting;

namespace MiniApiServer.Demo;

/// <summary>
/// Where the three demo providers listen, all on 127.0.0.1. With a fixed <c>--secure-port</c> P they take
/// P+1 (OIDC issuer), P+2 (token webhook) and P+3 (authenticating proxy), so their URLs — and with them the
/// issuer URL inside every ID token already handed out — stay the same across restarts. With
/// <c>--secure-port=0</c> each one binds port 0 and the kernel picks a free port, so two servers started
/// side by side never clash.
/// </summary>
public sealed record DemoPorts(int OidcIssuer, int TokenWebhook, int AuthProxy)
{
    public const int OidcIssuerOffset = 1;
    public const int TokenWebhookOffset = 2;
    public const int AuthProxyOffset = 3;

    public static DemoPorts For(int securePort)
    {
        if (securePort < 0 || securePort > 65535)
            throw new ConfigurationException($"--secure-port {securePort} must be between 0 and 65535");
        if (securePort == 0)
            return new DemoPorts(0, 0, 0);
        if (securePort + AuthProxyOffset > 65535)
            throw new ConfigurationException($"--secure-port {securePort}: the demo providers need ports {securePort + 1}-{securePort + AuthProxyOffset}; pick a lower port or --demo-providers=false");
        return new DemoPorts(securePort + OidcIssuerOffset, securePort + TokenWebhookOffset, securePort + AuthProxyOffset);
    }
}
