using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// A JWS in compact form as go-jose (kube's JWT library) writes and reads it. kube's header is exactly
/// <c>{"alg":"RS256","kid":"…"}</c> — no <c>typ</c> — so the token is assembled here and only the signature
/// is computed by Microsoft.IdentityModel's crypto providers.
/// </summary>
public sealed class CompactJws
{
    CompactJws(string algorithm, string? keyId, byte[] payload, byte[] signingInput, byte[] signature)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Payload = payload;
        SigningInput = signingInput;
        Signature = signature;
    }

    /// <summary>The header's <c>alg</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The header's <c>kid</c>; null when absent or empty.</summary>
    public string? KeyId { get; }

    /// <summary>The decoded payload (NOT verified until <see cref="VerifyWith"/> says so).</summary>
    public byte[] Payload { get; }

    byte[] SigningInput { get; }
    byte[] Signature { get; }

    /// <summary>Signs <paramref name="payloadJson"/> with the key: base64url(header) "." base64url(payload) "." base64url(signature).</summary>
    public static string Sign(ServiceAccountKey key, byte[] payloadJson)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alg"] = key.Algorithm,
            ["kid"] = key.KeyId,
        });
        var signingInput = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payloadJson));
        var factory = key.SecurityKey.CryptoProviderFactory;
        var provider = factory.CreateForSigning(key.SecurityKey, key.Algorithm);
        try
        {
            var signature = provider.Sign(signingInput);
            return Encoding.ASCII.GetString(signingInput) + "." + Base64Url.EncodeToString(signature);
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }

    /// <summary>
    /// go-jose ParseSigned of a compact token: three base64url parts and a JSON object header.
    /// Null when the token is not such a JWS (kube: not this authenticator's token, no error).
    /// </summary>
    public static CompactJws? TryParse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var headerBytes = Base64Url.DecodeFromChars(parts[0]);
            var payload = Base64Url.DecodeFromChars(parts[1]);
            var signature = Base64Url.DecodeFromChars(parts[2]);
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object) return null;
            // A missing alg parses; no key verifies it then (go-jose: unsupported algorithm).
            var algorithm = header.RootElement.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString()! : "";
            string? kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String && k.GetString() is { Length: > 0 } s ? s : null;
            return new CompactJws(algorithm, kid, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Verifies the signature with one key, as go-jose's <c>tok.Claims(key)</c>: null when it verifies, else
    /// go-jose's error text (an algorithm the key cannot do, or a bad signature).
    /// </summary>
    public string? VerifyWith(ServiceAccountKey key)
    {
        var factory = key.SecurityKey.CryptoProviderFactory;
        if (Algorithm.Length == 0 || !factory.IsSupportedAlgorithm(Algorithm, key.SecurityKey)) return "square/go-jose: unknown/unsupported algorithm";
        SignatureProvider provider;
        try
        {
            provider = factory.CreateForVerifying(key.SecurityKey, Algorithm);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return "square/go-jose: unknown/unsupported algorithm";
        }
        try
        {
            return provider.Verify(SigningInput, Signature) ? null : "square/go-jose: error in cryptographic primitive";
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return "square/go-jose: error in cryptographic primitive";
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }
}
