using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo.OidcIssuer;

/// <summary>An RSA signing key of the issuer; <see cref="RetiredAt"/> is set once a newer key replaced it.</summary>
public sealed record SigningKey(string KeyId, RSA Rsa, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    public RsaSecurityKey SecurityKey => new(Rsa) { KeyId = KeyId };
}

/// <summary>
/// The issuer's signing keys, kept in <c>&lt;data-dir&gt;/demo/oidc/signing-keys.json</c> (mode 0600) so
/// ID tokens stay valid across restarts. Rotation makes a new key current and keeps the old one published
/// in the JWKS for a grace period, as real providers do: kube-apiserver (go-oidc) re-fetches the JWKS when
/// it meets an unknown <c>kid</c>, and tokens signed by the old key keep verifying until they expire.
/// </summary>
public sealed class SigningKeyStore
{
    public const string FileName = "signing-keys.json";

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly object _gate = new();
    private List<SigningKey> _keys;

    private SigningKeyStore(string path, TimeProvider time, TimeSpan grace, List<SigningKey> keys)
    {
        _path = path;
        _time = time;
        _grace = grace;
        _keys = keys;
    }

    /// <summary>Loads the keys in <paramref name="directory"/>, generating (and saving) a first one when there is none.</summary>
    public static SigningKeyStore LoadOrCreate(string directory, TimeProvider time, TimeSpan grace)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        List<SigningKey> keys;
        try
        {
            keys = File.Exists(path) ? Read(path) : [];
        }
        catch (Exception e) when (e is JsonException or CryptographicException or ArgumentException or InvalidDataException or IOException)
        {
            throw new Hosting.ConfigurationException($"{path}: unreadable signing keys ({e.Message}); delete the file to have new keys generated (tokens issued earlier then stop verifying)");
        }
        var store = new SigningKeyStore(path, time, grace, keys);
        if (keys.All(k => k.RetiredAt is not null))
            store.Rotate();
        return store;
    }

    /// <summary>The key that signs new tokens.</summary>
    public SigningKey Current
    {
        get
        {
            lock (_gate) return _keys.Last(k => k.RetiredAt is null);
        }
    }

    /// <summary>The keys in the JWKS now: the current one and those retired less than the grace period ago.</summary>
    public IReadOnlyList<SigningKey> Published()
    {
        var now = _time.GetUtcNow();
        lock (_gate) return _keys.Where(k => k.RetiredAt is null || now - k.RetiredAt.Value < _grace).ToList();
    }

    /// <summary>Makes a fresh RSA-2048 key current, retires the previous one, drops keys past their grace, and saves.</summary>
    public SigningKey Rotate()
    {
        var now = _time.GetUtcNow();
        var rsa = RSA.Create(2048);
        var fresh = new SigningKey(KeyIdOf(rsa), rsa, now, null);
        lock (_gate)
        {
            var kept = _keys
                .Select(k => k.RetiredAt is null ? k with { RetiredAt = now } : k)
                .Where(k => now - k.RetiredAt!.Value < _grace)
                .Append(fresh)
                .ToList();
            Write(_path, kept);
            _keys = kept;
        }
        return fresh;
    }

    /// <summary>RFC 7638 JWK thumbprint (SHA-256 of the canonical public key), base64url: stable and unique per key.</summary>
    private static string KeyIdOf(RSA rsa)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
        return Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    private static List<SigningKey> Read(string path)
    {
        var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path}: empty key file");
        return file.Keys.Select(k =>
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(k.PrivateKeyPem);
            return new SigningKey(k.KeyId, rsa, k.CreatedAt, k.RetiredAt);
        }).ToList();
    }

    private static void Write(string path, IEnumerable<SigningKey> keys)
    {
        var file = new KeyFile(keys.Select(k => new KeyEntry(k.KeyId, k.Rsa.ExportPkcs8PrivateKeyPem(), k.CreatedAt, k.RetiredAt)).ToList());
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = true }), secret: true);
    }

    private sealed record KeyFile([property: JsonPropertyName("keys")] List<KeyEntry> Keys);

    private sealed record KeyEntry(
        [property: JsonPropertyName("kid")] string KeyId,
        [property: JsonPropertyName("privateKeyPem")] string PrivateKeyPem,
        [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("retiredAt")] DateTimeOffset? RetiredAt);
}
