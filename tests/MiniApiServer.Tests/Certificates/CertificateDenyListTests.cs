using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Certificates;
using MiniApiServer.Hosting;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Certificates;

/// <summary>The simulator's deny list file: what a line may say, and how a certificate is matched.</summary>
public sealed class CertificateDenyListTests : IDisposable
{
    static readonly MiniApiServer.Pki.CertificateAuthority Ca = MiniApiServer.Pki.CertificateAuthority.CreateSelfSigned("test-ca", TimeProvider.System).Ca;
    readonly TempDirectory _dir = new();

    public static TheoryData<string, Func<X509Certificate2, string>, bool> Lines => new()
    {
        { "its fingerprint", c => CertificateDenyList.EntryFor(c), true },
        { "its fingerprint as openssl prints it", c => "sha256:" + string.Join(':', SHA256.HashData(c.RawData).Select(b => b.ToString("X2"))), true },
        { "its serial", c => "serial:" + c.SerialNumber, true },
        { "its serial with leading zeros and colons", c => "serial:00:" + string.Join(':', Convert.FromHexString(c.SerialNumber).Select(b => b.ToString("x2"))), true },
        { "another certificate's fingerprint", _ => "sha256:" + new string('0', 64), false },
        { "a comment only", c => "# " + CertificateDenyList.EntryFor(c), false },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void ACertificateIsDeniedByItsFingerprintOrSerial(string why, Func<X509Certificate2, string> line, bool denied)
    {
        using var certificate = X509Certificate2.CreateFromPem(Ca.IssueClientCertificate("leaked", [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)).CertificatePem);
        var path = _dir.File("deny.txt");
        File.WriteAllText(path, line(certificate) + "\n");
        var list = CertificateDenyList.FromFile(path, TimeProvider.System);
        Assert.True(denied == list.DenialReason(certificate, SHA256.HashData(certificate.RawData)) is not null, why);
    }

    [Theory]
    [InlineData("sha256:abc", "line 1: sha256:abc: expected serial:<hex> or sha256:<64 hex digits>")]
    [InlineData("CN=leaked", "line 1: CN=leaked: expected serial:<hex> or sha256:<64 hex digits>")]
    [InlineData("serial:xyz", "line 1: serial:xyz: expected serial:<hex> or sha256:<64 hex digits>")]
    public void AMalformedFileStopsTheStart(string text, string message)
    {
        var path = _dir.File("deny.txt");
        File.WriteAllText(path, text);
        Assert.Equal($"--client-cert-deny-list {path}: {message}", Assert.Throws<ConfigurationException>(() => CertificateDenyList.FromFile(path, TimeProvider.System)).Message);
    }

    [Fact]
    public void AFileThatDoesNotExistYetIsAnEmptyList() =>
        Assert.Equal(0, CertificateDenyList.FromFile(_dir.File("later.txt"), TimeProvider.System).Count);

    public void Dispose() => _dir.Dispose();
}
