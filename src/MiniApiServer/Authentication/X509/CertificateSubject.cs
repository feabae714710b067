using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiniApiServer.Authentication.X509;

/// <summary>
/// A certificate subject read the way Go's <c>pkix.Name.FillFromRDNSequence</c> reads it: every attribute of
/// every RDN in DER order; CommonName is the last CN; Organization is every O in order; <see cref="Attributes"/>
/// keeps them all (Go's <c>Names</c>), string-valued or not.
/// </summary>
internal sealed record CertificateSubject(string CommonName, IReadOnlyList<string> Organizations, IReadOnlyList<(string Oid, string? Value)> Attributes)
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    public static CertificateSubject Parse(X500DistinguishedName name)
    {
        var attributes = new List<(string Oid, string? Value)>();
        try
        {
            var rdns = new AsnReader(name.RawData, AsnEncodingRules.DER).ReadSequence();
            while (rdns.HasData)
            {
                var set = rdns.ReadSetOf();
                while (set.HasData)
                {
                    var attribute = set.ReadSequence();
                    var oid = attribute.ReadObjectIdentifier();
                    attributes.Add((oid, ReadString(attribute)));
                }
            }
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("malformed certificate subject", e);
        }
        var commonName = attributes.LastOrDefault(a => a.Oid == CommonNameOid && a.Value is not null).Value ?? "";
        var organizations = attributes.Where(a => a.Oid == OrganizationOid && a.Value is not null).Select(a => a.Value!).ToArray();
        return new CertificateSubject(commonName, organizations, attributes);
    }

    /// <summary>The ASN.1 string types Go's parser accepts; null for any other value.</summary>
    private static string? ReadString(AsnReader attribute)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            attribute.ReadEncodedValue();
            return null;
        }
        switch ((UniversalTagNumber)tag.TagValue)
        {
            case UniversalTagNumber.UTF8String:
            case UniversalTagNumber.PrintableString:
            case UniversalTagNumber.IA5String:
            case UniversalTagNumber.NumericString:
            case UniversalTagNumber.BMPString:
            case UniversalTagNumber.VisibleString:
                return attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            case UniversalTagNumber.T61String:
                // Go reads T61String bytes as ISO-8859-1.
                return Encoding.Latin1.GetString(attribute.ReadOctetString(new Asn1Tag(UniversalTagNumber.T61String)));
            default:
                attribute.ReadEncodedValue();
                return null;
        }
    }
}
