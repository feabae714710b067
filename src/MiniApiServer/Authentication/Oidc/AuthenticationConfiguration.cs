using YamlDotNet.Serialization;

namespace MiniApiServer.Authentication.Oidc;

// The few types of apiserver.config.k8s.io AuthenticationConfiguration (k8s.io/apiserver pkg/apis/apiserver
// v1alpha1 (1.29), v1beta1 (1.30) and v1 types): written minimally, only what kube-apiserver 1.32 reads.
// Mutable properties because YamlDotNet fills them; the server never changes them after validation.

/// <summary>kind AuthenticationConfiguration: the JWT issuers and the anonymous block.</summary>
public sealed class AuthenticationConfiguration
{
    [YamlMember(Alias = "apiVersion")] public string? ApiVersion { get; set; }
    [YamlMember(Alias = "kind")] public string? Kind { get; set; }
    [YamlMember(Alias = "jwt")] public List<JwtAuthenticatorConfiguration> Jwt { get; set; } = [];
    [YamlMember(Alias = "anonymous")] public AnonymousAuthConfiguration? Anonymous { get; set; }
}

/// <summary>One JWT issuer (kube's JWTAuthenticator).</summary>
public sealed class JwtAuthenticatorConfiguration
{
    [YamlMember(Alias = "issuer")] public IssuerConfiguration Issuer { get; set; } = new();
    [YamlMember(Alias = "claimValidationRules")] public List<ClaimValidationRule> ClaimValidationRules { get; set; } = [];
    [YamlMember(Alias = "claimMappings")] public ClaimMappings ClaimMappings { get; set; } = new();
    [YamlMember(Alias = "userValidationRules")] public List<UserValidationRule> UserValidationRules { get; set; } = [];
}

public sealed class IssuerConfiguration
{
    [YamlMember(Alias = "url")] public string Url { get; set; } = "";
    /// <summary>Used verbatim instead of {url}/.well-known/openid-configuration when set.</summary>
    [YamlMember(Alias = "discoveryURL")] public string? DiscoveryUrl { get; set; }
    /// <summary>PEM of the CAs trusted for the TLS connections to discovery and JWKS.</summary>
    [YamlMember(Alias = "certificateAuthority")] public string? CertificateAuthority { get; set; }
    [YamlMember(Alias = "audiences")] public List<string> Audiences { get; set; } = [];
    /// <summary>Only "MatchAny" exists (required with several audiences, optional with one).</summary>
    [YamlMember(Alias = "audienceMatchPolicy")] public string? AudienceMatchPolicy { get; set; }
}

/// <summary>Either claim + requiredValue, or a CEL expression (with an optional message).</summary>
public sealed class ClaimValidationRule
{
    [YamlMember(Alias = "claim")] public string? Claim { get; set; }
    [YamlMember(Alias = "requiredValue")] public string? RequiredValue { get; set; }
    [YamlMember(Alias = "expression")] public string? Expression { get; set; }
    [YamlMember(Alias = "message")] public string? Message { get; set; }
}

public sealed class ClaimMappings
{
    [YamlMember(Alias = "username")] public PrefixedClaimOrExpression Username { get; set; } = new();
    [YamlMember(Alias = "groups")] public PrefixedClaimOrExpression Groups { get; set; } = new();
    [YamlMember(Alias = "uid")] public ClaimOrExpression Uid { get; set; } = new();
    [YamlMember(Alias = "extra")] public List<ExtraMapping> Extra { get; set; } = [];
}

/// <summary>A claim with a prefix (required with a claim, "" disables it), or a CEL expression.</summary>
public sealed class PrefixedClaimOrExpression
{
    [YamlMember(Alias = "claim")] public string? Claim { get; set; }
    /// <summary>null = not written in the file (distinct from ""), as kube's *string.</summary>
    [YamlMember(Alias = "prefix")] public string? Prefix { get; set; }
    [YamlMember(Alias = "expression")] public string? Expression { get; set; }
}

public sealed class ClaimOrExpression
{
    [YamlMember(Alias = "claim")] public string? Claim { get; set; }
    [YamlMember(Alias = "expression")] public string? Expression { get; set; }
}

public sealed class ExtraMapping
{
    [YamlMember(Alias = "key")] public string Key { get; set; } = "";
    [YamlMember(Alias = "valueExpression")] public string? ValueExpression { get; set; }
}

public sealed class UserValidationRule
{
    [YamlMember(Alias = "expression")] public string? Expression { get; set; }
    [YamlMember(Alias = "message")] public string? Message { get; set; }
}

/// <summary>
/// The anonymous block (AnonymousAuthConfigurableEndpoints, beta in 1.32): parsed and validated here, applied by
/// the authentication chain. With conditions, anonymous applies only to requests whose path is one of them.
/// </summary>
public sealed class AnonymousAuthConfiguration
{
    [YamlMember(Alias = "enabled")] public bool Enabled { get; set; }
    [YamlMember(Alias = "conditions")] public List<AnonymousAuthCondition> Conditions { get; set; } = [];
}

public sealed class AnonymousAuthCondition
{
    [YamlMember(Alias = "path")] public string Path { get; set; } = "";
}
