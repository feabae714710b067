using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// One service-account key: its kube key ID, the JWS algorithm kube signs with it and its
/// Microsoft.IdentityModel form. kube (pkg/serviceaccount/jwt.go) signs RSA keys with RS256 and ECDSA keys
/// with ES256/ES384/ES512 by curve.
/// </summary>
public sealed class ServiceAccountKey
{
    ServiceAccountKey(AsymmetricAlgorithm key, string algorithm)
    {
        Key = key;
        Algorithm = algorithm;
        KeyId = KeyIdOf(key);
        SecurityKey = key switch
        {
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = KeyId },
            ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = KeyId },
            _ => throw new ArgumentException("not an RSA or ECDSA key", nameof(key)),
        };
    }

    /// <summary>The RSA or ECDSA key (private for the signing key, public or private for verification keys).</summary>
    public AsymmetricAlgorithm Key { get; }

    /// <summary>"RS256", "ES256", "ES384" or "ES512".</summary>
    public string Algorithm { get; }

    /// <summary>kube's keyIDFromPublicKey: base64url (no padding) of SHA-256 over the DER SubjectPublicKeyInfo.</summary>
    public string KeyId { get; }

    public SecurityKey SecurityKey { get; }

    public static string KeyIdOf(AsymmetricAlgorithm key) =>
        Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public static ServiceAccountKey From(AsymmetricAlgorithm key) => new(key, AlgorithmOf(key));

    static string AlgorithmOf(AsymmetricAlgorithm key) => key switch
    {
        RSA => SecurityAlgorithms.RsaSha256,
        ECDsa { KeySize: 256 } => SecurityAlgorithms.EcdsaSha256,
        ECDsa { KeySize: 384 } => SecurityAlgorithms.EcdsaSha384,
        ECDsa { KeySize: 521 } => SecurityAlgorithms.EcdsaSha512,
        ECDsa => throw new ConfigurationException("unknown private key curve, must be 256, 384, or 521"),
        _ => throw new ConfigurationException("unknown key type, must be RSA or ECDSA"),
    };
}

/// <summary>
/// Reading the PEM key files of kube-apiserver's service-account flags (client-go util/keyutil):
/// <c>--service-account-signing-key-file</c> holds one private key; each <c>--service-account-key-file</c> holds
/// any number of public or private RSA/ECDSA keys, other PEM blocks being skipped.
/// </summary>
public static class ServiceAccountKeyFiles
{
    /// <summary>keyutil.PrivateKeyFromFile: the first RSA or ECDSA private key of the file.</summary>
    public static ServiceAccountKey LoadSigningKey(string path)
    {
        var pem = Read(path, "--service-account-signing-key-file");
        foreach (var (label, der) in Blocks(pem))
            if (label.Contains("PRIVATE KEY", StringComparison.Ordinal) && TryImport(label, der) is { } key)
                return ServiceAccountKey.From(key);
        throw new ConfigurationException($"--service-account-signing-key-file: failed to parse service-account-issuer-key-file {path}: data does not contain a valid RSA or ECDSA private key");
    }

    /// <summary>keyutil.PublicKeysFromFile for every file: each key's public half, in file order.</summary>
    public static IReadOnlyList<ServiceAccountKey> LoadVerificationKeys(IEnumerable<string> paths)
    {
        var keys = new List<ServiceAccountKey>();
        foreach (var path in paths)
        {
            var found = 0;
            foreach (var (label, der) in Blocks(Read(path, "--service-account-key-file")))
            {
                if (TryImport(label, der) is not { } key) continue; // kube tolerates non-key blocks (EC PARAMETERS, certificates)
                keys.Add(ServiceAccountKey.From(PublicHalf(key)));
                found++;
            }
            if (found == 0)
                throw new ConfigurationException($"--service-account-key-file: failed to parse key file \"{path}\": data does not contain any valid RSA or ECDSA public keys");
        }
        return keys;
    }

    static string Read(string path, string flag)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{flag}: {e.Message}");
        }
    }

    static IEnumerable<(string Label, byte[] Der)> Blocks(string pem)
    {
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            byte[]? der = null;
            try { der = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString()); }
            catch (FormatException) { }
            if (der is not null) yield return (label, der);
            rest = rest[fields.Location.End..];
        }
    }

    /// <summary>The key of one PEM block, whatever its encoding (PKCS#1, PKCS#8, SEC1, SubjectPublicKeyInfo), or null.</summary>
    static AsymmetricAlgorithm? TryImport(string label, byte[] der)
    {
        AsymmetricAlgorithm? Try(Func<AsymmetricAlgorithm> import)
        {
            try { return import(); }
            catch (CryptographicException) { return null; }
        }
        return label switch
        {
            "RSA PRIVATE KEY" => Try(() => { var r = RSA.Create(); r.ImportRSAPrivateKey(der, out _); return r; }),
            "RSA PUBLIC KEY" => Try(() => { var r = RSA.Create(); r.ImportRSAPublicKey(der, out _); return r; }),
            "EC PRIVATE KEY" => Try(() => { var e = ECDsa.Create(); e.ImportECPrivateKey(der, out _); return e; }),
            "PRIVATE KEY" => Try(() => { var r = RSA.Create(); r.ImportPkcs8PrivateKey(der, out _); return r; })
                ?? Try(() => { var e = ECDsa.Create(); e.ImportPkcs8PrivateKey(der, out _); return e; }),
            "PUBLIC KEY" => Try(() => { var r = RSA.Create(); r.ImportSubjectPublicKeyInfo(der, out _); return r; })
                ?? Try(() => { var e = ECDsa.Create(); e.ImportSubjectPublicKeyInfo(der, out _); return e; }),
            _ => null,
        };
    }

    static AsymmetricAlgorithm PublicHalf(AsymmetricAlgorithm key)
    {
        switch (key)
        {
            case RSA rsa:
                var r = RSA.Create();
                r.ImportParameters(rsa.ExportParameters(false));
                return r;
            case ECDsa ec:
                var e = ECDsa.Create();
                e.ImportParameters(ec.ExportParameters(false));
                return e;
            default:
                throw new ArgumentException("not an RSA or ECDSA key", nameof(key));
        }
    }
}
