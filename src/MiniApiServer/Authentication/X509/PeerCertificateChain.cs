using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Authentication.X509;

/// <summary>
/// The certificates the TLS peer sent after its leaf (Go's <c>PeerCertificates[1:]</c>): candidate
/// intermediates for chain building. Kestrel exposes only the leaf (<c>HttpContext.Connection.ClientCertificate</c>),
/// so <see cref="ClientCertificateTls"/> captures these during the handshake into the connection's features.
/// </summary>
public interface IPeerCertificateChainFeature
{
    IReadOnlyList<X509Certificate2> Intermediates { get; }
}

public sealed class PeerCertificateChainFeature(IReadOnlyList<X509Certificate2> intermediates) : IPeerCertificateChainFeature
{
    public IReadOnlyList<X509Certificate2> Intermediates { get; } = intermediates;

    /// <summary>
    /// SslStream puts the certificates the peer sent after its leaf into the validation chain's ExtraStore
    /// (observed on .NET 10 / OpenSSL: exactly those, not the leaf; a leaf copy is dropped anyway should a
    /// platform include it). They are copied, because SslStream disposes the chain once the handshake is done.
    /// </summary>
    public static PeerCertificateChainFeature FromHandshake(System.Security.Cryptography.X509Certificates.X509Certificate leaf, X509Chain chain)
    {
        var leafBytes = leaf.GetRawCertData();
        var intermediates = chain.ChainPolicy.ExtraStore
            .Where(cert => !cert.RawDataMemory.Span.SequenceEqual(leafBytes))
            .Select(cert => X509CertificateLoader.LoadCertificate(cert.RawDataMemory.Span))
            .ToArray();
        return new PeerCertificateChainFeature(intermediates);
    }
}
