using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Pki;

namespace MiniApiServer.Tests.Pki;

/// <summary>One generated certificate directory, copied by the tests that start from an existing PKI.</summary>
public sealed class GeneratedPkiTemplate : IDisposable
{
    private readonly TempDirectory _dir = new();

    public GeneratedPkiTemplate()
    {
        using var _ = ClusterPki.LoadOrCreate(_dir.Path, new FakeTimeProvider(ClusterPkiTests.Now));
    }

    public void CopyTo(string directory)
    {
        foreach (var file in Directory.GetFiles(_dir.Path))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class ClusterPkiTests(GeneratedPkiTemplate template) : IDisposable, IClassFixture<GeneratedPkiTemplate>
{
    internal static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Files =
    [
        "ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "front-proxy-ca.crt", "front-proxy-ca.key",
        "front-proxy-client.crt", "front-proxy-client.key", "sa.key", "sa.pub",
    ];

    public static TheoryData<string> AllFiles => new(Files);

    [Fact]
    public void FirstStartCreatesEveryKubeadmFileAsPemWithPrivateKeysOwnerOnly()
    {
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        foreach (var file in Files)
        {
            var text = File.ReadAllText(_dir.File(file));
            Assert.StartsWith("-----BEGIN ", text);
            if (!OperatingSystem.IsWindows())
            {
                var expected = file.EndsWith(".key")
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                Assert.Equal((file, expected), (file, File.GetUnixFileMode(_dir.File(file))));
            }
        }
    }

    [Fact]
    public void ClusterCaIsSelfSignedCaValidTenYearsFromTheInjectedClock()
    {
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        var ca = pki.CaCertificate;
        Assert.Equal("CN=kubernetes", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(Now - TimeSpan.FromMinutes(5), new DateTimeOffset(ca.NotBefore.ToUniversalTime()));
        Assert.Equal(Now + TimeSpan.FromDays(3650), new DateTimeOffset(ca.NotAfter.ToUniversalTime()));
        Assert.False(ca.HasPrivateKey);
        Assert.True(pki.ClusterCa.Certificate.HasPrivateKey);
        Assert.Equal(ca.ExportCertificatePem(), pki.CaPem.Trim());
    }

    [Fact]
    public void ServingCertificateNamesEveryApiserverAddressWithServerAuthSignedByTheClusterCa()
    {
        template.CopyTo(_dir.Path);
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        var serving = pki.ServingCertificate;
        Assert.True(serving.HasPrivateKey);
        Assert.Equal("CN=kube-apiserver", serving.Subject);
        Assert.Equal(pki.CaCertificate.Subject, serving.Issuer);
        Assert.Equal(Now + TimeSpan.FromDays(365), new DateTimeOffset(serving.NotAfter.ToUniversalTime()));
        Assert.Equal([ServerAuth], Ekus(serving));

        var sans = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var dnsNames = sans.EnumerateDnsNames().ToList();
        foreach (var name in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", Dns.GetHostName() })
        {
            Assert.Contains(name, dnsNames, StringComparer.OrdinalIgnoreCase);
        }
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], sans.EnumerateIPAddresses());
        Assert.True(VerifiesAgainst(serving, pki.CaCertificate));
    }

    [Fact]
    public void FrontProxyClientHasClientAuthAndIsSignedByTheFrontProxyCaOnly()
    {
        template.CopyTo(_dir.Path);
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        var client = pki.FrontProxyClientCertificate;
        Assert.True(client.HasPrivateKey);
        Assert.Equal("CN=front-proxy-client", client.Subject);
        Assert.Equal("CN=front-proxy-ca", pki.FrontProxyCa.Certificate.Subject);
        Assert.Equal([ClientAuth], Ekus(client));
        Assert.True(VerifiesAgainst(client, pki.FrontProxyCa.Certificate));
        Assert.False(VerifiesAgainst(client, pki.CaCertificate));
    }

    [Fact]
    public void ServiceAccountKeyIsRsa2048WithMatchingPublicKeyFile()
    {
        template.CopyTo(_dir.Path);
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        Assert.Equal(2048, pki.ServiceAccountKey.KeySize);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(_dir.File("sa.key")));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pki.ServiceAccountPublicKeyPem);
        using var fromPub = RSA.Create();
        fromPub.ImportFromPem(File.ReadAllText(_dir.File("sa.pub")));
        var data = "payload"u8.ToArray();
        var signature = pki.ServiceAccountKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(fromPub.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void ExistingFilesAreNeverOverwritten()
    {
        string[] before;
        using (ClusterPki.LoadOrCreate(_dir.Path, _time))
        {
            before = Directory.GetFiles(_dir.Path, "*.*").Order().Select(File.ReadAllText).ToArray();
        }
        _time.Advance(TimeSpan.FromDays(30));

        using var again = ClusterPki.LoadOrCreate(_dir.Path, _time);

        Assert.Equal(before, Directory.GetFiles(_dir.Path, "*.*").Order().Select(File.ReadAllText).ToArray());
    }

    [Fact]
    public void OnlyMissingPairsAreGenerated()
    {
        string caBefore;
        using (ClusterPki.LoadOrCreate(_dir.Path, _time))
        {
            caBefore = File.ReadAllText(_dir.File("ca.crt"));
        }
        File.Delete(_dir.File("apiserver.crt"));
        File.Delete(_dir.File("apiserver.key"));

        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        Assert.Equal(caBefore, File.ReadAllText(_dir.File("ca.crt")));
        Assert.True(VerifiesAgainst(pki.ServingCertificate, pki.CaCertificate));
    }

    [Fact]
    public async Task ConcurrentStartsOnOneDirectoryAgree()
    {
        var start = new Barrier(4);
        var starts = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);
            return (Ca: pki.CaPem, Serving: pki.ServingCertificate.Thumbprint, Sa: pki.ServiceAccountPublicKeyPem);
        })).ToArray();

        var results = await Task.WhenAll(starts);

        Assert.Single(results.Distinct());
        Assert.Equal(File.ReadAllText(_dir.File("ca.crt")), results[0].Ca);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void HalfAPairStopsStartupNamingTheMissingFile(string file)
    {
        template.CopyTo(_dir.Path);
        File.Delete(_dir.File(file));

        var error = Assert.Throws<PkiException>(() => ClusterPki.LoadOrCreate(_dir.Path, _time));

        Assert.Equal(_dir.File(file), error.FilePath);
        Assert.StartsWith(_dir.File(file) + ": missing", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("ca.key")]
    [InlineData("apiserver.key")]
    [InlineData("front-proxy-ca.key")]
    [InlineData("front-proxy-client.key")]
    public void KeyOfAnotherPairStopsStartupNamingTheKey(string key)
    {
        template.CopyTo(_dir.Path);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_dir.File(key), stranger.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<PkiException>(() => ClusterPki.LoadOrCreate(_dir.Path, _time));

        Assert.Equal(_dir.File(key), error.FilePath);
        Assert.Contains("is not the private key of", error.Message);
    }

    [Fact]
    public void ServiceAccountPublicKeyOfAnotherPairStopsStartup()
    {
        template.CopyTo(_dir.Path);
        using var stranger = RSA.Create(2048);
        File.WriteAllText(_dir.File("sa.pub"), stranger.ExportSubjectPublicKeyInfoPem());

        var error = Assert.Throws<PkiException>(() => ClusterPki.LoadOrCreate(_dir.Path, _time));

        Assert.Equal(_dir.File("sa.pub"), error.FilePath);
    }

    [Fact]
    public void LeafNotSignedByANewlyGeneratedCaStopsStartup()
    {
        template.CopyTo(_dir.Path);
        File.Delete(_dir.File("ca.crt"));
        File.Delete(_dir.File("ca.key"));

        var error = Assert.Throws<PkiException>(() => ClusterPki.LoadOrCreate(_dir.Path, _time));

        Assert.Equal(_dir.File("apiserver.crt"), error.FilePath);
        Assert.Contains("is not signed by ca.crt", error.Message);
    }

    [Fact]
    public void IssuedClientCertificateCarriesUserGroupsInOrderUidAndClientAuth()
    {
        template.CopyTo(_dir.Path);
        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        var issued = pki.IssueClientCertificate("alice", ["dev", "ops", "system:masters"], Now.AddDays(-1), Now.AddDays(2), uid: "u-123");
        using var cert = issued.ToCertificateWithKey();

        Assert.True(cert.HasPrivateKey);
        Assert.Equal("alice", cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        // In DER order (not .NET's display order): the order Go, and so kube, reads the groups in.
        var attributes = cert.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false)
            .Select(rdn => (rdn.GetSingleElementType().Value, rdn.GetSingleElementValue())).ToList();
        Assert.Equal(
            [("2.5.4.10", "dev"), ("2.5.4.10", "ops"), ("2.5.4.10", "system:masters"), ("2.5.4.3", "alice"), ("0.9.2342.19200300.100.1.1", "u-123")],
            attributes);
        Assert.Equal([ClientAuth], Ekus(cert));
        Assert.Equal(Now.AddDays(2), new DateTimeOffset(cert.NotAfter.ToUniversalTime()));
        Assert.Equal(Now.AddDays(-1), new DateTimeOffset(cert.NotBefore.ToUniversalTime()));
        Assert.True(VerifiesAgainst(cert, pki.CaCertificate));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", issued.PrivateKeyPem);
    }

    [Fact]
    public void ExistingRsaCaFromKubeadmStillSigns()
    {
        // kubeadm's default CA key is RSA 2048 in PKCS#1 PEM: a cert dir copied from kubeadm must work.
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubernetes", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(10));
        File.WriteAllText(_dir.File("ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(_dir.File("ca.key"), rsa.ExportRSAPrivateKeyPem());

        using var pki = ClusterPki.LoadOrCreate(_dir.Path, _time);

        Assert.NotNull(pki.CaCertificate.GetRSAPublicKey());
        Assert.True(VerifiesAgainst(pki.ServingCertificate, pki.CaCertificate));
    }

    private static string[] Ekus(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).ToArray();

    private bool VerifiesAgainst(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        return chain.Build(leaf);
    }
}
