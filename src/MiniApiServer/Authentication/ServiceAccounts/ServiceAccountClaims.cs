using System.Text.Json;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>A name and uid in the <c>kubernetes.io</c> claim (kube's claims.go <c>ref</c>, both omitempty).</summary>
public sealed record ClaimRef(string Name, string Uid);

/// <summary>
/// The claims of a service-account JWT as kube reads them after the signature verified (go-jose's jwt.Claims
/// plus the private claims of pkg/serviceaccount legacy.go and claims.go). Legacy tokens fill the four
/// <c>kubernetes.io/serviceaccount/…</c> strings; bound tokens the <c>kubernetes.io</c> object.
/// </summary>
public sealed record ServiceAccountClaims
{
    public const string LegacyIssuer = "kubernetes/serviceaccount";
    public const string LegacyNamespace = "kubernetes.io/serviceaccount/namespace";
    public const string LegacySecretName = "kubernetes.io/serviceaccount/secret.name";
    public const string LegacyServiceAccountName = "kubernetes.io/serviceaccount/service-account.name";
    public const string LegacyServiceAccountUid = "kubernetes.io/serviceaccount/service-account.uid";
    public const string Kubernetes = "kubernetes.io";

    public string Issuer { get; init; } = "";
    public string Subject { get; init; } = "";
    public IReadOnlyList<string> Audiences { get; init; } = [];
    public long? Expiry { get; init; }
    public long? NotBefore { get; init; }
    public long? IssuedAt { get; init; }
    public string Id { get; init; } = "";

    // Legacy private claims.
    public string LegacyNamespaceClaim { get; init; } = "";
    public string LegacySecretNameClaim { get; init; } = "";
    public string LegacyServiceAccountNameClaim { get; init; } = "";
    public string LegacyServiceAccountUidClaim { get; init; } = "";

    // Bound private claims (kubernetes.io).
    public string Namespace { get; init; } = "";
    public ClaimRef ServiceAccount { get; init; } = new("", "");
    public ClaimRef? Pod { get; init; }
    public ClaimRef? Secret { get; init; }
    public ClaimRef? Node { get; init; }
    public long? WarnAfter { get; init; }

    /// <summary>
    /// Go's json.Unmarshal of the payload into those structs: unknown claims are ignored, null leaves a field
    /// unset, a wrong JSON type is an error (its message is returned in <paramref name="error"/>).
    /// </summary>
    public static ServiceAccountClaims? TryRead(byte[] payload, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"json: cannot unmarshal {GoType(root)} into Go value of type jwt.Claims";
                return null;
            }
            var k8s = root.TryGetProperty(Kubernetes, out var k) && k.ValueKind != JsonValueKind.Null ? k : default;
            if (k8s.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
                throw new ClaimTypeException(Kubernetes, k8s, "serviceaccount.kubernetes");
            return new ServiceAccountClaims
            {
                Issuer = String(root, "iss"),
                Subject = String(root, "sub"),
                Audiences = Audience(root),
                Expiry = NumericDate(root, "exp"),
                NotBefore = NumericDate(root, "nbf"),
                IssuedAt = NumericDate(root, "iat"),
                Id = String(root, "jti"),
                LegacyNamespaceClaim = String(root, LegacyNamespace),
                LegacySecretNameClaim = String(root, LegacySecretName),
                LegacyServiceAccountNameClaim = String(root, LegacyServiceAccountName),
                LegacyServiceAccountUidClaim = String(root, LegacyServiceAccountUid),
                Namespace = k8s.ValueKind == JsonValueKind.Object ? String(k8s, "namespace") : "",
                ServiceAccount = k8s.ValueKind == JsonValueKind.Object ? Ref(k8s, "serviceaccount") ?? new("", "") : new("", ""),
                Pod = k8s.ValueKind == JsonValueKind.Object ? Ref(k8s, "pod") : null,
                Secret = k8s.ValueKind == JsonValueKind.Object ? Ref(k8s, "secret") : null,
                Node = k8s.ValueKind == JsonValueKind.Object ? Ref(k8s, "node") : null,
                WarnAfter = k8s.ValueKind == JsonValueKind.Object ? NumericDate(k8s, "warnafter") : null,
            };
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
        catch (ClaimTypeException e)
        {
            error = e.Message;
            return null;
        }
    }

    static string String(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return "";
        if (v.ValueKind != JsonValueKind.String) throw new ClaimTypeException(name, v, "string");
        return v.GetString()!;
    }

    /// <summary>go-jose's Audience: a single string or an array of strings.</summary>
    static IReadOnlyList<string> Audience(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            return v.EnumerateArray().Select(e => e.GetString()!).ToList();
        throw new ClaimTypeException("aud", v, "jwt.Audience", "square/go-jose/jwt: expected string or array value to unmarshal to Audience");
    }

    /// <summary>go-jose's NumericDate: a JSON number of seconds, its fraction dropped.</summary>
    static long? NumericDate(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var seconds) || !double.IsFinite(seconds))
            throw new ClaimTypeException(name, v, "jwt.NumericDate");
        return (long)Math.Truncate(Math.Clamp(seconds, long.MinValue, long.MaxValue));
    }

    static ClaimRef? Ref(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new ClaimTypeException(name, v, "serviceaccount.ref");
        return new ClaimRef(String(v, "name"), String(v, "uid"));
    }

    static string GoType(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    sealed class ClaimTypeException(string field, JsonElement value, string goType, string? message = null)
        : Exception(message ?? $"json: cannot unmarshal {GoType(value)} into Go struct field .{field} of type {goType}");
}
