using System.Security.Cryptography;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>The key files of --service-account-key-file and --service-account-signing-key-file, read as client-go's keyutil reads them.</summary>
public sealed class KeyFilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("sa-keys").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AVerificationFileMayHoldPublicAndPrivateKeysAndOtherBlocks()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa2 = RSA.Create(2048);
        var file = Write("keys.pem", string.Join("\n",
            rsa.ExportSubjectPublicKeyInfoPem(),
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----",
            ec.ExportECPrivateKeyPem(),
            rsa2.ExportRSAPrivateKeyPem()));
        var second = Write("more.pem", rsa.ExportRSAPublicKeyPem());

        var keys = ServiceAccountKeyFiles.LoadVerificationKeys([file, second]);

        Assert.Equal([ServiceAccountKey.KeyIdOf(rsa), ServiceAccountKey.KeyIdOf(ec), ServiceAccountKey.KeyIdOf(rsa2), ServiceAccountKey.KeyIdOf(rsa)], keys.Select(k => k.KeyId));
        Assert.Equal(["RS256", "ES256", "RS256", "RS256"], keys.Select(k => k.Algorithm));
    }

    [Fact]
    public void AFileWithoutKeysStopsTheStart()
    {
        var file = Write("none.pem", "not a key\n");
        var e = Assert.Throws<ConfigurationException>(() => ServiceAccountKeyFiles.LoadVerificationKeys([file]));
        Assert.Equal($"--service-account-key-file: failed to parse key file \"{file}\": data does not contain any valid RSA or ECDSA public keys", e.Message);
    }

    [Fact]
    public void TheSigningKeyMustBePrivate()
    {
        using var rsa = RSA.Create(2048);
        var file = Write("sa.pub", rsa.ExportSubjectPublicKeyInfoPem());
        Assert.Throws<ConfigurationException>(() => ServiceAccountKeyFiles.LoadSigningKey(file));
    }

    [Theory]
    [InlineData("nistP256", "ES256")]
    [InlineData("nistP384", "ES384")]
    [InlineData("nistP521", "ES512")]
    public void AnEcdsaSigningKeySignsWithItsCurvesAlgorithm(string curve, string algorithm)
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var key = ServiceAccountKeyFiles.LoadSigningKey(Write("ec.key", ec.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(algorithm, key.Algorithm);

        var token = CompactJws.Sign(key, """{"iss":"kubernetes/serviceaccount"}"""u8.ToArray());
        Assert.Equal($$$"""{"alg":"{{{algorithm}}}","kid":"{{{key.KeyId}}}"}""", TokenWorld.Part(token, 0));
        var verifying = ServiceAccountKeyFiles.LoadVerificationKeys([Write("ec.pub", ec.ExportSubjectPublicKeyInfoPem())]);
        Assert.Null(CompactJws.TryParse(token)!.VerifyWith(verifying[0]));
    }
}
