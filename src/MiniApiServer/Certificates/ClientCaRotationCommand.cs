using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Certificates;

/// <summary>
/// <c>run.sh certs rotate-client-ca</c>: the only revocation Kubernetes has for client certificates. A new client
/// CA replaces <c>client-ca.crt</c>/<c>client-ca.key</c> (the old files kept as backups, see
/// <see cref="ClientCaRotation"/>); a running server reloads the bundle within a second, after which every
/// certificate of the old CA gets 401 while tokens keep working. Then the client certificates of the kubeconfigs
/// in <c>&lt;data-dir&gt;/kubeconfigs</c> and <c>&lt;data-dir&gt;/issued</c> that the old CA signed and that are
/// valid now are issued again by the new CA (same user, groups and UID; same lifetime, from now), and their
/// kubeconfigs rewritten, so the demo identities work again. Everything done is printed.
/// </summary>
public static class ClientCaRotationCommand
{
    public const string Name = "rotate-client-ca";

    public static int Run(IReadOnlyList<string> args, IReadOnlyList<FlagDefinition> flags, TimeProvider time)
    {
        var f = new FlagSet(flags).Parse(args);
        if (f.GetBool("help"))
        {
            Console.WriteLine($"Usage: run.sh certs {Name} [--cert-dir DIR] [--data-dir DIR]\n\n{f.Usage()}");
            return 0;
        }
        var certDir = Path.GetFullPath(f.GetString("cert-dir"));
        var dataDir = Path.GetFullPath(f.GetString("data-dir"));
        var oldRoots = new X509Certificate2Collection();
        var bundle = Path.Combine(certDir, PkiFileNames.ClientCaCert);
        if (File.Exists(bundle)) oldRoots.ImportFromPemFile(bundle);

        var result = ClientCaRotation.Rotate(certDir, time);
        foreach (var (from, to) in result.Backups) Console.WriteLine($"kept     {from} as {to}");
        Console.WriteLine($"new client CA {result.NewCaSubject} (sha256 {result.NewCaSha256})");
        Console.WriteLine($"wrote    {result.KeyPath}");
        Console.WriteLine($"wrote    {result.CertificatePath}  (the default --client-ca-file: a running server reloads it; ca.crt, ca.key and the serving certificate are untouched)");

        using var pki = ClusterPki.LoadOrCreate(certDir, time);
        foreach (var line in Reissue(pki, oldRoots, [Path.Combine(dataDir, "kubeconfigs"), Path.Combine(dataDir, "issued")], time))
            Console.WriteLine(line);
        Console.WriteLine("every client certificate of the old CA now fails (401); bearer tokens are not affected");
        return 0;
    }

    /// <summary>Re-issues the old CA's client certificates found in kubeconfigs under <paramref name="folders"/>; returns what it did, a line each.</summary>
    public static IReadOnlyList<string> Reissue(ClusterPki pki, X509Certificate2Collection oldRoots, IEnumerable<string> folders, TimeProvider time)
    {
        var report = new List<string>();
        var now = time.GetUtcNow();
        foreach (var path in folders.Where(Directory.Exists).SelectMany(d => Directory.GetFiles(d, "*.kubeconfig")).Order(StringComparer.Ordinal))
        {
            var config = IssuedFiles.ReadCertificateKubeconfig(path);
            if (config is null) continue; // token or exec credentials: nothing to do
            using var old = config.Certificate;
            if (!oldRoots.Cast<X509Certificate2>().Any(root => CertificateFiles.IsSignedBy(old, root))) continue;
            var (notBefore, notAfter) = (new DateTimeOffset(old.NotBefore.ToUniversalTime()), new DateTimeOffset(old.NotAfter.ToUniversalTime()));
            if (now < notBefore || now > notAfter)
            {
                report.Add($"left     {path} (its certificate is not valid now, and stays so)");
                continue;
            }
            var subject = CertificateSubject.Parse(old.SubjectName);
            var uid = subject.Attributes.FirstOrDefault(a => a.Oid == CertificateAuthority.UidOid).Value;
            var issued = pki.IssueUserCertificate(subject.CommonName, subject.Organizations, now - CertificateAuthority.Backdate, now - CertificateAuthority.Backdate + (notAfter - notBefore), uid);
            Kubeconfig.Write(path, new KubeconfigSpec(config.ClusterName, config.Server, config.CaPem, config.UserName, new ClientCertificateCredential(issued), config.Namespace));
            report.Add($"reissued {path} for {subject.CommonName}");
            var (crt, key) = (Path.ChangeExtension(path, ".crt"), Path.ChangeExtension(path, ".key"));
            if (File.Exists(crt) && File.Exists(key))
            {
                AtomicFile.WriteAllText(key, issued.PrivateKeyPem, secret: true);
                AtomicFile.WriteAllText(crt, issued.CertificatePem, secret: false);
                report.Add($"reissued {crt} and {Path.GetFileName(key)}");
            }
        }
        return report;
    }
}
