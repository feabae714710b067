using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>One JWT issuer after validation: its configuration and its compiled CEL (kube's CELMapper).</summary>
public sealed record CompiledJwtAuthenticator(
    JwtAuthenticatorConfiguration Configuration,
    CompiledCelExpression? Username,
    CompiledCelExpression? Groups,
    CompiledCelExpression? Uid,
    IReadOnlyList<(string Key, CompiledCelExpression Value)> Extra,
    IReadOnlyList<(string Claim, string Value)> RequiredClaims,
    IReadOnlyList<(CompiledCelExpression Rule, string Message)> ClaimValidationRules,
    IReadOnlyList<(CompiledCelExpression Rule, string Message)> UserValidationRules);

/// <summary>
/// k8s.io/apiserver pkg/apis/apiserver/validation ValidateAuthenticationConfiguration (1.32): every rule with kube's
/// field paths and wording, CEL expressions compiled on the way (a bad expression is a field error).
/// </summary>
public static partial class AuthenticationConfigurationValidator
{
    public const int MaxJwtAuthenticators = 64;

    public sealed record Result(IReadOnlyList<FieldError> Errors, IReadOnlyList<CompiledJwtAuthenticator> Authenticators);

    public static Result Validate(AuthenticationConfiguration c, IReadOnlyCollection<string> disallowedIssuers, CelExpressionCompiler compiler)
    {
        var errors = new List<FieldError>();
        var compiled = new List<CompiledJwtAuthenticator>();
        if (c.Jwt.Count > MaxJwtAuthenticators)
        {
            errors.Add(new FieldError(FieldErrorType.TooMany, "jwt", $"must have at most {MaxJwtAuthenticators} items", c.Jwt.Count, true));
            return new Result(errors, compiled);
        }
        var seenIssuers = new HashSet<string>(StringComparer.Ordinal);
        var seenDiscovery = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < c.Jwt.Count; i++)
        {
            var a = c.Jwt[i];
            var path = $"jwt[{i}]";
            compiled.Add(ValidateJwtAuthenticator(a, path, disallowedIssuers, compiler, errors));
            if (!seenIssuers.Add(a.Issuer.Url)) errors.Add(FieldError.Duplicate($"{path}.issuer.url", a.Issuer.Url));
            if (!string.IsNullOrEmpty(a.Issuer.DiscoveryUrl) && !seenDiscovery.Add(a.Issuer.DiscoveryUrl))
                errors.Add(FieldError.Duplicate($"{path}.issuer.discoveryURL", a.Issuer.DiscoveryUrl));
        }
        if (c.Anonymous is { Enabled: false, Conditions.Count: > 0 } anon)
            errors.Add(FieldError.Invalid("anonymous.conditions", "[" + string.Join(", ", anon.Conditions.Select(x => "{path: " + x.Path + "}")) + "]",
                "enabled should be set to true when conditions are defined"));
        return new Result(errors, compiled);
    }

    /// <summary>kube's ToAggregate().Error(): one error alone, several as "[a, b]" (duplicates once).</summary>
    public static string Aggregate(IReadOnlyList<FieldError> errors)
    {
        var texts = errors.Select(e => e.ToString()).Distinct().ToList();
        return texts.Count == 1 ? texts[0] : "[" + string.Join(", ", texts) + "]";
    }

    static CompiledJwtAuthenticator ValidateJwtAuthenticator(JwtAuthenticatorConfiguration a, string path, IReadOnlyCollection<string> disallowed, CelExpressionCompiler compiler, List<FieldError> errors)
    {
        ValidateIssuer(a.Issuer, $"{path}.issuer", disallowed, errors);
        var state = new EmailState();
        var (required, claimRules) = ValidateClaimValidationRules(a.ClaimValidationRules, $"{path}.claimValidationRules", compiler, errors, state);
        var m = a.ClaimMappings;
        var mp = $"{path}.claimMappings";
        var username = ValidatePrefixedClaimOrExpression(m.Username, $"{mp}.username", required: true, compiler, errors);
        if (username is not null)
        {
            state.UsesEmail |= username.UsesEmailClaim;
            state.UsesEmailVerified |= username.UsesEmailVerifiedClaim;
        }
        var groups = ValidatePrefixedClaimOrExpression(m.Groups, $"{mp}.groups", required: false, compiler, errors);
        CompiledCelExpression? uid = null;
        if (!string.IsNullOrEmpty(m.Uid.Claim) && !string.IsNullOrEmpty(m.Uid.Expression))
            errors.Add(FieldError.Invalid($"{mp}.uid", "", "claim and expression can't both be set"));
        else if (!string.IsNullOrEmpty(m.Uid.Expression))
            uid = CompileClaims(m.Uid.Expression, $"{mp}.uid.expression", compiler, errors);
        var extra = ValidateExtra(m.Extra, $"{mp}.extra", compiler, errors, state);
        if (state.UsesEmail && !state.UsesEmailVerified)
            errors.Add(FieldError.Invalid($"{mp}.username.expression", m.Username.Expression,
                "claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression"));
        var userRules = ValidateUserValidationRules(a.UserValidationRules, $"{path}.userValidationRules", compiler, errors);
        return new CompiledJwtAuthenticator(a, username, groups, uid, extra, required, claimRules, userRules);
    }

    sealed class EmailState
    {
        public bool UsesEmail;
        public bool UsesEmailVerified;
    }

    static void ValidateIssuer(IssuerConfiguration issuer, string path, IReadOnlyCollection<string> disallowed, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(issuer.Url)) errors.Add(FieldError.Required($"{path}.url", "URL is required"));
        else ValidateUrl(issuer.Url, $"{path}.url", disallowed, errors);

        if (!string.IsNullOrEmpty(issuer.DiscoveryUrl))
        {
            if (issuer.Url.Length > 0 && issuer.Url.TrimEnd('/') == issuer.DiscoveryUrl.TrimEnd('/'))
                errors.Add(FieldError.Invalid($"{path}.discoveryURL", issuer.DiscoveryUrl, "discoveryURL must be different from URL"));
            // The discovery URL is not an issuer, so it is not compared with the disallowed issuers.
            ValidateUrl(issuer.DiscoveryUrl, $"{path}.discoveryURL", [], errors);
        }

        var audiences = issuer.Audiences;
        if (audiences.Count == 0) errors.Add(FieldError.Required($"{path}.audiences", $"at least one {path}.audiences is required"));
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < audiences.Count; i++)
            {
                if (string.IsNullOrEmpty(audiences[i])) errors.Add(FieldError.Required($"{path}.audiences[{i}]", "audience can't be empty"));
                if (!seen.Add(audiences[i] ?? "")) errors.Add(FieldError.Duplicate($"{path}.audiences[{i}]", audiences[i]));
            }
            var policy = issuer.AudienceMatchPolicy ?? "";
            if (audiences.Count > 1 && policy != "MatchAny")
                errors.Add(FieldError.Invalid($"{path}.audienceMatchPolicy", policy, "audienceMatchPolicy must be MatchAny for multiple audiences"));
            if (audiences.Count == 1 && policy.Length > 0 && policy != "MatchAny")
                errors.Add(FieldError.Invalid($"{path}.audienceMatchPolicy", policy, "audienceMatchPolicy must be empty or MatchAny for single audience"));
        }

        if (!string.IsNullOrEmpty(issuer.CertificateAuthority) && TrustedIssuerCertificates.Parse(issuer.CertificateAuthority) is null)
            errors.Add(FieldError.Invalid($"{path}.certificateAuthority", "<omitted>", TrustedIssuerCertificates.NoCertificatesMessage));
    }

    /// <summary>kube's validateURL: https only, no user info, no query, no fragment, not a service-account issuer.</summary>
    static void ValidateUrl(string url, string path, IReadOnlyCollection<string> disallowed, List<FieldError> errors)
    {
        if (disallowed.Contains(url))
            errors.Add(FieldError.Invalid(path, url, $"URL must not overlap with disallowed issuers: [{string.Join(" ", disallowed.Order(StringComparer.Ordinal))}]"));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u))
        {
            errors.Add(FieldError.Invalid(path, url, "URL scheme must be https"));
            return;
        }
        if (u.Scheme != "https") errors.Add(FieldError.Invalid(path, url, "URL scheme must be https"));
        if (u.UserInfo.Length > 0) errors.Add(FieldError.Invalid(path, url, "URL must not contain a username or password"));
        if (u.Query.Length > 1 || url.Contains('?')) errors.Add(FieldError.Invalid(path, url, "URL must not contain a query"));
        if (u.Fragment.Length > 1 || url.Contains('#')) errors.Add(FieldError.Invalid(path, url, "URL must not contain a fragment"));
    }

    static (List<(string, string)>, List<(CompiledCelExpression, string)>) ValidateClaimValidationRules(
        List<ClaimValidationRule> rules, string path, CelExpressionCompiler compiler, List<FieldError> errors, EmailState state)
    {
        var required = new List<(string, string)>();
        var compiled = new List<(CompiledCelExpression, string)>();
        var seenClaims = new HashSet<string>(StringComparer.Ordinal);
        var seenExpressions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            var p = $"{path}[{i}]";
            var hasClaim = !string.IsNullOrEmpty(r.Claim);
            var hasExpression = !string.IsNullOrEmpty(r.Expression);
            if (hasClaim && hasExpression) errors.Add(FieldError.Invalid(p, r.Claim, "claim and expression can't both be set"));
            else if (!hasClaim && !hasExpression) errors.Add(FieldError.Required(p, "claim or expression is required"));
            else if (hasClaim)
            {
                if (!string.IsNullOrEmpty(r.Message)) errors.Add(FieldError.Invalid($"{p}.message", r.Message, "message can't be set when claim is set"));
                if (!seenClaims.Add(r.Claim!)) errors.Add(FieldError.Duplicate($"{p}.claim", r.Claim));
                else required.Add((r.Claim!, r.RequiredValue ?? ""));
            }
            else
            {
                if (!string.IsNullOrEmpty(r.RequiredValue)) errors.Add(FieldError.Invalid($"{p}.requiredValue", r.RequiredValue, "requiredValue can't be set when expression is set"));
                if (!seenExpressions.Add(r.Expression!))
                {
                    errors.Add(FieldError.Duplicate($"{p}.expression", r.Expression));
                    continue;
                }
                if (CompileClaims(r.Expression!, $"{p}.expression", compiler, errors) is { } e)
                {
                    compiled.Add((e, r.Message ?? ""));
                    state.UsesEmailVerified |= e.UsesEmailVerifiedClaim;
                }
            }
        }
        return (required, compiled);
    }

    static CompiledCelExpression? ValidatePrefixedClaimOrExpression(PrefixedClaimOrExpression m, string path, bool required, CelExpressionCompiler compiler, List<FieldError> errors)
    {
        var hasClaim = !string.IsNullOrEmpty(m.Claim);
        var hasExpression = !string.IsNullOrEmpty(m.Expression);
        if (hasClaim && hasExpression) errors.Add(FieldError.Invalid(path, "", "claim and expression can't both be set"));
        else if (!hasClaim && !hasExpression && required) errors.Add(FieldError.Required(path, "claim or expression is required"));
        else if (hasExpression)
        {
            if (m.Prefix is not null) errors.Add(FieldError.Invalid($"{path}.prefix", m.Prefix, "prefix can't be set when expression is set"));
            return CompileClaims(m.Expression!, $"{path}.expression", compiler, errors);
        }
        else if (hasClaim && m.Prefix is null)
            errors.Add(FieldError.Required($"{path}.prefix", "prefix is required when claim is set. It can be set to an empty string to disable prefixing"));
        return null;
    }

    static List<(string, CompiledCelExpression)> ValidateExtra(List<ExtraMapping> extra, string path, CelExpressionCompiler compiler, List<FieldError> errors, EmailState state)
    {
        var compiled = new List<(string, CompiledCelExpression)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < extra.Count; i++)
        {
            var x = extra[i];
            var p = $"{path}[{i}]";
            ValidateDomainPrefixedPath($"{p}.key", x.Key, errors);
            if (x.Key != x.Key.ToLowerInvariant()) errors.Add(FieldError.Invalid($"{p}.key", x.Key, "key must be lowercase"));
            if (IsKubernetesDomain(x.Key)) errors.Add(FieldError.Invalid($"{p}.key", x.Key, "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"));
            if (!seen.Add(x.Key))
            {
                errors.Add(FieldError.Duplicate($"{p}.key", x.Key));
                continue;
            }
            if (string.IsNullOrEmpty(x.ValueExpression))
            {
                errors.Add(FieldError.Required($"{p}.valueExpression", "valueExpression is required"));
                continue;
            }
            if (CompileClaims(x.ValueExpression, $"{p}.valueExpression", compiler, errors) is { } e)
            {
                compiled.Add((x.Key, e));
                state.UsesEmailVerified |= e.UsesEmailVerifiedClaim;
            }
        }
        return compiled;
    }

    static List<(CompiledCelExpression, string)> ValidateUserValidationRules(List<UserValidationRule> rules, string path, CelExpressionCompiler compiler, List<FieldError> errors)
    {
        var compiled = new List<(CompiledCelExpression, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            var p = $"{path}[{i}].expression";
            if (string.IsNullOrEmpty(r.Expression))
            {
                errors.Add(FieldError.Required(p, "expression is required"));
                continue;
            }
            if (!seen.Add(r.Expression))
            {
                errors.Add(FieldError.Duplicate(p, r.Expression));
                continue;
            }
            if (Compile(r.Expression, CelExpressionCompiler.UserVariable, p, compiler, errors) is { } e) compiled.Add((e, r.Message ?? ""));
        }
        return compiled;
    }

    static CompiledCelExpression? CompileClaims(string expression, string path, CelExpressionCompiler compiler, List<FieldError> errors) =>
        Compile(expression, CelExpressionCompiler.ClaimsVariable, path, compiler, errors);

    static CompiledCelExpression? Compile(string expression, string variable, string path, CelExpressionCompiler compiler, List<FieldError> errors)
    {
        try
        {
            return compiler.Compile(expression, variable);
        }
        catch (CelCompileException e)
        {
            errors.Add(FieldError.Invalid(path, expression, e.Message));
            return null;
        }
    }

    /// <summary>apimachinery IsDomainPrefixedPath: "acme.io/foo" — an RFC 1123 subdomain, a slash, an HTTP path.</summary>
    static void ValidateDomainPrefixedPath(string path, string key, List<FieldError> errors)
    {
        if (key.Length == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var parts = key.Split('/', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            errors.Add(FieldError.Invalid(path, key, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
            return;
        }
        if (parts[0].Length > 253 || !Dns1123Subdomain().IsMatch(parts[0]))
            errors.Add(FieldError.Invalid(path, parts[0], "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        if (!HttpPath().IsMatch(parts[1]))
            errors.Add(FieldError.Invalid(path, parts[1], "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
    }

    static bool IsKubernetesDomain(string key)
    {
        var parts = key.Split('/', 2);
        if (parts.Length != 2) return false;
        var d = parts[0];
        return d is "kubernetes.io" or "k8s.io" || d.EndsWith(".kubernetes.io", StringComparison.Ordinal) || d.EndsWith(".k8s.io", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")]
    private static partial Regex HttpPath();
}

/// <summary>The CA bundle an issuer's TLS certificate must chain to (certificateAuthority / --oidc-ca-file).</summary>
public static class TrustedIssuerCertificates
{
    /// <summary>client-go certutil.NewPoolFromBytes's error for a bundle without certificates.</summary>
    public const string NoCertificatesMessage = "data does not contain any valid RSA or ECDSA certificates";

    /// <summary>The certificates of a PEM bundle, or null when it holds none (or is not PEM).</summary>
    public static X509Certificate2Collection? Parse(string pem)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        return collection.Count == 0 ? null : collection;
    }
}
