using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>A verified token: its claims (the JSON payload) and its expiry.</summary>
public sealed record VerifiedIdToken(JsonElement Claims, DateTimeOffset ExpiresAt);

/// <summary>
/// go-oidc v2.2.1 IDTokenVerifier.Verify plus kube's audience check, in go-oidc's order: parse, claims types,
/// issuer (exact), audience (any configured), exp (required, no leeway: expired when exp &lt; now), nbf (1 minute
/// leeway), then the alg against the allowed set and the signature against the issuer's keys. <c>iat</c> is not checked.
/// </summary>
public sealed class IdTokenVerifier(string issuer, IReadOnlyList<string> audiences, IReadOnlyList<string> algorithms, RemoteKeySet keys, TimeProvider time)
{
    /// <summary>go-oidc v2 verify.go: "If nbf claim is provided in token, ensure that it is indeed in the past", with this leeway.</summary>
    public static readonly TimeSpan NotBeforeLeeway = TimeSpan.FromMinutes(1);

    public RemoteKeySet Keys => keys;

    /// <summary>The verified token, or go-oidc's error text (kube prefixes it with "oidc: verify token: ").</summary>
    public async Task<(VerifiedIdToken? Token, string? Error)> VerifyAsync(string raw, CancellationToken ct)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(raw);
        }
        catch (ArgumentException e)
        {
            return (null, $"oidc: malformed jwt: {e.Message}");
        }
        if (UnverifiedJwt.Payload(raw) is not { } payload) return (null, "oidc: malformed jwt: illegal base64 data");
        JsonElement claims;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            claims = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (null, $"oidc: malformed jwt: {e.Message}");
        }
        if (claims.ValueKind != JsonValueKind.Object) return (null, "oidc: failed to unmarshal claims: payload is not a JSON object");
        var std = ParseStandardClaims(claims);
        if (std.Error is { } shapeError) return (null, $"oidc: failed to unmarshal claims: {shapeError}");

        if (std.Issuer != issuer)
        {
            // go-oidc allows Google's scheme-less issuer for Google only.
            if (!(issuer == "https://accounts.google.com" && std.Issuer == "accounts.google.com"))
                return (null, $"oidc: id token issued by a different provider, expected {GoQuote(issuer)} got {GoQuote(std.Issuer)}");
        }

        // One audience: go-oidc's ClientID check; several: kube's verifyAudience (MatchAny).
        if (audiences.Count == 1 && !std.Audience.Contains(audiences[0]))
            return (null, $"oidc: expected audience {GoQuote(audiences[0])} got {GoQuote(std.Audience)}");
        if (!audiences.Any(std.Audience.Contains))
            return (null, $"oidc: expected audience in {GoQuote(audiences.Order(StringComparer.Ordinal).ToList())} got {GoQuote(std.Audience)}");

        var now = time.GetUtcNow();
        // A missing exp is Go's zero time, which is always before now.
        var expiry = std.Expiry ?? DateTimeOffset.MinValue;
        if (expiry < now)
            return (null, $"oidc: token is expired (Token Expiry: {GoTime(expiry)})");
        if (std.NotBefore is { } nbf && now + NotBeforeLeeway < nbf)
            return (null, $"oidc: current time {GoTime(now)} before the nbf (not before) time: {GoTime(nbf)}");

        var alg = jwt.Alg;
        if (!algorithms.Contains(alg, StringComparer.Ordinal))
            return (null, $"oidc: id token signed with unsupported algorithm, expected {GoQuote(algorithms)} got {GoQuote(alg)}");

        if (await keys.VerifySignatureAsync(jwt, algorithms, ct) is { } signatureError)
            return (null, $"failed to verify signature: {signatureError}");
        return (new VerifiedIdToken(claims, expiry), null);
    }

    sealed record StandardClaims(string Issuer, IReadOnlyList<string> Audience, DateTimeOffset? Expiry, DateTimeOffset? NotBefore, string? Error);

    /// <summary>go-oidc's idToken struct: iss/sub string, aud string or list, exp/iat/nbf numbers, distributed-claim maps.</summary>
    static StandardClaims ParseStandardClaims(JsonElement c)
    {
        string Fail(string claim, JsonElement v) => $"json: cannot unmarshal {GoKind(v)} into Go struct field idToken.{claim}";
        var iss = "";
        if (c.TryGetProperty("iss", out var i) && i.ValueKind != JsonValueKind.Null)
        {
            if (i.ValueKind != JsonValueKind.String) return new("", [], null, null, Fail("iss", i));
            iss = i.GetString()!;
        }
        if (c.TryGetProperty("sub", out var s) && s.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            return new("", [], null, null, Fail("sub", s));
        var aud = new List<string>();
        if (c.TryGetProperty("aud", out var a))
        {
            if (a.ValueKind == JsonValueKind.String) aud.Add(a.GetString()!);
            else if (a.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in a.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String) aud.Add(e.GetString()!);
                    else if (e.ValueKind != JsonValueKind.Null) return new("", [], null, null, Fail("aud", e));
                    else aud.Add("");
                }
            }
            else if (a.ValueKind != JsonValueKind.Null) return new("", [], null, null, Fail("aud", a));
        }
        if (!TryTime(c, "exp", out var exp, out var expError)) return new("", [], null, null, expError);
        if (!TryTime(c, "iat", out _, out var iatError)) return new("", [], null, null, iatError);
        if (!TryTime(c, "nbf", out var nbf, out var nbfError)) return new("", [], null, null, nbfError);
        if (DistributedClaimsError(c) is { } distributed) return new("", [], null, null, distributed);
        return new(iss, aud, exp, nbf, null);
    }

    /// <summary>go-oidc jsonTime: a JSON number (or numeric string) of seconds, truncated to whole seconds.</summary>
    static bool TryTime(JsonElement c, string name, out DateTimeOffset? value, out string? error)
    {
        value = null;
        error = null;
        if (!c.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return true;
        var text = v.ValueKind switch
        {
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.String => v.GetString(),
            _ => null,
        };
        if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds is > -62135596800 and < 253402300799)
        {
            value = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
            return true;
        }
        error = $"json: cannot unmarshal {GoKind(v)} into Go struct field idToken.{name}";
        return false;
    }

    /// <summary>go-oidc: every _claim_names entry must name a source present in _claim_sources.</summary>
    static string? DistributedClaimsError(JsonElement c)
    {
        if (!c.TryGetProperty("_claim_names", out var names) || names.ValueKind == JsonValueKind.Null) return null;
        if (names.ValueKind != JsonValueKind.Object) return $"json: cannot unmarshal {GoKind(names)} into Go struct field idToken._claim_names";
        c.TryGetProperty("_claim_sources", out var sources);
        foreach (var n in names.EnumerateObject())
        {
            if (n.Value.ValueKind != JsonValueKind.String) return $"json: cannot unmarshal {GoKind(n.Value)} into Go struct field idToken._claim_names";
            var src = n.Value.GetString()!;
            if (src.Length == 0) return "oidc: failed to obtain source from claim name";
            if (sources.ValueKind != JsonValueKind.Object || !sources.TryGetProperty(src, out _)) return "oidc: source does not exist";
        }
        return null;
    }

    internal static string GoKind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    /// <summary>Go's %q of a string.</summary>
    internal static string GoQuote(string s) => Registry.Validation.GoValue.Quote(s);

    /// <summary>Go's %q of a []string: ["a" "b"].</summary>
    internal static string GoQuote(IEnumerable<string> list) => "[" + string.Join(" ", list.Select(GoQuote)) + "]";

    /// <summary>Go's time.Time String() in UTC: 2006-01-02 15:04:05 +0000 UTC.</summary>
    internal static string GoTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString(t.Millisecond == 0 && t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + " +0000 UTC";
}

/// <summary>
/// OpenID discovery (go-oidc NewProvider): GET {issuer}/.well-known/openid-configuration (or the configured
/// discoveryURL, verbatim), the document's issuer must equal the configured URL exactly; its jwks_uri names the keys.
/// </summary>
public static class OidcDiscovery
{
    public const string WellKnownPath = "/.well-known/openid-configuration";

    public static Uri DiscoveryUri(IssuerConfiguration issuer) =>
        new(string.IsNullOrEmpty(issuer.DiscoveryUrl) ? issuer.Url.TrimEnd('/') + WellKnownPath : issuer.DiscoveryUrl);

    /// <summary>The provider's JWKS URI; throws <see cref="InvalidOperationException"/> with go-oidc's text on failure.</summary>
    public static async Task<Uri> DiscoverAsync(HttpClient http, IssuerConfiguration issuer, CancellationToken ct)
    {
        using var response = await http.GetAsync(DiscoveryUri(issuer), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {body}");
        OpenIdConnectConfiguration document;
        try
        {
            document = OpenIdConnectConfiguration.Create(body);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"oidc: failed to decode provider discovery object: {e.Message}");
        }
        if (document.Issuer != issuer.Url)
            throw new InvalidOperationException($"oidc: issuer did not match the issuer returned by provider, expected {IdTokenVerifier.GoQuote(issuer.Url)} got {IdTokenVerifier.GoQuote(document.Issuer ?? "")}");
        if (!Uri.TryCreate(document.JwksUri, UriKind.Absolute, out var jwks))
            throw new InvalidOperationException($"oidc: provider discovery object has no valid jwks_uri: {IdTokenVerifier.GoQuote(document.JwksUri ?? "")}");
        return jwks;
    }
}
