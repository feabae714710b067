using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>
/// Reads an <c>--authentication-config</c> file (YAML, or JSON which is YAML too) the way kube-apiserver's strict
/// decoder does: apiVersion apiserver.config.k8s.io/{v1,v1beta1,v1alpha1}, kind AuthenticationConfiguration,
/// unknown fields rejected. Errors are returned as text; the caller wraps them with the file name.
/// </summary>
public static class AuthenticationConfigurationFile
{
    public const string Group = "apiserver.config.k8s.io";
    public const string Kind = "AuthenticationConfiguration";
    public static readonly IReadOnlyList<string> Versions = ["v1", "v1beta1", "v1alpha1"];

    static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Parses the file content; throws <see cref="FormatException"/> with kube-like wording on a bad file.</summary>
    public static AuthenticationConfiguration Parse(string content)
    {
        // loadAuthenticationConfigFromData: empty data is refused before decoding.
        if (content.Length == 0) throw new FormatException("empty config data");
        AuthenticationConfiguration? config;
        try
        {
            config = Deserializer.Deserialize<AuthenticationConfiguration?>(content);
        }
        catch (YamlException e)
        {
            // The strict decoder names the unknown or malformed field; YamlDotNet gives the position.
            var inner = e.InnerException?.Message;
            throw new FormatException($"strict decoding error: {e.Message}{(inner is null ? "" : ": " + inner)} (line {e.Start.Line}, column {e.Start.Column})");
        }
        if (config is null) throw new FormatException("empty config data");
        if (string.IsNullOrEmpty(config.Kind)) throw new FormatException("Object 'Kind' is missing in the configuration");
        if (string.IsNullOrEmpty(config.ApiVersion)) throw new FormatException("Object 'apiVersion' is missing in the configuration");
        var slash = config.ApiVersion.IndexOf('/');
        var group = slash < 0 ? "" : config.ApiVersion[..slash];
        var version = slash < 0 ? config.ApiVersion : config.ApiVersion[(slash + 1)..];
        if (group != Group || !Versions.Contains(version) || config.Kind != Kind)
            throw new FormatException($"no kind \"{config.Kind}\" is registered for version \"{config.ApiVersion}\"");
        return Normalize(config);
    }

    /// <summary>An explicit <c>null</c> in YAML leaves a list null; kube's Go slices treat that as empty.</summary>
    static AuthenticationConfiguration Normalize(AuthenticationConfiguration c)
    {
        c.Jwt ??= [];
        foreach (var j in c.Jwt)
        {
            j.Issuer ??= new IssuerConfiguration();
            j.Issuer.Audiences ??= [];
            j.ClaimValidationRules ??= [];
            j.ClaimMappings ??= new ClaimMappings();
            j.ClaimMappings.Username ??= new PrefixedClaimOrExpression();
            j.ClaimMappings.Groups ??= new PrefixedClaimOrExpression();
            j.ClaimMappings.Uid ??= new ClaimOrExpression();
            j.ClaimMappings.Extra ??= [];
            j.UserValidationRules ??= [];
        }
        if (c.Anonymous is not null) c.Anonymous.Conditions ??= [];
        return c;
    }
}
