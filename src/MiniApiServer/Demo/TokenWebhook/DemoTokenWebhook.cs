using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo.TokenWebhook;

/// <summary>
/// The demo authentication webhook: its own HTTPS listener answering TokenReviews from
/// <c>fixtures/ldap.yaml</c>, and the kubeconfig-format file kube-apiserver's
/// <c>--authentication-token-webhook-config-file</c> reads (<c>&lt;data-dir&gt;/demo/webhook.kubeconfig</c>).
/// </summary>
public sealed class DemoTokenWebhook : IAsyncDisposable
{
    public const string KubeconfigFileName = "webhook.kubeconfig";

    /// <summary>The identity in the client certificate the webhook kubeconfig carries (what kube-apiserver presents).</summary>
    public const string ClientCommonName = "kube-apiserver-webhook-client";

    private readonly DemoListener _listener;

    private DemoTokenWebhook(DemoListener listener, LdapDirectory directory, string kubeconfigPath)
    {
        _listener = listener;
        Directory = directory;
        KubeconfigPath = kubeconfigPath;
    }

    /// <summary>The URL kube-apiserver POSTs TokenReviews to (verbatim, path included).</summary>
    public string Url => _listener.BaseUrl + TokenReviewEndpoint.Path;

    public LdapDirectory Directory { get; }

    /// <summary>The webhook config file for <c>--authentication-token-webhook-config-file</c>.</summary>
    public string KubeconfigPath { get; }

    public static async Task<DemoTokenWebhook> StartAsync(DemoOptions options, int port, LdapDirectory directory, TimeProvider time, CancellationToken cancellationToken)
    {
        var certificate = DemoListener.IssueServingCertificate(options.Pki, "miniapiserver-demo-token-webhook", time);
        var endpoint = new TokenReviewEndpoint(directory);
        var clusterCa = options.Pki.CaCertificate;
        var listener = await DemoListener.StartAsync("token webhook", port, certificate,
            https => RequireClientCertificate(https, clusterCa, options.WebhookRequiresClientCertificate),
            services: null, endpoint.Map, cancellationToken);
        var path = Path.Combine(options.StateDir, KubeconfigFileName);
        WriteKubeconfig(path, listener.BaseUrl + TokenReviewEndpoint.Path, options.Pki, time);
        return new DemoTokenWebhook(listener, directory, path);
    }

    /// <summary>
    /// Asks for a client certificate; when required, the handshake fails unless it chains to the cluster CA
    /// (what a webhook behind mutual TLS does, so only the API server may ask it about tokens).
    /// </summary>
    private static void RequireClientCertificate(HttpsConnectionAdapterOptions https, X509Certificate2 clusterCa, bool required)
    {
        https.ClientCertificateMode = required ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate;
        https.CheckCertificateRevocation = false;
        https.ClientCertificateValidation = (certificate, _, _) => !required || ChainsTo(certificate, clusterCa);
    }

    internal static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf);
    }

    /// <summary>
    /// kube's webhook config is a kubeconfig: <c>clusters[0].cluster.server</c> is the URL, used verbatim;
    /// <c>certificate-authority-data</c> the cluster CA (which signed the webhook's serving certificate); the
    /// user a client certificate from the cluster CA, for a webhook that requires one.
    /// </summary>
    private static void WriteKubeconfig(string path, string url, ClusterPki pki, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var client = pki.IssueClientCertificate(ClientCommonName, [], now - CertificateAuthority.Backdate, now + CertificateAuthority.LeafValidity);
        Kubeconfig.Write(path, new KubeconfigSpec("demo-token-webhook", url, pki.CaPem, "kube-apiserver", new ClientCertificateCredential(client)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => _listener.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
