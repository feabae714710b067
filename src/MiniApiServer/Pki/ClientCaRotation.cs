using System.Security.Cryptography;

namespace MiniApiServer.Pki;

/// <summary>What a client-CA rotation did, for the command to print.</summary>
public sealed record ClientCaRotationResult(string CertificatePath, string KeyPath, string NewCaSubject, string NewCaSha256, IReadOnlyList<(string From, string To)> Backups);

/// <summary>
/// Replaces the client CA of a certificate directory (<c>client-ca.crt</c>, the default <c>--client-ca-file</c>,
/// and <c>client-ca.key</c>) by a new self-signed CA. Kubernetes has no way to revoke one client certificate:
/// the only way to make a leaked one worthless is to stop trusting the CA that signed it, which fails every
/// certificate that CA ever issued. kube-apiserver reloads <c>--client-ca-file</c> from disk, so the change is
/// live. The cluster CA (<c>ca.crt</c>/<c>ca.key</c>) and the serving certificate it signed are not touched,
/// so clients keep trusting the server and tokens keep working.
/// <para>
/// Nothing is lost silently: the files replaced are first copied to <c>&lt;name&gt;.replaced-&lt;UTC time&gt;</c>.
/// </para>
/// </summary>
public static class ClientCaRotation
{
    public const string BackupInfix = ".replaced-";

    public static ClientCaRotationResult Rotate(string certDir, TimeProvider time)
    {
        certDir = Path.GetFullPath(certDir);
        // Makes sure the directory is a complete PKI (and that client-ca.crt exists) before anything is replaced.
        ClusterPki.LoadOrCreate(certDir, time).Dispose();
        using (PkiDirectoryLock.Acquire(certDir))
        {
            var now = time.GetUtcNow();
            var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var certPath = Path.Combine(certDir, PkiFileNames.ClientCaCert);
            var keyPath = Path.Combine(certDir, PkiFileNames.ClientCaKey);
            var backups = new List<(string, string)>();
            foreach (var path in new[] { certPath, keyPath })
            {
                if (!File.Exists(path)) continue; // before the first rotation the key is ca.key, which stays
                var backup = FreeBackupName(path, stamp);
                File.Copy(path, backup, overwrite: false);
                if (!OperatingSystem.IsWindows() && path == keyPath)
                    File.SetUnixFileMode(backup, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                backups.Add((path, backup));
            }

            var (ca, keyPem) = CertificateAuthority.CreateSelfSigned($"client-ca-{stamp}", time);
            using (ca)
            {
                // The key lands first: a reader that sees the new certificate finds its key already there.
                AtomicFile.WriteAllText(keyPath, keyPem, secret: true);
                AtomicFile.WriteAllText(certPath, ca.CertificatePem, secret: false);
                var fingerprint = Convert.ToHexStringLower(SHA256.HashData(ca.Certificate.RawData));
                return new ClientCaRotationResult(certPath, keyPath, ca.Certificate.Subject, fingerprint, backups);
            }
        }
    }

    /// <summary><c>client-ca.crt.replaced-20250101T120000Z</c>, with a counter when two rotations share a second.</summary>
    private static string FreeBackupName(string path, string stamp)
    {
        var candidate = path + BackupInfix + stamp;
        for (var n = 2; File.Exists(candidate); n++) candidate = $"{path}{BackupInfix}{stamp}-{n}";
        return candidate;
    }
}
