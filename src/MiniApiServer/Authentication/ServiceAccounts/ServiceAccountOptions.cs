using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// How service accounts get their tokens. <see cref="Legacy"/>: the tokens controller generates a
/// <c>kubernetes.io/service-account-token</c> Secret for every account and admission mounts it as a secret
/// volume (Kubernetes before 1.24). <see cref="Bound"/>: no automatic Secrets; pods get the projected
/// <c>kube-api-access-*</c> volume with a kubelet-requested bound token (Kubernetes 1.24+). TokenRequest and
/// hand-made token Secrets work in both.
/// </summary>
public enum ServiceAccountTokenMode { Legacy, Bound }

/// <summary>
/// kube-apiserver's service-account flags (pkg/kubeapiserver/options/authentication.go) plus the simulator's
/// <c>--service-account-token-mode</c>. Key files default to the cluster PKI's <c>sa.key</c>/<c>sa.pub</c>.
/// </summary>
public sealed record ServiceAccountOptions
{
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new("service-account-issuer", FlagKind.StringList, DefaultIssuer, "Identifier of the service account token issuer: the 'iss' claim of issued tokens. When repeated, the first signs and every one is accepted."),
        new("service-account-key-file", FlagKind.StringList, "", "PEM files with public (or private) keys that verify service account tokens. Default: <cert-dir>/sa.pub."),
        new("service-account-signing-key-file", FlagKind.String, "", "The private key that signs service account tokens (RS256). Default: <cert-dir>/sa.key."),
        new("service-account-max-token-expiration", FlagKind.Duration, "", "The maximum validity of a token issued through the TokenRequest API; longer requests are shortened. Must be at least 1h when set."),
        new("service-account-extend-token-expiration", FlagKind.Bool, "true", "Turns on projected service account expiration extension during token generation: kubelet-requested tokens are valid for a year, with a warning logged after their requested lifetime."),
        new("service-account-jwks-uri", FlagKind.String, "", "Overrides the URI for the JSON Web Key Set in the discovery doc served at /.well-known/openid-configuration (https only). Default: https://<server address>/openid/v1/jwks."),
        new("service-account-lookup", FlagKind.Bool, "true", "If true, validate ServiceAccount tokens exist in storage as part of authentication."),
        new("service-account-token-mode", FlagKind.String, "legacy", "Simulator: 'legacy' generates a token Secret for every service account and mounts it into pods as a secret volume (Kubernetes before 1.24); 'bound' generates none and mounts the projected kube-api-access volume with a bound token (1.24+)."),
    ];

    /// <summary>Accepted issuers; the first is written into new tokens.</summary>
    public required IReadOnlyList<string> Issuers { get; init; }
    /// <summary>PEM files whose public keys verify tokens.</summary>
    public required IReadOnlyList<string> KeyFiles { get; init; }
    /// <summary>The PEM private key that signs tokens.</summary>
    public required string SigningKeyFile { get; init; }
    /// <summary>Null when not set: TokenRequest has no upper bound beyond its own validation.</summary>
    public required TimeSpan? MaxTokenExpiration { get; init; }
    public required bool ExtendTokenExpiration { get; init; }
    public required bool Lookup { get; init; }
    /// <summary>--service-account-jwks-uri: the discovery document's jwks_uri; null for the server's own /openid/v1/jwks.</summary>
    public string? JwksUri { get; init; }
    public required ServiceAccountTokenMode TokenMode { get; init; }

    public static ServiceAccountOptions FromFlags(FlagSet f, string certDir)
    {
        var issuers = f.GetList("service-account-issuer");
        if (issuers.Count == 0)
            throw new ConfigurationException("--service-account-issuer: at least one issuer is required");
        foreach (var issuer in issuers)
            if (issuer.Contains(':') && !Uri.TryCreate(issuer, UriKind.Absolute, out _))
                throw new ConfigurationException($"--service-account-issuer: \"{issuer}\" contained a ':' but was not a valid URL");
        TimeSpan? max = f.IsSet("service-account-max-token-expiration") ? f.GetDuration("service-account-max-token-expiration") : null;
        if (max is { } m && (m < TimeSpan.FromHours(1) || m > TimeSpan.FromSeconds(1L << 32)))
            throw new ConfigurationException("--service-account-max-token-expiration: the service-account-max-token-expiration must be between 1 hour and 2^32 seconds");
        var jwksUri = f.GetString("service-account-jwks-uri");
        if (jwksUri.Length > 0)
        {
            if (!Uri.TryCreate(jwksUri, UriKind.Absolute, out var parsed))
                throw new ConfigurationException($"--service-account-jwks-uri: service-account-jwks-uri must be a valid URL: {jwksUri}");
            if (parsed.Scheme != Uri.UriSchemeHttps)
                throw new ConfigurationException($"--service-account-jwks-uri: service-account-jwks-uri requires https scheme, parsed as: {jwksUri}");
        }
        var mode = f.GetString("service-account-token-mode") switch
        {
            "legacy" => ServiceAccountTokenMode.Legacy,
            "bound" => ServiceAccountTokenMode.Bound,
            var other => throw new ConfigurationException($"invalid argument \"{other}\" for \"--service-account-token-mode\" flag: expected legacy or bound"),
        };
        var keyFiles = f.GetList("service-account-key-file");
        return new ServiceAccountOptions
        {
            Issuers = issuers,
            KeyFiles = keyFiles.Count > 0 ? keyFiles.Select(Path.GetFullPath).ToList() : [Path.Combine(certDir, "sa.pub")],
            SigningKeyFile = f.GetString("service-account-signing-key-file") is { Length: > 0 } k ? Path.GetFullPath(k) : Path.Combine(certDir, "sa.key"),
            MaxTokenExpiration = max,
            ExtendTokenExpiration = f.GetBool("service-account-extend-token-expiration"),
            Lookup = f.GetBool("service-account-lookup"),
            JwksUri = jwksUri.Length > 0 ? jwksUri : null,
            TokenMode = mode,
        };
    }
}
