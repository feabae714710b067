using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Certificates;

/// <summary>certificates/v1 usages as X.509 extensions (kube's keyUsageDict and extKeyUsageDict).</summary>
public static class KeyUsages
{
    static readonly Dictionary<string, X509KeyUsageFlags> KeyUsage = new(StringComparer.Ordinal)
    {
        ["signing"] = X509KeyUsageFlags.DigitalSignature,
        ["digital signature"] = X509KeyUsageFlags.DigitalSignature,
        ["content commitment"] = X509KeyUsageFlags.NonRepudiation,
        ["key encipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["key agreement"] = X509KeyUsageFlags.KeyAgreement,
        ["data encipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["cert sign"] = X509KeyUsageFlags.KeyCertSign,
        ["crl sign"] = X509KeyUsageFlags.CrlSign,
        ["encipher only"] = X509KeyUsageFlags.EncipherOnly,
        ["decipher only"] = X509KeyUsageFlags.DecipherOnly,
    };

    /// <summary>Extended key usages, in Go's ExtKeyUsage order (the signer sorts them so).</summary>
    static readonly (string Usage, string Oid)[] ExtendedKeyUsage =
    [
        ("any", "2.5.29.37.0"),
        ("server auth", "1.3.6.1.5.5.7.3.1"),
        ("client auth", "1.3.6.1.5.5.7.3.2"),
        ("code signing", "1.3.6.1.5.5.7.3.3"),
        ("email protection", "1.3.6.1.5.5.7.3.4"),
        ("s/mime", "1.3.6.1.5.5.7.3.4"),
        ("ipsec end system", "1.3.6.1.5.5.7.3.5"),
        ("ipsec tunnel", "1.3.6.1.5.5.7.3.6"),
        ("ipsec user", "1.3.6.1.5.5.7.3.7"),
        ("timestamping", "1.3.6.1.5.5.7.3.8"),
        ("ocsp signing", "1.3.6.1.5.5.7.3.9"),
        ("microsoft sgc", "1.3.6.1.4.1.311.10.3.3"),
        ("netscape sgc", "2.16.840.1.113730.4.1"),
    ];

    /// <summary>The key usage bits and the distinct extended key usage OIDs of <paramref name="usages"/>.</summary>
    public static (X509KeyUsageFlags KeyUsage, IReadOnlyList<string> ExtendedKeyUsages) From(IEnumerable<string> usages)
    {
        var set = usages.ToHashSet(StringComparer.Ordinal);
        var flags = set.Where(KeyUsage.ContainsKey).Aggregate(X509KeyUsageFlags.None, (all, u) => all | KeyUsage[u]);
        var ekus = ExtendedKeyUsage.Where(e => set.Contains(e.Usage)).Select(e => e.Oid).Distinct().ToList();
        return (flags, ekus);
    }
}
