using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Runtime.Network;

/// <summary>The address pods reach the API server at: <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>.</summary>
public sealed record ServiceAddress(string Host, int Port);

/// <summary>How an in-pod client checks the server certificate: the roots it trusts (none: the system's), or no check.</summary>
public sealed record PodTls(X509Certificate2Collection? TrustedRoots, bool Insecure);

/// <summary>
/// The network a simulated pod sees. The only service in it is the API server: the <c>kubernetes</c> Service
/// (<c>kubernetes</c>, <c>kubernetes.default</c>, <c>kubernetes.default.svc</c>,
/// <c>kubernetes.default.svc.cluster.local</c> on port 443) and <see cref="KubernetesService"/> lead to the
/// server's own HTTPS endpoint; every other name fails to resolve.
/// </summary>
public interface IPodNetwork
{
    /// <summary>The API server as pods address it, or null before the server listens.</summary>
    ServiceAddress? KubernetesService { get; }

    /// <summary>An HTTP handler that connects as a pod would, verifying the server certificate per <paramref name="tls"/>.</summary>
    HttpMessageHandler CreateHandler(PodTls tls);
}
