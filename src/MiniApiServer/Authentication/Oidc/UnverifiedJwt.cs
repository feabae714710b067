using System.Buffers.Text;
using System.Text.Json;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>
/// Reading a compact JWT's payload WITHOUT verifying it, as kube's oidc.go untrustedIssuer does to decide
/// whether a token is "mine" before any key is touched. Nothing read here may be trusted.
/// </summary>
public static class UnverifiedJwt
{
    /// <summary>
    /// The unverified <c>iss</c>: null when the token is not a compact JWS (not 3 parts, starts with '{', payload not
    /// unpadded base64url JSON). Google's legacy "accounts.google.com" is coalesced to its https form.
    /// </summary>
    public static string? Issuer(string token)
    {
        if (Payload(token) is not { } payload) return null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            // Go decodes a missing or null "iss" as "" into a string field; a non-string is an unmarshal error.
            if (!doc.RootElement.TryGetProperty("iss", out var iss) || iss.ValueKind == JsonValueKind.Null) return "";
            if (iss.ValueKind != JsonValueKind.String) return null;
            var value = iss.GetString()!;
            return value == "accounts.google.com" ? "https://accounts.google.com" : value;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The decoded payload bytes of a compact JWS, or null.</summary>
    internal static byte[]? Payload(string token)
    {
        if (token.TrimStart().StartsWith('{')) return null;
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        // Go's base64.RawURLEncoding: no padding allowed.
        if (parts[1].Contains('=')) return null;
        try
        {
            return Base64Url.DecodeFromChars(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// When a token stops being valid, for the token result cache (kube caches a success 10 s, and never past the
/// credential's expiry). <see cref="ExpiresAt"/> is the JWT's <c>exp</c>; null for a token that is no JWT or has none.
/// </summary>
public sealed record TokenExpiry(DateTimeOffset? ExpiresAt)
{
    public static readonly TokenExpiry None = new((DateTimeOffset?)null);

    /// <summary>
    /// Reads <c>exp</c> from a compact JWT without verifying it. Safe for a cache ONLY to shorten an entry's life
    /// (min(success TTL, exp)): a forged exp can then only make the server re-authenticate sooner, never later.
    /// A JWT authenticator refuses a token without a valid numeric exp, so every JWT it accepted has one here.
    /// </summary>
    public static TokenExpiry FromToken(string token)
    {
        if (UnverifiedJwt.Payload(token) is not { } payload) return None;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("exp", out var exp)
                && exp.ValueKind == JsonValueKind.Number && exp.TryGetDouble(out var seconds) && double.IsFinite(seconds)
                && seconds is > -62135596800 and < 253402300799)
                return new TokenExpiry(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(seconds * 1000)));
        }
        catch (JsonException)
        {
        }
        return None;
    }
}
