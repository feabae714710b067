using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Pki;

/// <summary>
/// The cluster's PKI in kubeadm's layout (see <see cref="PkiFileNames"/>): the cluster CA (serving cert and
/// user client certs), the serving certificate, the front-proxy CA and its client, and the service-account
/// key pair. Missing pairs are generated on first start; existing files are never overwritten, so tokens
/// and kubeconfigs issued earlier stay valid across restarts.
/// </summary>
public sealed class ClusterPki : IDisposable
{
    /// <summary>The serving certificate's names: kubeadm's apiserver SANs for the in-cluster service, plus loopback.</summary>
    public static IReadOnlyList<string> ServingDnsNames(string hostName) =>
        new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", hostName }
            .Where(name => !string.IsNullOrWhiteSpace(name))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    public static readonly IReadOnlyList<IPAddress> ServingIpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private ClusterPki(string certDir, CertificateAuthority clusterCa, CertificateAuthority clientCa, X509Certificate2 serving, CertificateAuthority frontProxyCa,
        X509Certificate2 frontProxyClient, RSA serviceAccountKey, string serviceAccountPublicKeyPem)
    {
        CertDirectory = certDir;
        ClusterCa = clusterCa;
        ClientCa = clientCa;
        CaCertificate = X509CertificateLoader.LoadCertificate(clusterCa.Certificate.RawData);
        ServingCertificate = serving;
        FrontProxyCa = frontProxyCa;
        FrontProxyClientCertificate = frontProxyClient;
        ServiceAccountKey = serviceAccountKey;
        ServiceAccountPublicKeyPem = serviceAccountPublicKeyPem;
    }

    public string CertDirectory { get; }

    /// <summary>The cluster CA with its key (<c>ca.crt</c>/<c>ca.key</c>): signs the serving cert and users' client certs.</summary>
    public CertificateAuthority ClusterCa { get; }

    /// <summary>
    /// The CA that signs users' client certificates and whose certificate is the default <c>--client-ca-file</c>
    /// (<c>client-ca.crt</c>): the cluster CA itself until a client-CA rotation gives it a key of its own
    /// (<c>client-ca.key</c>). Infrastructure client certificates (a webhook's client) stay the cluster CA's.
    /// </summary>
    public CertificateAuthority ClientCa { get; }

    /// <summary>The cluster CA certificate alone, without the private key.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The cluster CA as PEM: kubeconfigs' <c>certificate-authority-data</c>, the <c>kube-root-ca.crt</c> ConfigMap.</summary>
    public string CaPem => ClusterCa.CertificatePem;

    /// <summary><c>apiserver.crt</c> with its private key, ready for Kestrel.</summary>
    public X509Certificate2 ServingCertificate { get; }

    /// <summary>The front-proxy CA with its key: the default <c>--requestheader-client-ca-file</c> root.</summary>
    public CertificateAuthority FrontProxyCa { get; }

    public string FrontProxyCaPem => FrontProxyCa.CertificatePem;

    /// <summary><c>front-proxy-client.crt</c> with its key (CN front-proxy-client): what an authenticating proxy presents.</summary>
    public X509Certificate2 FrontProxyClientCertificate { get; }

    /// <summary><c>sa.key</c>: the RSA key that signs service-account tokens (RS256).</summary>
    public RSA ServiceAccountKey { get; }

    /// <summary><c>sa.pub</c> as PEM (SubjectPublicKeyInfo).</summary>
    public string ServiceAccountPublicKeyPem { get; }

    public string PathOf(string fileName) => Path.Combine(CertDirectory, fileName);

    /// <summary>A user client certificate signed by the cluster CA (see <see cref="CertificateAuthority.IssueClientCertificate"/>).</summary>
    public IssuedCertificate IssueClientCertificate(string user, IReadOnlyList<string> groups, DateTimeOffset notBefore, DateTimeOffset notAfter, string? uid = null) =>
        ClusterCa.IssueClientCertificate(user, groups, notBefore, notAfter, uid);

    /// <summary>
    /// A user's client certificate signed by the client CA (<see cref="ClientCa"/>): what kubeconfigs for people
    /// carry, so that a client-CA rotation makes them fail and re-issuing makes them work again.
    /// </summary>
    public IssuedCertificate IssueUserCertificate(string user, IReadOnlyList<string> groups, DateTimeOffset notBefore, DateTimeOffset notAfter, string? uid = null) =>
        ClientCa.IssueClientCertificate(user, groups, notBefore, notAfter, uid);

    /// <summary>
    /// The client CA of <paramref name="certDir"/> as its files are now: the first certificate of
    /// <c>client-ca.crt</c> with <c>client-ca.key</c> when that key exists, else the cluster CA (<c>ca.crt</c>/<c>ca.key</c>).
    /// </summary>
    public static CertificateAuthority LoadClientCa(string certDir)
    {
        string InDir(string name) => Path.Combine(certDir, name);
        return File.Exists(InDir(PkiFileNames.ClientCaKey))
            ? new CertificateAuthority(CertificateFiles.LoadPair(InDir(PkiFileNames.ClientCaCert), InDir(PkiFileNames.ClientCaKey)))
            : new CertificateAuthority(CertificateFiles.LoadPair(InDir(PkiFileNames.CaCert), InDir(PkiFileNames.CaKey)));
    }

    /// <summary>
    /// Loads the PKI in <paramref name="certDir"/>, first generating (under the directory lock) every pair of
    /// which neither file exists. Throws <see cref="PkiException"/> for half a pair, a key that does not match
    /// its certificate, or a leaf not signed by its CA.
    /// </summary>
    public static ClusterPki LoadOrCreate(string certDir, TimeProvider time)
    {
        certDir = Path.GetFullPath(certDir);
        Directory.CreateDirectory(certDir);
        if (!AllFilesPresent(certDir))
        {
            using (PkiDirectoryLock.Acquire(certDir))
            {
                new PkiGenerator(certDir, time, Dns.GetHostName()).CreateMissing();
                CreateClientCaBundleIfMissing(certDir);
            }
        }
        return Load(certDir);
    }

    private static bool AllFilesPresent(string certDir) =>
        PkiGenerator.Pairs.All(pair => File.Exists(Path.Combine(certDir, pair.Cert)) && File.Exists(Path.Combine(certDir, pair.Key)))
        && File.Exists(Path.Combine(certDir, PkiFileNames.ClientCaCert));

    /// <summary>
    /// kubeadm points <c>--client-ca-file</c> at <c>ca.crt</c>; the simulator gives that bundle a file of its own,
    /// born a copy of <c>ca.crt</c>, so that a client-CA rotation can replace it without touching the CA that
    /// signed the serving certificate (kube-apiserver reloads the bundle from disk, so the change is live).
    /// </summary>
    private static void CreateClientCaBundleIfMissing(string certDir)
    {
        var bundle = Path.Combine(certDir, PkiFileNames.ClientCaCert);
        if (File.Exists(bundle)) return;
        if (File.Exists(Path.Combine(certDir, PkiFileNames.ClientCaKey)))
            throw new PkiException(bundle, $"missing, but {PkiFileNames.ClientCaKey} exists; restore it, or delete {PkiFileNames.ClientCaKey} too to go back to the cluster CA");
        AtomicFile.WriteAllText(bundle, CertificateFiles.ReadText(Path.Combine(certDir, PkiFileNames.CaCert)), secret: false, overwrite: false);
    }

    private static ClusterPki Load(string certDir)
    {
        string InDir(string name) => Path.Combine(certDir, name);

        var clusterCa = new CertificateAuthority(CertificateFiles.LoadPair(InDir(PkiFileNames.CaCert), InDir(PkiFileNames.CaKey)));
        var frontProxyCa = new CertificateAuthority(CertificateFiles.LoadPair(InDir(PkiFileNames.FrontProxyCaCert), InDir(PkiFileNames.FrontProxyCaKey)));
        var serving = LoadLeaf(InDir(PkiFileNames.ServingCert), InDir(PkiFileNames.ServingKey), clusterCa, PkiFileNames.CaCert);
        var frontProxyClient = LoadLeaf(InDir(PkiFileNames.FrontProxyClientCert), InDir(PkiFileNames.FrontProxyClientKey), frontProxyCa, PkiFileNames.FrontProxyCaCert);
        var (saKey, saPublicPem) = LoadServiceAccountKeys(InDir(PkiFileNames.ServiceAccountPrivateKey), InDir(PkiFileNames.ServiceAccountPublicKey));
        var clientCa = File.Exists(InDir(PkiFileNames.ClientCaKey)) ? LoadClientCa(certDir) : clusterCa;
        return new ClusterPki(certDir, clusterCa, clientCa, serving, frontProxyCa, frontProxyClient, saKey, saPublicPem);
    }

    /// <summary>kubeadm refuses a leaf that its CA did not sign ("certificate … is not signed by corresponding CA").</summary>
    private static X509Certificate2 LoadLeaf(string certPath, string keyPath, CertificateAuthority ca, string caFileName)
    {
        var leaf = CertificateFiles.LoadPair(certPath, keyPath);
        if (!CertificateFiles.IsSignedBy(leaf, ca.Certificate))
        {
            leaf.Dispose();
            throw new PkiException(certPath, $"is not signed by {caFileName}; delete {Path.GetFileName(certPath)} and {Path.GetFileName(keyPath)} to have a new pair issued by it");
        }
        return leaf;
    }

    private static (RSA Key, string PublicPem) LoadServiceAccountKeys(string privatePath, string publicPath)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(CertificateFiles.ReadText(privatePath));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new PkiException(privatePath, $"is not a PEM RSA private key ({e.Message})", e);
        }
        var publicPem = CertificateFiles.ReadText(publicPath);
        using var publicKey = RSA.Create();
        try
        {
            publicKey.ImportFromPem(publicPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new PkiException(publicPath, $"is not a PEM RSA public key ({e.Message})", e);
        }
        if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new PkiException(publicPath, $"is not the public key of {Path.GetFileName(privatePath)}; restore the right file, or delete both to have a new pair generated");
        }
        return (key, publicPem);
    }

    public void Dispose()
    {
        if (!ReferenceEquals(ClientCa, ClusterCa)) ClientCa.Dispose();
        ClusterCa.Dispose();
        CaCertificate.Dispose();
        ServingCertificate.Dispose();
        FrontProxyCa.Dispose();
        FrontProxyClientCertificate.Dispose();
        ServiceAccountKey.Dispose();
    }
}
