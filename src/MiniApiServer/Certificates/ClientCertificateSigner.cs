using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Pki;

namespace MiniApiServer.Certificates;

/// <summary>
/// kube-controller-manager's local CA signer (<c>pkg/controller/certificates/signer</c> and <c>authority</c>)
/// for the client CA of a certificate directory. Like kube's dynamic CA provider it reads the CA files again
/// whenever they change on disk, so a client-CA rotation takes effect without a restart.
/// <list type="bullet">
/// <item>Lifetime: <c>spec.expirationSeconds</c> when given, at most the cluster signing duration (one year,
/// <c>--cluster-signing-duration</c>'s default) and at least ten minutes.</item>
/// <item>NotBefore is back-dated five minutes; NotAfter is back-dated too unless the certificate is short-lived
/// (under eight hours), and never later than the CA's own NotAfter.</item>
/// <item>The subject and SANs come from the request; every other requested extension is dropped; the usages
/// become key usage and extended key usage; basic constraints say "not a CA".</item>
/// </list>
/// </summary>
public sealed class ClientCertificateSigner(string certDir, TimeProvider time)
{
    public static readonly TimeSpan ClusterSigningDuration = TimeSpan.FromDays(365);
    static readonly TimeSpan MinimumDuration = TimeSpan.FromMinutes(10);
    static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);
    static readonly TimeSpan Short = TimeSpan.FromHours(8);
    const string SubjectAlternativeNameOid = "2.5.29.17";

    readonly Lock _lock = new();
    CertificateAuthority? _ca;
    string _stamp = "";

    /// <summary>kube's signer.duration: what a request's expirationSeconds turns into.</summary>
    public static TimeSpan Duration(long? expirationSeconds)
    {
        if (expirationSeconds is not { } seconds) return ClusterSigningDuration;
        var requested = TimeSpan.FromSeconds(seconds);
        return requested > ClusterSigningDuration ? ClusterSigningDuration : requested < MinimumDuration ? MinimumDuration : requested;
    }

    /// <summary>Signs <paramref name="request"/> (already verified) as a PEM certificate.</summary>
    public string Sign(CertificateRequest request, IReadOnlyList<string> usages, long? expirationSeconds)
    {
        lock (_lock)
        {
            var ca = Current();
            var now = time.GetUtcNow();
            var ttl = Duration(expirationSeconds);
            var notBefore = now - Backdate;
            var notAfter = ttl < Short ? now + ttl : now + ttl - Backdate;
            var caNotAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime());
            if (notAfter >= caNotAfter) notAfter = caNotAfter;
            if (now >= caNotAfter) throw new InvalidOperationException($"refusing to sign a certificate that expired in the past: NotAfter={caNotAfter:O}");

            var template = new CertificateRequest(request.SubjectName, request.PublicKey, HashAlgorithmName.SHA256);
            template.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            var (keyUsage, extendedKeyUsages) = KeyUsages.From(usages);
            if (keyUsage != X509KeyUsageFlags.None) template.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
            if (extendedKeyUsages.Count > 0)
            {
                var oids = new OidCollection();
                foreach (var oid in extendedKeyUsages) oids.Add(new Oid(oid));
                template.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
            }
            foreach (var extension in request.CertificateExtensions)
                if (extension.Oid?.Value == SubjectAlternativeNameOid) template.CertificateExtensions.Add(extension);
            using var certificate = ca.Sign(template, notBefore, notAfter);
            return certificate.ExportCertificatePem() + "\n";
        }
    }

    /// <summary>The client CA as its files are now, loaded again when they changed since the last signature.</summary>
    CertificateAuthority Current()
    {
        var stamp = string.Join("|", new[] { PkiFileNames.ClientCaCert, PkiFileNames.ClientCaKey, PkiFileNames.CaCert, PkiFileNames.CaKey }
            .Select(name => new FileInfo(Path.Combine(certDir, name)))
            .Select(f => f.Exists ? $"{f.LastWriteTimeUtc.Ticks}:{f.Length}" : "-"));
        if (_ca is null || stamp != _stamp)
        {
            var fresh = ClusterPki.LoadClientCa(certDir);
            _ca?.Dispose();
            (_ca, _stamp) = (fresh, stamp);
        }
        return _ca;
    }
}
