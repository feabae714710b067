using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Certificates;

/// <summary>
/// <c>spec.request</c>: a PEM "CERTIFICATE REQUEST" (PKCS#10) whose self-signature must verify, as kube's
/// <c>certificates.ParseCSR</c> + <c>CheckSignature</c> demand. RSA and ECDSA requests (what openssl makes) are
/// read; the errors are Go's wording.
/// </summary>
public static class CertificateRequestPem
{
    public const string BlockType = "CERTIFICATE REQUEST";

    /// <summary>The request, with its extensions loaded (the SANs are forwarded by the signer), or Go's error text.</summary>
    public static (CertificateRequest? Request, string? Error) Parse(ReadOnlySpan<byte> pemBytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(pemBytes);
        // Go's pem.Decode takes the first block; kube insists on its type.
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != BlockType)
            return (null, "PEM block type must be CERTIFICATE REQUEST");
        var block = text[fields.Location];
        const CertificateRequestLoadOptions Options = CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions;
        try
        {
            return (CertificateRequest.LoadSigningRequestPem(block, HashAlgorithmName.SHA256, Options), null);
        }
        catch (CryptographicException)
        {
            // Either not a PKCS#10 structure at all, or a good structure with a bad signature: tell them apart.
            try
            {
                var structural = CertificateRequest.LoadSigningRequestPem(block, HashAlgorithmName.SHA256, Options | CertificateRequestLoadOptions.SkipSignatureValidation);
                return (null, structural.PublicKey.Oid.Value == "1.2.840.10045.2.1" ? "x509: ECDSA verification failure" : "crypto/rsa: verification error");
            }
            catch (CryptographicException)
            {
                return (null, "asn1: structure error: the request is not a PKCS#10 certificate request");
            }
        }
    }

    /// <summary>The subject's organizations (O), as Go's <c>pkix.Name.Organization</c> lists them.</summary>
    public static IReadOnlyList<string> Organizations(CertificateRequest request) =>
        request.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .ToList();
}
