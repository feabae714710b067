using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Pki;

namespace MiniApiServer.Tests.Authentication.X509;

/// <summary>Certificate authorities and oddly shaped client certificates for the authenticator's tests.</summary>
internal static class TestPki
{
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public static CertificateAuthority NewRootCa(string name) =>
        CertificateAuthority.CreateSelfSigned(name, new FakeTimeProvider(Now.AddDays(-30))).Ca;

    /// <summary>An intermediate CA signed by <paramref name="parent"/>, valid until <paramref name="notAfter"/>.</summary>
    public static CertificateAuthority NewIntermediateCa(CertificateAuthority parent, string name, DateTimeOffset notAfter, DateTimeOffset? notBefore = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = parent.Sign(request, notBefore ?? Now.AddDays(-10), notAfter);
        return new CertificateAuthority(cert.CopyWithPrivateKey(key));
    }

    /// <summary>A leaf with exactly the subject attributes given (in DER order) and the EKUs given (null: no EKU extension).</summary>
    public static X509Certificate2 Leaf(CertificateAuthority issuer, IEnumerable<(string Oid, string Value)> subject, string[]? ekus,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var name = new X500DistinguishedNameBuilder();
        foreach (var (oid, value) in subject.Reverse()) // the builder encodes the last name added first
        {
            name.Add(oid, value, UniversalTagNumber.UTF8String);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (ekus is not null)
        {
            var oids = new OidCollection();
            foreach (var eku in ekus)
            {
                oids.Add(new Oid(eku));
            }
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        using var cert = issuer.Sign(request, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(1));
        return cert.CopyWithPrivateKey(key);
    }

    public static (string, string) Cn(string value) => ("2.5.4.3", value);
    public static (string, string) O(string value) => ("2.5.4.10", value);
    public static (string, string) Uid(string value) => (CertificateAuthority.UidOid, value);
}
