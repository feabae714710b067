using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Pki;

/// <summary>Reading PEM certificate/key pairs and checking that they belong together.</summary>
internal static class CertificateFiles
{
    /// <summary>
    /// Loads <paramref name="certPath"/> with the key in <paramref name="keyPath"/> (PKCS#8, PKCS#1 or SEC1
    /// PEM, as kubeadm or openssl write them). A key that is not the certificate's is a <see cref="PkiException"/>.
    /// </summary>
    public static X509Certificate2 LoadPair(string certPath, string keyPath)
    {
        var certPem = ReadText(certPath);
        var keyPem = ReadText(keyPath);
        X509Certificate2 publicOnly;
        try
        {
            publicOnly = X509Certificate2.CreateFromPem(certPem);
        }
        catch (CryptographicException e)
        {
            throw new PkiException(certPath, $"not a PEM certificate ({e.Message})", e);
        }
        using (publicOnly)
        {
            try
            {
                // CreateFromPem picks the key type from the certificate and refuses a key of another pair.
                return UsableForTls(X509Certificate2.CreateFromPem(certPem, keyPem));
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new PkiException(keyPath, $"is not the private key of {Path.GetFileName(certPath)} (subject {publicOnly.Subject}); restore the right key, or delete both files to have a new pair generated", e);
            }
        }
    }

    /// <summary>True when <paramref name="leaf"/> carries a valid signature of <paramref name="issuer"/> (validity dates not considered).</summary>
    public static bool IsSignedBy(X509Certificate2 leaf, X509Certificate2 issuer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        return chain.Build(leaf)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(issuer.RawDataMemory.Span);
    }

    /// <summary>
    /// A certificate whose private key SslStream can use on every platform: on Windows, SChannel cannot use
    /// the ephemeral key that CopyWithPrivateKey/CreateFromPem attach, so the pair goes through PKCS#12 once.
    /// OpenSSL (Linux, macOS) uses the key as it is.
    /// </summary>
    public static X509Certificate2 UsableForTls(X509Certificate2 withKey)
    {
        if (!OperatingSystem.IsWindows())
        {
            return withKey;
        }
        using (withKey)
        {
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PkiException(path, $"cannot be read ({e.Message})", e);
        }
    }
}
