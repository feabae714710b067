using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Hosting;

namespace MiniApiServer.Certificates;

/// <summary>
/// The simulator's client-certificate deny list (<c>--client-cert-deny-list</c>), a clearly labelled extension:
/// Kubernetes itself has no CRL or OCSP check for client certificates, so a leaked one stays valid until it
/// expires or its CA is no longer trusted. One entry a line, <c>#</c> starts a comment:
/// <code>
/// serial:4A3F09…          # the serial number in hex, as `openssl x509 -noout -serial` prints it
/// sha256:9c2e…            # the SHA-256 of the certificate (DER), as `openssl x509 -noout -fingerprint -sha256` prints it
/// </code>
/// Colons and case do not matter. The file is read again when it changes (checked at most once a second), like
/// the client CA bundle (<see cref="ReloadingFile{T}"/>); a file that does not exist yet is an empty list; a bad line keeps the previous list.
/// </summary>
public sealed class CertificateDenyList : IClientCertificateDenyList
{
    readonly ReloadingFile<Entries> _file;

    sealed record Entries(HashSet<string> Serials, HashSet<string> Fingerprints);

    CertificateDenyList(string path, TimeProvider time, ILogger logger) =>
        _file = new ReloadingFile<Entries>(path, ParseOrEmpty(File.Exists(path) ? File.ReadAllText(path) : null, null!),
            ParseOrEmpty, time, logger, "client-certificate deny list");

    /// <summary>A file that does not exist (yet) is an empty list.</summary>
    static Entries ParseOrEmpty(string? text, Entries previous) => text is null ? new Entries([], []) : Parse(text);

    /// <summary>Reads <paramref name="path"/>; a malformed file stops start-up with a line naming it.</summary>
    public static CertificateDenyList FromFile(string path, TimeProvider time, ILogger? logger = null)
    {
        path = Path.GetFullPath(path);
        try
        {
            return new CertificateDenyList(path, time, logger ?? NullLogger.Instance);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"--client-cert-deny-list {path}: {e.Message}");
        }
    }

    public int Count => _file.Current.Serials.Count + _file.Current.Fingerprints.Count;

    public string? DenialReason(X509Certificate2 leaf, ReadOnlySpan<byte> leafSha256)
    {
        var entries = _file.Current;
        var fingerprint = Convert.ToHexStringLower(leafSha256);
        if (entries.Fingerprints.Contains(fingerprint))
            return $"certificate sha256:{fingerprint} is on the simulator's deny list (--client-cert-deny-list; not a Kubernetes feature)";
        var serial = NormalizeSerial(leaf.SerialNumber);
        if (entries.Serials.Contains(serial))
            return $"certificate serial:{serial} is on the simulator's deny list (--client-cert-deny-list; not a Kubernetes feature)";
        return null;
    }

    /// <summary>The line that lists <paramref name="certificate"/> by fingerprint (what <c>certs deny</c> appends).</summary>
    public static string EntryFor(X509Certificate2 certificate) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>Parses the file's text; a bad line is a FormatException naming its number.</summary>
    public static (IReadOnlySet<string> Serials, IReadOnlySet<string> Fingerprints) ParseText(string text)
    {
        var entries = Parse(text);
        return (entries.Serials, entries.Fingerprints);
    }

    static Entries Parse(string text)
    {
        var entries = new Entries(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var colon = line.IndexOf(':');
            var (kind, value) = colon < 0 ? ("", "") : (line[..colon].Trim().ToLowerInvariant(), Hex(line[(colon + 1)..]));
            switch (kind)
            {
                case "sha256" when value.Length == 64:
                    entries.Fingerprints.Add(value);
                    break;
                case "serial" when value.Length > 0:
                    entries.Serials.Add(NormalizeSerial(value));
                    break;
                default:
                    throw new FormatException($"line {i + 1}: {lines[i].Trim()}: expected serial:<hex> or sha256:<64 hex digits>");
            }
        }
        return entries;
    }

    static string Hex(string value)
    {
        var hex = value.Replace(":", "").Trim().ToLowerInvariant();
        return hex.All(Uri.IsHexDigit) ? hex : "";
    }

    /// <summary>Serials compare as numbers: lower-case hex without leading zeros.</summary>
    static string NormalizeSerial(string hex)
    {
        var trimmed = hex.Replace(":", "").ToLowerInvariant().TrimStart('0');
        return trimmed.Length == 0 ? "0" : trimmed;
    }

}
