using System.Text.Json;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>
/// From verified claims to a user, as kube's oidc.go AuthenticateToken does after verification: username, groups,
/// uid, extra (with the jti credential id), then required claims, claim validation rules, user validation rules.
/// Any failure is an error (the request gets 401 even with anonymous enabled).
/// </summary>
public sealed class ClaimMapper(CompiledJwtAuthenticator compiled)
{
    readonly ClaimMappings _mappings = compiled.Configuration.ClaimMappings;
    readonly bool _needsCelClaims = compiled.Username is not null || compiled.Groups is not null || compiled.Uid is not null
                                    || compiled.Extra.Count > 0 || compiled.ClaimValidationRules.Count > 0;

    /// <summary>The user, or kube's error text.</summary>
    public (UserInfo? User, string? Error) Map(JsonElement claims)
    {
        var celClaims = _needsCelClaims ? ToCel(claims) : null;
        try
        {
            var name = Username(claims, celClaims);
            var groups = Groups(claims, celClaims);
            var uid = Uid(claims, celClaims);
            var extra = Extra(claims, celClaims);
            var user = new UserInfo(name, uid, groups, extra);
            CheckRequiredClaims(claims);
            CheckClaimValidationRules(celClaims);
            CheckUserValidationRules(user);
            return (user, null);
        }
        catch (MappingException e)
        {
            return (null, e.Message);
        }
    }

    string Username(JsonElement claims, Dictionary<string, object?>? celClaims)
    {
        if (compiled.Username is { } expression)
        {
            var value = Evaluate(expression, celClaims, "oidc: error evaluating username claim expression");
            if (value is not string s) throw new MappingException("oidc: error evaluating username claim expression: username claim expression must return a string");
            if (s.Length == 0) throw new MappingException("oidc: empty username via CEL expression is not allowed");
            return s;
        }
        var claim = _mappings.Username.Claim!;
        var username = StringClaim(claims, claim, $"oidc: parse username claims {IdTokenVerifier.GoQuote(claim)}");
        if (claim == "email" && claims.TryGetProperty("email_verified", out var verified))
        {
            // OIDC core §5.1: when email_verified is present it must be true for the email to be used.
            if (verified.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new MappingException($"oidc: parse 'email_verified' claim: json: cannot unmarshal {IdTokenVerifier.GoKind(verified)} into Go value of type bool");
            if (verified.ValueKind == JsonValueKind.False) throw new MappingException("oidc: email not verified");
        }
        var prefix = _mappings.Username.Prefix;
        return string.IsNullOrEmpty(prefix) ? username : prefix + username;
    }

    IReadOnlyList<string> Groups(JsonElement claims, Dictionary<string, object?>? celClaims)
    {
        var claim = _mappings.Groups.Claim;
        if (!string.IsNullOrEmpty(claim) && claims.TryGetProperty(claim, out var value))
        {
            // A string or an array of strings (kubernetes#33290: a single "role" string is a group too).
            List<string> groups;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null: groups = []; break;
                case JsonValueKind.String: groups = [value.GetString()!]; break;
                case JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind is JsonValueKind.String or JsonValueKind.Null):
                    // Go leaves "" for a null element of a []string.
                    groups = value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : "").ToList();
                    break;
                default:
                    throw new MappingException($"oidc: parse groups claim {IdTokenVerifier.GoQuote(claim)}: json: cannot unmarshal {IdTokenVerifier.GoKind(value)} into Go value of type string");
            }
            var prefix = _mappings.Groups.Prefix;
            return string.IsNullOrEmpty(prefix) ? groups : groups.Select(g => prefix + g).ToList();
        }
        if (compiled.Groups is not { } expression) return [];
        var result = Evaluate(expression, celClaims, "oidc: error evaluating group claim expression");
        return StringList(result, "oidc: error evaluating group claim expression");
    }

    string Uid(JsonElement claims, Dictionary<string, object?>? celClaims)
    {
        var claim = _mappings.Uid.Claim;
        if (!string.IsNullOrEmpty(claim)) return StringClaim(claims, claim, $"oidc: parse uid claim {IdTokenVerifier.GoQuote(claim)}");
        if (compiled.Uid is not { } expression) return "";
        var value = Evaluate(expression, celClaims, "oidc: error evaluating uid claim expression");
        return value as string ?? throw new MappingException("oidc: error evaluating uid claim expression: uid claim expression must return a string");
    }

    IReadOnlyDictionary<string, IReadOnlyList<string>> Extra(JsonElement claims, Dictionary<string, object?>? celClaims)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        // authenticationtokenjwt.CredentialIDForJTI: a non-empty string jti becomes the credential id.
        if (claims.TryGetProperty("jti", out var jti) && jti.ValueKind == JsonValueKind.String && jti.GetString() is { Length: > 0 } id)
            extra[UserInfo.CredentialIdKey] = [$"JTI={id}"];
        foreach (var (key, expression) in compiled.Extra)
        {
            object? value;
            try
            {
                value = expression.Evaluate(celClaims);
            }
            catch (CelEvaluationException e)
            {
                throw new MappingException(e.Message);
            }
            var values = StringList(value, $"oidc: error evaluating extra claim expression: {expression.Expression}");
            if (values.Count > 0) extra[key] = values;
        }
        return extra.Count == 0 ? UserInfo.NoExtra : extra;
    }

    void CheckRequiredClaims(JsonElement claims)
    {
        foreach (var (claim, want) in compiled.RequiredClaims)
        {
            if (!claims.TryGetProperty(claim, out var value))
                throw new MappingException($"oidc: required claim {claim} not present in ID token");
            // Only string values are supported as required claim values.
            if (value.ValueKind != JsonValueKind.String)
                throw new MappingException($"oidc: parse claim {claim}: json: cannot unmarshal {IdTokenVerifier.GoKind(value)} into Go value of type string");
            var got = value.GetString();
            if (got != want) throw new MappingException($"oidc: required claim {claim} value does not match. Got = {got}, want = {want}");
        }
    }

    void CheckClaimValidationRules(Dictionary<string, object?>? celClaims)
    {
        foreach (var (rule, message) in compiled.ClaimValidationRules)
            CheckRule(rule, celClaims, message, "oidc: error evaluating claim validation expression");
    }

    void CheckUserValidationRules(UserInfo user)
    {
        if (compiled.UserValidationRules.Count == 0) return;
        // kube's convertUserInfoToUnstructured: the authentication.k8s.io/v1 UserInfo, absent fields as empty values.
        var celUser = new Dictionary<string, object?>
        {
            ["username"] = user.Name,
            ["uid"] = user.Uid,
            ["groups"] = user.Groups.Cast<object?>().ToList(),
            ["extra"] = user.Extra.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.Cast<object?>().ToList()),
        };
        foreach (var (rule, message) in compiled.UserValidationRules)
            CheckRule(rule, celUser, message, "oidc: error evaluating user info validation rule");
    }

    static void CheckRule(CompiledCelExpression rule, object? variable, string message, string context)
    {
        var value = Evaluate(rule, variable, context);
        if (value is not bool ok) throw new MappingException($"{context}: validation expression must return a boolean");
        if (!ok) throw new MappingException($"{context}: validation expression '{rule.Expression}' failed: {message}");
    }

    static object? Evaluate(CompiledCelExpression expression, object? variable, string context)
    {
        try
        {
            return expression.Evaluate(variable);
        }
        catch (CelEvaluationException e)
        {
            throw new MappingException($"{context}: {e.Message}");
        }
    }

    static string StringClaim(JsonElement claims, string claim, string context)
    {
        if (!claims.TryGetProperty(claim, out var value)) throw new MappingException($"{context}: claim not present");
        // Go's json.Unmarshal of null into a string leaves "".
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "",
            _ => throw new MappingException($"{context}: json: cannot unmarshal {IdTokenVerifier.GoKind(value)} into Go value of type string"),
        };
    }

    /// <summary>kube's convertCELValueToStringList: a string or list of strings; "", [] and null mean none; "" entries dropped.</summary>
    static IReadOnlyList<string> StringList(object? value, string context)
    {
        switch (value)
        {
            case null: return [];
            case string s: return s.Length == 0 ? [] : [s];
            default:
                if (!CompiledCelExpression.IsList(value)) throw new MappingException($"{context}: expression must return a string or a list of strings");
                var result = new List<string>();
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    if (item is not string s) throw new MappingException($"{context}: expression must return a string or a list of strings");
                    if (s.Length > 0) result.Add(s);
                }
                return result;
        }
    }

    /// <summary>kube converts the claims to unstructured JSON: integers as int64, other numbers as float64.</summary>
    internal static Dictionary<string, object?> ToCel(JsonElement claims) =>
        claims.EnumerateObject().ToDictionary(p => p.Name, p => ToCelValue(p.Value), StringComparer.Ordinal);

    static object? ToCelValue(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.TryGetInt64(out var l) ? l : v.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => v.EnumerateArray().Select(ToCelValue).ToList(),
        JsonValueKind.Object => ToCel(v),
        _ => null,
    };

    sealed class MappingException(string message) : Exception(message);
}
