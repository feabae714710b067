using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>Builds the webhook token authenticator from its options (kube's <c>newWebhookTokenAuthenticator</c>).</summary>
public static class WebhookTokenAuthenticatorFactory
{
    /// <param name="apiAudiences">The server's <c>--api-audiences</c>: the audiences every request wants, and the
    /// ones a token is taken to be for when the webhook names none.</param>
    /// <param name="handler">The HTTP handler to call the webhook through; null: one built from the kubeconfig's TLS settings.</param>
    /// <param name="backoff">The retry schedule; null: kube's (500 ms, ×1.5, jitter 0.2, 5 steps).</param>
    public static WebhookTokenAuthenticator Create(
        WebhookTokenOptions options,
        IReadOnlyList<string> apiAudiences,
        TimeProvider time,
        ILoggerFactory loggers,
        HttpMessageHandler? handler = null,
        WebhookRetryBackoff? backoff = null)
    {
        // Timeouts are per call, on the injected clock (TokenReviewClient), not HttpClient's own.
        var http = new HttpClient(handler ?? CreateHandler(options.Kubeconfig)) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new TokenReviewClient(http, options.Kubeconfig, options.Version, time);
        var webhook = new UncachedWebhookAuthenticator(client, backoff ?? WebhookRetryBackoff.Default, apiAudiences, time,
            loggers.CreateLogger("MiniApiServer.Authentication.Webhook"));
        return new WebhookTokenAuthenticator(webhook, options.CacheTtl, new TokenResultCache(time));
    }

    /// <summary>
    /// The connection client-go makes from the kubeconfig: the webhook's certificate must chain to the configured
    /// CA (the system roots when none is given) and match the host (or tls-server-name); the client certificate,
    /// if any, is presented; no client-side rate limit.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(WebhookKubeconfig config)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (config.TlsServerName is { } serverName) ssl.TargetHost = serverName;
        if (config.InsecureSkipTlsVerify)
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        else if (config.CertificateAuthorities.Count > 0)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            policy.CustomTrustStore.AddRange(config.CertificateAuthorities);
            ssl.CertificateChainPolicy = policy;
        }
        if (config.ClientCertificate is { } clientCertificate)
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        return new SocketsHttpHandler
        {
            SslOptions = ssl,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        };
    }
}
