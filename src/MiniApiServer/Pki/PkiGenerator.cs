using System.Security.Cryptography;

namespace MiniApiServer.Pki;

/// <summary>
/// Generates the pairs of a certificate directory that are missing entirely. Runs under
/// <see cref="PkiDirectoryLock"/>, so it looks again at what exists: another server may have just made it.
/// </summary>
internal sealed class PkiGenerator(string certDir, TimeProvider time, string hostName)
{
    /// <summary>The pairs in the order they are generated: each CA before the leaves it signs.</summary>
    public static readonly IReadOnlyList<(string Cert, string Key)> Pairs =
    [
        (PkiFileNames.CaCert, PkiFileNames.CaKey),
        (PkiFileNames.FrontProxyCaCert, PkiFileNames.FrontProxyCaKey),
        (PkiFileNames.ServingCert, PkiFileNames.ServingKey),
        (PkiFileNames.FrontProxyClientCert, PkiFileNames.FrontProxyClientKey),
        (PkiFileNames.ServiceAccountPublicKey, PkiFileNames.ServiceAccountPrivateKey),
    ];

    public void CreateMissing()
    {
        foreach (var (cert, key) in Pairs)
        {
            if (Exists(cert, key))
            {
                continue;
            }
            var (certText, keyText) = Generate(cert);
            // Both halves are prepared before either lands, so a failure leaves no half pair behind.
            var certTemp = AtomicFile.WriteTemp(InDir(cert), certText, secret: false);
            var keyTemp = AtomicFile.WriteTemp(InDir(key), keyText, secret: true);
            try
            {
                File.Move(keyTemp, InDir(key), overwrite: false);
                File.Move(certTemp, InDir(cert), overwrite: false);
            }
            finally
            {
                File.Delete(certTemp);
                File.Delete(keyTemp);
            }
        }
    }

    /// <summary>True when both files exist; false when neither does; half a pair stops start-up.</summary>
    private bool Exists(string cert, string key)
    {
        var (hasCert, hasKey) = (File.Exists(InDir(cert)), File.Exists(InDir(key)));
        return (hasCert, hasKey) switch
        {
            (true, true) => true,
            (false, false) => false,
            (true, false) => throw HalfPair(missing: key, present: cert),
            (false, true) => throw HalfPair(missing: cert, present: key),
        };
    }

    private PkiException HalfPair(string missing, string present) =>
        new(InDir(missing), $"missing, but {present} exists; restore it, or delete {present} too to have a new pair generated (existing files are never overwritten)");

    private (string Cert, string Key) Generate(string certFile)
    {
        var now = time.GetUtcNow();
        var (notBefore, notAfter) = (now - CertificateAuthority.Backdate, now + CertificateAuthority.LeafValidity);
        switch (certFile)
        {
            case PkiFileNames.CaCert:
                return NewCa("kubernetes");
            case PkiFileNames.FrontProxyCaCert:
                return NewCa("front-proxy-ca");
            case PkiFileNames.ServingCert:
                using (var ca = LoadCa(PkiFileNames.CaCert, PkiFileNames.CaKey))
                {
                    var issued = ca.IssueServingCertificate("kube-apiserver", ClusterPki.ServingDnsNames(hostName), ClusterPki.ServingIpAddresses, notBefore, notAfter);
                    return (issued.CertificatePem, issued.PrivateKeyPem);
                }
            case PkiFileNames.FrontProxyClientCert:
                using (var ca = LoadCa(PkiFileNames.FrontProxyCaCert, PkiFileNames.FrontProxyCaKey))
                {
                    // kubeadm's front-proxy-client: CN front-proxy-client, no O, EKU clientAuth.
                    var issued = ca.IssueClientCertificate("front-proxy-client", [], notBefore, notAfter);
                    return (issued.CertificatePem, issued.PrivateKeyPem);
                }
            case PkiFileNames.ServiceAccountPublicKey:
                // Service-account tokens are RS256 JWTs (kubeadm: RSA 2048), so this key is RSA whatever the certificates use.
                using (var rsa = RSA.Create(2048))
                {
                    return (rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportPkcs8PrivateKeyPem());
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(certFile), certFile, "not a file of the cluster PKI");
        }
    }

    private (string Cert, string Key) NewCa(string commonName)
    {
        var (ca, keyPem) = CertificateAuthority.CreateSelfSigned(commonName, time);
        using (ca)
        {
            return (ca.CertificatePem, keyPem);
        }
    }

    private CertificateAuthority LoadCa(string cert, string key) => new(CertificateFiles.LoadPair(InDir(cert), InDir(key)));

    private string InDir(string name) => Path.Combine(certDir, name);
}
