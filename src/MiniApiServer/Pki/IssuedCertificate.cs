using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Pki;

/// <summary>A certificate and its private key, both PEM (the key PKCS#8), as kubeconfigs and files carry them.</summary>
public sealed record IssuedCertificate(string CertificatePem, string PrivateKeyPem)
{
    /// <summary>The pair as one certificate with its private key, ready for TLS (client or server side).</summary>
    public X509Certificate2 ToCertificateWithKey() => CertificateFiles.UsableForTls(X509Certificate2.CreateFromPem(CertificatePem, PrivateKeyPem));
}
