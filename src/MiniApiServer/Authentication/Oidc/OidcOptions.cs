using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>
/// The JWT authenticators of kube-apiserver, configured either by the legacy <c>--oidc-*</c> flags (one issuer) or by
/// the <c>--authentication-config</c> file (several issuers, and the anonymous block) — never both.
/// </summary>
public sealed record OidcOptions(
    IReadOnlyList<CompiledJwtAuthenticator> Authenticators,
    IReadOnlyList<string> SigningAlgorithms,
    AnonymousAuthConfiguration? Anonymous,
    string? AuthenticationConfigFile)
{
    public const string IssuerUrlFlag = "oidc-issuer-url";
    public const string ClientIdFlag = "oidc-client-id";
    public const string CaFileFlag = "oidc-ca-file";
    public const string UsernameClaimFlag = "oidc-username-claim";
    public const string UsernamePrefixFlag = "oidc-username-prefix";
    public const string GroupsClaimFlag = "oidc-groups-claim";
    public const string GroupsPrefixFlag = "oidc-groups-prefix";
    public const string SigningAlgsFlag = "oidc-signing-algs";
    public const string RequiredClaimFlag = "oidc-required-claim";
    public const string AuthenticationConfigFlag = "authentication-config";

    /// <summary>oidc.go allowedSigningAlgs: the asymmetric JOSE algorithms; with the config file all of them are allowed.</summary>
    public static readonly IReadOnlyList<string> AllValidSigningAlgorithms = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"];

    static readonly string[] OidcFlagNames = [IssuerUrlFlag, ClientIdFlag, CaFileFlag, UsernameClaimFlag, UsernamePrefixFlag, GroupsClaimFlag, GroupsPrefixFlag, SigningAlgsFlag, RequiredClaimFlag];

    /// <summary>kube-apiserver 1.32's flags (pkg/kubeapiserver/options/authentication.go), names, defaults and help.</summary>
    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new(IssuerUrlFlag, FlagKind.String, "", "The URL of the OpenID issuer, only HTTPS scheme will be accepted. If set, it will be used to verify the OIDC JSON Web Token (JWT)."),
        new(ClientIdFlag, FlagKind.String, "", "The client ID for the OpenID Connect client, must be set if oidc-issuer-url is set."),
        new(CaFileFlag, FlagKind.String, "", "If set, the OpenID server's certificate will be verified by one of the authorities in the oidc-ca-file, otherwise the host's root CA set will be used."),
        new(UsernameClaimFlag, FlagKind.String, "sub", "The OpenID claim to use as the user name. Note that claims other than the default ('sub') is not guaranteed to be unique and immutable. This flag is experimental, please see the authentication documentation for further details."),
        new(UsernamePrefixFlag, FlagKind.String, "", "If provided, all usernames will be prefixed with this value. If not provided, username claims other than 'email' are prefixed by the issuer URL to avoid clashes. To skip any prefixing, provide the value '-'."),
        new(GroupsClaimFlag, FlagKind.String, "", "If provided, the name of a custom OpenID Connect claim for specifying user groups. The claim value is expected to be a string or array of strings. This flag is experimental, please see the authentication documentation for further details."),
        new(GroupsPrefixFlag, FlagKind.String, "", "If provided, all groups will be prefixed with this value to prevent conflicts with other authentication strategies."),
        new(SigningAlgsFlag, FlagKind.StringList, "RS256", "Comma-separated list of allowed JOSE asymmetric signing algorithms. JWTs with a supported 'alg' header values are: RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512. Values are defined by RFC 7518 https://tools.ietf.org/html/rfc7518#section-3.1."),
        new(RequiredClaimFlag, FlagKind.StringList, "", "A key=value pair that describes a required claim in the ID Token. If set, the claim is verified to be present in the ID Token with a matching value. Repeat this flag to specify multiple claims."),
        new(AuthenticationConfigFlag, FlagKind.String, "", "File with Authentication Configuration to configure the JWT Token authenticator or the anonymous authenticator. Note: This feature is in Beta since v1.30 and is enabled by default (via StructuredAuthenticationConfiguration feature gate)."),
    ];

    /// <summary>
    /// The options, or null when neither the oidc flags nor a config file are given. Bad settings throw
    /// <see cref="ConfigurationException"/> (exit 2) with kube's message, naming the flag or the file's field.
    /// The service-account issuers (when that flag is defined) may not be JWT issuers, as in kube.
    /// </summary>
    public static OidcOptions? FromFlags(FlagSet flags, CelExpressionCompiler? compiler = null)
    {
        compiler ??= new CelExpressionCompiler();
        var configFile = flags.GetString(AuthenticationConfigFlag);
        var oidcFlagsSet = OidcFlagNames.Any(flags.IsSet);
        IReadOnlyList<string> disallowed = flags.Definitions.Any(d => d.Name == "service-account-issuer") ? flags.GetList("service-account-issuer") : [];

        if (configFile.Length > 0)
        {
            if (oidcFlagsSet) throw new ConfigurationException("authentication-config file and oidc-* flags are mutually exclusive");
            string content;
            AuthenticationConfiguration config;
            try
            {
                content = File.ReadAllText(configFile);
                config = AuthenticationConfigurationFile.Parse(content);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new ConfigurationException($"--{AuthenticationConfigFlag}: failed to load authentication configuration from file \"{configFile}\": {e.Message}");
            }
            return FromConfiguration(config, AllValidSigningAlgorithms, disallowed, compiler, configFile);
        }

        if (!oidcFlagsSet) return null;
        var issuer = flags.GetString(IssuerUrlFlag);
        var clientId = flags.GetString(ClientIdFlag);
        if (issuer.Length == 0 || clientId.Length == 0)
            throw new ConfigurationException("oidc-issuer-url and oidc-client-id must be specified together when any oidc-* flags are set");
        var algorithms = flags.GetList(SigningAlgsFlag);
        foreach (var alg in algorithms)
            if (!AllValidSigningAlgorithms.Contains(alg, StringComparer.Ordinal))
                throw new ConfigurationException($"--{SigningAlgsFlag}: oidc: unsupported signing alg: {IdTokenVerifier.GoQuote(alg)}");
        string? ca = null;
        var caFile = flags.GetString(CaFileFlag);
        if (caFile.Length > 0)
        {
            try
            {
                ca = File.ReadAllText(caFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"--{CaFileFlag}: open {caFile}: {e.Message}");
            }
        }
        var jwt = FromLegacyFlags(issuer, clientId, flags.GetString(UsernameClaimFlag), flags.GetString(UsernamePrefixFlag),
            flags.GetString(GroupsClaimFlag), flags.GetString(GroupsPrefixFlag), RequiredClaims(flags.GetList(RequiredClaimFlag)), ca);
        var configuration = new AuthenticationConfiguration { Jwt = [jwt] };
        return FromConfiguration(configuration, algorithms.Count == 0 ? ["RS256"] : algorithms, disallowed, compiler, null);
    }

    /// <summary>Validates and compiles a configuration; throws <see cref="ConfigurationException"/> with kube's aggregate.</summary>
    public static OidcOptions FromConfiguration(AuthenticationConfiguration config, IReadOnlyList<string> algorithms,
        IReadOnlyCollection<string> disallowedIssuers, CelExpressionCompiler compiler, string? configFile = null)
    {
        var result = AuthenticationConfigurationValidator.Validate(config, disallowedIssuers, compiler);
        if (result.Errors.Count > 0)
        {
            var where = configFile is null ? "" : $"--{AuthenticationConfigFlag}: ";
            throw new ConfigurationException($"{where}invalid authentication configuration: {AuthenticationConfigurationValidator.Aggregate(result.Errors)}");
        }
        return new OidcOptions(result.Authenticators, algorithms, config.Anonymous, configFile);
    }

    /// <summary>
    /// kube's ToAuthenticationConfig for the legacy flags: one issuer, the client id as its only audience, the
    /// username prefix defaulted to "{issuer}#" for claims other than email ("-" means none), the required claims
    /// as claim validation rules.
    /// </summary>
    public static JwtAuthenticatorConfiguration FromLegacyFlags(string issuerUrl, string clientId, string usernameClaim, string usernamePrefix,
        string groupsClaim, string groupsPrefix, IReadOnlyList<(string Claim, string Value)> requiredClaims, string? certificateAuthority)
    {
        var prefix = usernamePrefix;
        if (usernamePrefix.Length == 0 && usernameClaim != "email") prefix = issuerUrl + "#";
        if (usernamePrefix == "-") prefix = "";
        return new JwtAuthenticatorConfiguration
        {
            Issuer = new IssuerConfiguration { Url = issuerUrl, Audiences = [clientId], CertificateAuthority = certificateAuthority },
            ClaimMappings = new ClaimMappings
            {
                Username = new PrefixedClaimOrExpression { Claim = usernameClaim, Prefix = prefix },
                Groups = groupsClaim.Length > 0 ? new PrefixedClaimOrExpression { Claim = groupsClaim, Prefix = groupsPrefix } : new PrefixedClaimOrExpression(),
            },
            ClaimValidationRules = requiredClaims.Select(c => new ClaimValidationRule { Claim = c.Claim, RequiredValue = c.Value }).ToList(),
        };
    }

    /// <summary>
    /// --oidc-required-claim is pflag's MapStringStringNoSplit: each occurrence is one key=value (the value may
    /// hold commas), split at the first '=', both sides trimmed, the last value of a key wins. FlagSet hands list
    /// flags back split at commas, so a piece without '=' is re-joined to the value before it.
    /// </summary>
    static List<(string, string)> RequiredClaims(IReadOnlyList<string> pieces)
    {
        var joined = new List<string>();
        foreach (var piece in pieces)
        {
            if (!piece.Contains('=') && joined.Count > 0) joined[^1] += "," + piece;
            else joined.Add(piece);
        }
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in joined)
        {
            var eq = pair.IndexOf('=');
            if (eq < 0) throw new ConfigurationException($"invalid argument \"{pair}\" for \"--{RequiredClaimFlag}\" flag: malformed pair, expect string=string");
            claims[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return claims.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
