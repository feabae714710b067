using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Authentication.X509;

/// <summary>
/// A simulator extension with no Kubernetes counterpart (kube-apiserver cannot revoke a client certificate):
/// certificates refused although they chain to the client CA. Asked on every request, never cached.
/// </summary>
public interface IClientCertificateDenyList
{
    /// <summary>Why <paramref name="leaf"/> is refused, or null when it is not listed.</summary>
    string? DenialReason(X509Certificate2 leaf, ReadOnlySpan<byte> leafSha256);
}
