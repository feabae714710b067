using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Certificates;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Certificates;

/// <summary>Rotating the client CA: only the client-CA files change, the old ones are kept, demo kubeconfigs are re-issued.</summary>
public sealed class ClientCaRotationTests : IDisposable
{
    readonly TempDirectory _dir = new();
    string CertDir => Path.Combine(_dir.Path, "certs");
    string InCerts(string name) => Path.Combine(CertDir, name);

    [Fact]
    public void AFreshPkiHasAClientCaBundleThatIsTheClusterCa()
    {
        using var pki = ClusterPki.LoadOrCreate(CertDir, TimeProvider.System);
        Assert.Equal(File.ReadAllText(InCerts(PkiFileNames.CaCert)), File.ReadAllText(InCerts(PkiFileNames.ClientCaCert)));
        Assert.False(File.Exists(InCerts(PkiFileNames.ClientCaKey)));
        Assert.Same(pki.ClusterCa, pki.ClientCa);
    }

    [Fact]
    public void RotationReplacesOnlyTheClientCaAndKeepsTheOldFiles()
    {
        ClusterPki.LoadOrCreate(CertDir, TimeProvider.System).Dispose();
        var untouched = new[] { PkiFileNames.CaCert, PkiFileNames.CaKey, PkiFileNames.ServingCert, PkiFileNames.ServingKey, PkiFileNames.ServiceAccountPrivateKey }
            .ToDictionary(f => f, f => File.ReadAllText(InCerts(f)));
        var oldBundle = File.ReadAllText(InCerts(PkiFileNames.ClientCaCert));

        var first = ClientCaRotation.Rotate(CertDir, TimeProvider.System);
        var second = ClientCaRotation.Rotate(CertDir, TimeProvider.System);

        foreach (var (file, text) in untouched) Assert.Equal(text, File.ReadAllText(InCerts(file)));
        var (from, to) = Assert.Single(first.Backups); // before the first rotation only the bundle existed (ca.key signed)
        Assert.Equal((InCerts(PkiFileNames.ClientCaCert), oldBundle), (from, File.ReadAllText(to)));
        Assert.Contains(".replaced-", to);
        Assert.Equal(2, second.Backups.Count); // now client-ca.key is replaced too, and kept
        using var pki = ClusterPki.LoadOrCreate(CertDir, TimeProvider.System);
        Assert.NotSame(pki.ClusterCa, pki.ClientCa);
        Assert.Equal(second.NewCaSubject, pki.ClientCa.Certificate.Subject);
        using var user = X509Certificate2.CreateFromPem(pki.IssueUserCertificate("dev", [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)).CertificatePem);
        Assert.Equal(pki.ClientCa.Certificate.Subject, user.Issuer);
    }

    [Fact]
    public void OldCertificatesInKubeconfigsAreIssuedAgainForTheSameIdentity()
    {
        var kubeconfigs = Path.Combine(_dir.Path, "kubeconfigs");
        var now = DateTimeOffset.UtcNow;
        X509Certificate2Collection oldRoots;
        using (var pki = ClusterPki.LoadOrCreate(CertDir, TimeProvider.System))
        {
            oldRoots = [X509CertificateLoader.LoadCertificate(pki.ClientCa.Certificate.RawData)];
            Write(pki, "dev.kubeconfig", pki.IssueUserCertificate("dev", ["engineering", "qa"], now.AddMinutes(-5), now.AddDays(7), uid: "u-1"));
            Write(pki, "gone.kubeconfig", pki.IssueUserCertificate("gone", [], now.AddDays(-3), now.AddDays(-1)));
        }
        ClientCaRotation.Rotate(CertDir, TimeProvider.System);

        using var rotated = ClusterPki.LoadOrCreate(CertDir, TimeProvider.System);
        var report = ClientCaRotationCommand.Reissue(rotated, oldRoots, [kubeconfigs], TimeProvider.System);

        Assert.Equal([$"reissued {Path.Combine(kubeconfigs, "dev.kubeconfig")} for dev", $"left     {Path.Combine(kubeconfigs, "gone.kubeconfig")} (its certificate is not valid now, and stays so)"], report);
        var dev = IssuedFiles.ReadCertificateKubeconfig(Path.Combine(kubeconfigs, "dev.kubeconfig"))!;
        using var certificate = dev.Certificate;
        Assert.Equal(rotated.ClientCa.Certificate.Subject, certificate.Issuer);
        var subject = certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(r => (r.GetSingleElementType().Value, r.GetSingleElementValue())).ToList();
        Assert.Equal([("2.5.4.10", "engineering"), ("2.5.4.10", "qa"), ("2.5.4.3", "dev"), (CertificateAuthority.UidOid, "u-1")], subject);
        Assert.Equal(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5), certificate.NotAfter - certificate.NotBefore);
        Assert.Equal(("https://127.0.0.1:6443", rotated.CaPem), (dev.Server, dev.CaPem));

        void Write(ClusterPki pki, string file, IssuedCertificate issued) =>
            Kubeconfig.Write(Path.Combine(kubeconfigs, file), new KubeconfigSpec("miniapiserver", "https://127.0.0.1:6443", pki.CaPem, "user", new ClientCertificateCredential(issued)));
    }

    public void Dispose() => _dir.Dispose();
}
