using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Pki;

/// <summary>
/// A CA certificate with its private key, and the certificates it issues.
/// <para>
/// Key algorithm: every key this class generates is ECDSA P-256 with SHA-256 signatures. kubeadm's default is
/// RSA 2048, but it offers ECDSA-P256 (<c>encryptionAlgorithm</c>), Go's TLS and client-go accept both, and a
/// P-256 signature in each TLS handshake costs the server roughly a tenth of an RSA-2048 private-key operation.
/// Existing RSA CAs (say, a kubeadm <c>ca.key</c> copied in) still sign: the signer follows the CA's key.
/// </para>
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>kubeadm's CA lifetime (<c>CACertificateValidityPeriod</c>): ten years.</summary>
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(365 * 10);

    /// <summary>kubeadm's leaf lifetime (<c>CertificateValidityPeriod</c>): one year.</summary>
    public static readonly TimeSpan LeafValidity = TimeSpan.FromDays(365);

    /// <summary>kubeadm back-dates NotBefore by five minutes (<c>CertificateBackdate</c>) to absorb clock skew.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>LDAP "UID" (RFC 4519), read by kube-apiserver as the user's UID since 1.33 (AllowParsingUserUIDFromCertAuth).</summary>
    public const string UidOid = "0.9.2342.19200300.100.1.1";

    internal const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    internal const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public CertificateAuthority(X509Certificate2 certificateWithKey)
    {
        if (!certificateWithKey.HasPrivateKey)
        {
            throw new ArgumentException("a CA needs its private key to sign", nameof(certificateWithKey));
        }
        Certificate = certificateWithKey;
        CertificatePem = certificateWithKey.ExportCertificatePem();
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what goes in <c>ca.crt</c>, client CA bundles and kubeconfigs.</summary>
    public string CertificatePem { get; }

    /// <summary>A new self-signed CA (CN = <paramref name="commonName"/>), valid ten years from now, and its key as PEM.</summary>
    public static (CertificateAuthority Ca, string PrivateKeyPem) CreateSelfSigned(string commonName, TimeProvider time)
    {
        using var key = NewKey();
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        // kubeadm's CA: CA:TRUE (critical), keyCertSign + digitalSignature + keyEncipherment (critical), a SKID.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now - Backdate, now + CaValidity, NewSerialNumber());
        var withKey = CertificateFiles.UsableForTls(certificate.CopyWithPrivateKey(key));
        certificate.Dispose();
        return (new CertificateAuthority(withKey), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// A client certificate as kube-apiserver's x509 authenticator reads it: CN = user name, one O per group
    /// (in order), an optional UID attribute, EKU clientAuth. <paramref name="notBefore"/>/<paramref name="notAfter"/>
    /// are used as given (not checked against the CA's own validity), so tests can make expired or future ones.
    /// </summary>
    public IssuedCertificate IssueClientCertificate(string user, IReadOnlyList<string> groups, DateTimeOffset notBefore, DateTimeOffset notAfter, string? uid = null)
    {
        // DER order as Go's pkix.Name writes it (O…, CN, then extra names such as UID); kube reads the groups
        // in that order. X500DistinguishedNameBuilder encodes the last name added first, hence the reversal.
        var subject = new X500DistinguishedNameBuilder();
        if (uid is not null)
        {
            subject.Add(UidOid, uid, UniversalTagNumber.UTF8String);
        }
        subject.AddCommonName(user);
        foreach (var group in groups.Reverse())
        {
            subject.AddOrganizationName(group);
        }
        return IssueLeaf(subject.Build(), ClientAuthOid, sans: null, notBefore, notAfter);
    }

    /// <summary>A serving certificate: CN, the DNS and IP SANs, EKU serverAuth.</summary>
    public IssuedCertificate IssueServingCertificate(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            sans.AddDnsName(name);
        }
        foreach (var address in ipAddresses.Distinct())
        {
            sans.AddIpAddress(address);
        }
        return IssueLeaf(new X500DistinguishedName($"CN={commonName}"), ServerAuthOid, sans, notBefore, notAfter);
    }

    /// <summary>
    /// Signs a prepared request (its subject, public key and extensions as they are) with this CA, adding the
    /// authority key identifier and a random serial. Returns the certificate without a private key.
    /// </summary>
    public X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var ecdsa = Certificate.GetECDsaPrivateKey();
        using var rsa = ecdsa is null ? Certificate.GetRSAPrivateKey() : null;
        var generator = ecdsa is not null
            ? X509SignatureGenerator.CreateForECDsa(ecdsa)
            : X509SignatureGenerator.CreateForRSA(rsa ?? throw new NotSupportedException($"CA key algorithm {Certificate.PublicKey.Oid.FriendlyName} cannot sign"), RSASignaturePadding.Pkcs1);
        return request.Create(Certificate.SubjectName, generator, notBefore, notAfter, NewSerialNumber());
    }

    private IssuedCertificate IssueLeaf(X500DistinguishedName subject, string extendedKeyUsage, SubjectAlternativeNameBuilder? sans, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = NewKey();
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // ECDSA keys sign; they never encipher keys, so digitalSignature is the one usage that applies.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (sans is not null)
        {
            request.CertificateExtensions.Add(sans.Build());
        }
        using var certificate = Sign(request, notBefore, notAfter);
        return new IssuedCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    internal static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A random positive 127-bit serial, as Go's crypto/x509 users (kubeadm, client-go certutil) draw them.</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01 << 6); // positive, and no leading zero byte
        return serial;
    }

    public void Dispose() => Certificate.Dispose();
}
