using MiniApiServer.Authentication.Oidc;
using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>Start-up configuration: the --oidc-* flags, the --authentication-config file, kube's validation wording.</summary>
public sealed class OidcConfigurationTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("oidc-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static FlagSet Flags(params string[] args) =>
        new FlagSet([.. OidcOptions.Flags, new FlagDefinition("service-account-issuer", FlagKind.StringList, "", "")]).Parse(args);

    string File(string content, string name = "authn.yaml")
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    static string Error(Action action) => Assert.Throws<ConfigurationException>(action).Message;

    const string Header = "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n";

    [Fact]
    public void NothingConfiguredMeansOff() => Assert.Null(OidcOptions.FromFlags(Flags()));

    [Fact]
    public void LegacyFlagsBecomeOneIssuerWithKubesDefaults()
    {
        var o = OidcOptions.FromFlags(Flags("--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=kube",
            "--oidc-groups-claim=groups", "--oidc-groups-prefix=g:", "--oidc-required-claim=hd=a,b", "--oidc-required-claim", "tier=gold"))!;
        var jwt = Assert.Single(o.Authenticators).Configuration;
        Assert.Equal("https://idp.example.com", jwt.Issuer.Url);
        Assert.Equal(["kube"], jwt.Issuer.Audiences);
        Assert.Equal("sub", jwt.ClaimMappings.Username.Claim);
        Assert.Equal("https://idp.example.com#", jwt.ClaimMappings.Username.Prefix);
        Assert.Equal("g:", jwt.ClaimMappings.Groups.Prefix);
        Assert.Equal(["RS256"], o.SigningAlgorithms);
        Assert.Equal([("hd", "a,b"), ("tier", "gold")], o.Authenticators[0].RequiredClaims);
        Assert.Null(o.Anonymous);
    }

    [Theory]
    [InlineData("--oidc-issuer-url=https://idp.example.com")]
    [InlineData("--oidc-client-id=kube")]
    [InlineData("--oidc-groups-claim=groups")]
    public void IssuerAndClientIdGoTogether(string flag) =>
        Assert.Equal("oidc-issuer-url and oidc-client-id must be specified together when any oidc-* flags are set", Error(() => OidcOptions.FromFlags(Flags(flag))));

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("rs256")]
    public void OnlyAsymmetricSigningAlgorithmsAreAllowed(string alg) =>
        Assert.Equal($"--oidc-signing-algs: oidc: unsupported signing alg: \"{alg}\"",
            Error(() => OidcOptions.FromFlags(Flags("--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=kube", $"--oidc-signing-algs=RS256,{alg}"))));

    [Fact]
    public void LegacyIssuerMustBeHttps() =>
        Assert.Equal("invalid authentication configuration: jwt[0].issuer.url: Invalid value: \"http://idp.example.com\": URL scheme must be https",
            Error(() => OidcOptions.FromFlags(Flags("--oidc-issuer-url=http://idp.example.com", "--oidc-client-id=kube"))));

    [Fact]
    public void CaFileIsReadAtStart()
    {
        Assert.StartsWith("--oidc-ca-file: open /nonexistent/ca.crt:",
            Error(() => OidcOptions.FromFlags(Flags("--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=kube", "--oidc-ca-file=/nonexistent/ca.crt"))));
        var notPem = File("hello", "ca.crt");
        Assert.Equal("invalid authentication configuration: jwt[0].issuer.certificateAuthority: Invalid value: \"<omitted>\": data does not contain any valid RSA or ECDSA certificates",
            Error(() => OidcOptions.FromFlags(Flags("--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=kube", $"--oidc-ca-file={notPem}"))));
    }

    [Fact]
    public void FlagsAndFileAreMutuallyExclusive()
    {
        var path = File(Header + "jwt: []\n");
        Assert.Equal("authentication-config file and oidc-* flags are mutually exclusive",
            Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}", "--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=kube"))));
    }

    [Theory]
    [InlineData("apiserver.config.k8s.io/v1")]
    [InlineData("apiserver.config.k8s.io/v1beta1")]
    [InlineData("apiserver.config.k8s.io/v1alpha1")]
    public void FileVersionsAreAccepted(string apiVersion)
    {
        var path = File($$"""
            apiVersion: {{apiVersion}}
            kind: AuthenticationConfiguration
            jwt:
            - issuer:
                url: https://a.example.com
                audiences: [kube, other]
                audienceMatchPolicy: MatchAny
              claimMappings:
                username: {expression: "claims.sub"}
            anonymous:
              enabled: true
              conditions: [{path: /livez}, {path: /readyz}]
            """);
        var o = OidcOptions.FromFlags(Flags($"--authentication-config={path}"))!;
        Assert.Equal(OidcOptions.AllValidSigningAlgorithms, o.SigningAlgorithms);
        Assert.Equal(path, o.AuthenticationConfigFile);
        Assert.True(o.Anonymous!.Enabled);
        Assert.Equal(["/livez", "/readyz"], o.Anonymous.Conditions.Select(c => c.Path));
    }

    [Fact]
    public void JsonFilesAreAccepted()
    {
        var path = File("""
            {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AuthenticationConfiguration",
             "jwt": [{"issuer": {"url": "https://a.example.com", "audiences": ["kube"]},
                      "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}]}
            """, "authn.json");
        Assert.Single(OidcOptions.FromFlags(Flags($"--authentication-config={path}"))!.Authenticators);
    }

    [Fact]
    public void FileWithOnlyAnonymousHasNoIssuers()
    {
        var path = File(Header + "anonymous: {enabled: false}\n");
        var o = OidcOptions.FromFlags(Flags($"--authentication-config={path}"))!;
        Assert.Empty(o.Authenticators);
        Assert.False(o.Anonymous!.Enabled);
    }

    [Theory]
    [InlineData("", "empty config data")]
    [InlineData("apiVersion: apiserver.config.k8s.io/v2\nkind: AuthenticationConfiguration\n", "no kind \"AuthenticationConfiguration\" is registered for version \"apiserver.config.k8s.io/v2\"")]
    [InlineData("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n", "no kind \"AuthorizationConfiguration\" is registered")]
    [InlineData("apiVersion: apiserver.config.k8s.io/v1\n", "Object 'Kind' is missing")]
    [InlineData("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer: {url: https://a.example.com, audiences: [x], egressSelectorType: cluster}\n", "strict decoding error")]
    [InlineData("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nbogus: 1\n", "strict decoding error")]
    public void BadFilesStopTheStart(string content, string error)
    {
        var path = File(content);
        var message = Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}")));
        Assert.StartsWith($"--authentication-config: failed to load authentication configuration from file \"{path}\": ", message);
        Assert.Contains(error, message);
    }

    [Fact]
    public void MissingFileStopsTheStart() =>
        Assert.Contains("failed to load authentication configuration from file \"/nonexistent.yaml\"",
            Error(() => OidcOptions.FromFlags(Flags("--authentication-config=/nonexistent.yaml"))));

    [Theory]
    [InlineData("- issuer: {audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.url: Required value: URL is required")]
    [InlineData("- issuer: {url: \"https://a.example.com?x=1\", audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.url: Invalid value: \"https://a.example.com?x=1\": URL must not contain a query")]
    [InlineData("- issuer: {url: \"https://u:p@a.example.com\", audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.url: Invalid value: \"https://u:p@a.example.com\": URL must not contain a username or password")]
    [InlineData("- issuer: {url: \"https://a.example.com#f\", audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.url: Invalid value: \"https://a.example.com#f\": URL must not contain a fragment")]
    [InlineData("- issuer: {url: \"https://sa.example.com\", audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.url: Invalid value: \"https://sa.example.com\": URL must not overlap with disallowed issuers: [https://sa.example.com]")]
    [InlineData("- issuer: {url: \"https://a.example.com\", discoveryURL: \"https://a.example.com/\", audiences: [kube]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.discoveryURL: Invalid value: \"https://a.example.com/\": discoveryURL must be different from URL")]
    [InlineData("- issuer: {url: \"https://a.example.com\"}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a, a], audienceMatchPolicy: MatchAny}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.audiences[1]: Duplicate value: \"a\"")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a, b]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"\": audienceMatchPolicy must be MatchAny for multiple audiences")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a], audienceMatchPolicy: MatchAll}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"MatchAll\": audienceMatchPolicy must be empty or MatchAny for single audience")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}", "jwt[0].claimMappings.username: Required value: claim or expression is required")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub}}", "jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {expression: claims.sub, prefix: x}}", "jwt[0].claimMappings.username.prefix: Invalid value: \"x\": prefix can't be set when expression is set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, expression: claims.sub}}", "jwt[0].claimMappings.username: Invalid value: \"\": claim and expression can't both be set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {expression: \"claims.sub +\"}}", "jwt[0].claimMappings.username.expression: Invalid value: \"claims.sub +\": compilation failed: ERROR: <input>: Line 1:12 mismatched input '<EOF>'")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {expression: \"claims.sub.lowerAscii()\"}}", "jwt[0].claimMappings.username.expression: Invalid value: \"claims.sub.lowerAscii()\": compilation failed: ERROR: <input>:1:12: undeclared reference to 'lowerAscii' (in container '')")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {expression: \"claims.email\"}}", "jwt[0].claimMappings.username.expression: Invalid value: \"claims.email\": claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}, uid: {claim: sub, expression: claims.sub}}", "jwt[0].claimMappings.uid: Invalid value: \"\": claim and expression can't both be set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n    extra: [{key: Example.com/x, valueExpression: claims.sub}]", "jwt[0].claimMappings.extra[0].key: Invalid value: \"Example.com/x\": key must be lowercase")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n    extra: [{key: foo.kubernetes.io/x, valueExpression: claims.sub}]", "jwt[0].claimMappings.extra[0].key: Invalid value: \"foo.kubernetes.io/x\": k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n    extra: [{key: tenant, valueExpression: claims.sub}]", "jwt[0].claimMappings.extra[0].key: Invalid value: \"tenant\": must be a domain-prefixed path (such as \"acme.io/foo\")")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n    extra: [{key: example.com/x}]", "jwt[0].claimMappings.extra[0].valueExpression: Required value: valueExpression is required")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings:\n    username: {claim: sub, prefix: \"\"}\n    extra: [{key: example.com/x, valueExpression: \"claims.?a.?b.orValue('')\"}]", "jwt[0].claimMappings.extra[0].valueExpression: Invalid value: \"claims.?a.?b.orValue('')\": compilation failed: ERROR: <input>:1:8: optional field selection is supported only as")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n  claimValidationRules: [{claim: hd, expression: \"true\"}]", "jwt[0].claimValidationRules[0]: Invalid value: \"hd\": claim and expression can't both be set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n  claimValidationRules: [{claim: hd, message: m}]", "jwt[0].claimValidationRules[0].message: Invalid value: \"m\": message can't be set when claim is set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n  claimValidationRules: [{expression: \"true\", requiredValue: x}]", "jwt[0].claimValidationRules[0].requiredValue: Invalid value: \"x\": requiredValue can't be set when expression is set")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n  claimValidationRules: [{}]", "jwt[0].claimValidationRules[0]: Required value: claim or expression is required")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n  userValidationRules: [{expression: \"user.name == ''\"}]", "jwt[0].userValidationRules[0].expression: Invalid value: \"user.name == ''\": compilation failed: ERROR: <input>:1:6: undefined field 'name'")]
    [InlineData("- issuer: {url: \"https://a.example.com\", audiences: [a]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n- issuer: {url: \"https://a.example.com\", audiences: [b]}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}", "jwt[1].issuer.url: Duplicate value: \"https://a.example.com\"")]
    public void InvalidFilesNameTheField(string jwt, string error)
    {
        var path = File(Header + "jwt:\n" + jwt + "\n");
        var message = Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}", "--service-account-issuer=https://sa.example.com")));
        Assert.StartsWith("--authentication-config: invalid authentication configuration: ", message);
        Assert.Contains(error, message);
    }

    [Fact]
    public void EmailWithEmailVerifiedElsewhereIsValid()
    {
        var path = File(Header + """
            jwt:
            - issuer: {url: "https://a.example.com", audiences: [a]}
              claimMappings: {username: {expression: "claims.email"}}
              claimValidationRules: [{expression: "claims.?email_verified.orValue(true) == true"}]
            """);
        Assert.NotNull(OidcOptions.FromFlags(Flags($"--authentication-config={path}")));
    }

    [Fact]
    public void SeveralErrorsAreAggregatedAsKubeDoes()
    {
        var path = File(Header + "jwt:\n- issuer: {url: \"http://a\"}\n  claimMappings: {username: {claim: sub, prefix: \"\"}}\n");
        Assert.Equal("--authentication-config: invalid authentication configuration: [jwt[0].issuer.url: Invalid value: \"http://a\": URL scheme must be https, jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required]",
            Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}"))));
    }

    [Fact]
    public void AnonymousConditionsNeedEnabled()
    {
        var path = File(Header + "anonymous:\n  enabled: false\n  conditions: [{path: /livez}]\n");
        Assert.Contains("anonymous.conditions: Invalid value: \"[{path: /livez}]\": enabled should be set to true when conditions are defined",
            Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}"))));
    }

    [Fact]
    public void TooManyIssuers()
    {
        var jwt = string.Concat(Enumerable.Range(0, 65).Select(i => $"- issuer: {{url: \"https://i{i}.example.com\", audiences: [a]}}\n  claimMappings: {{username: {{claim: sub, prefix: \"\"}}}}\n"));
        var path = File(Header + "jwt:\n" + jwt);
        Assert.EndsWith("jwt: Too many: 65: must have at most 64 items", Error(() => OidcOptions.FromFlags(Flags($"--authentication-config={path}"))));
    }
}
