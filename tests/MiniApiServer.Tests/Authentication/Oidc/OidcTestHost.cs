using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>A fake issuer, a fake clock and the authenticators built from a configuration, ready to use.</summary>
public sealed class OidcTestHost : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public FakeOidcIssuer Issuer { get; }
    public FakeTimeProvider Time { get; } = new(Start);
    public JwtAuthenticators Authenticators { get; }
    public JwtAuthenticator First => Authenticators.Members[0];

    OidcTestHost(FakeOidcIssuer issuer, OidcOptions options)
    {
        Issuer = issuer;
        Authenticators = OidcAuthenticatorFactory.Create(options, Time, NullLoggerFactory.Instance, issuer);
    }

    /// <summary>From an AuthenticationConfiguration YAML (all algorithms allowed, as with the file).</summary>
    public static async Task<OidcTestHost> FromYamlAsync(string yaml, FakeOidcIssuer? issuer = null, bool initialize = true)
    {
        var config = AuthenticationConfigurationFile.Parse(yaml);
        var options = OidcOptions.FromConfiguration(config, OidcOptions.AllValidSigningAlgorithms, [], new CelExpressionCompiler());
        var host = new OidcTestHost(issuer ?? new FakeOidcIssuer(), options);
        if (initialize)
            foreach (var m in host.Authenticators.Members) Assert.True(await m.InitializeAsync(CancellationToken.None), m.HealthError);
        return host;
    }

    /// <summary>One issuer with audience "kube", username from sub with prefix "" and the given extra YAML under the jwt entry.</summary>
    public static Task<OidcTestHost> WithMappingsAsync(string claimMappingsAndRules = "", FakeOidcIssuer? issuer = null)
    {
        var yaml = $$"""
            apiVersion: apiserver.config.k8s.io/v1beta1
            kind: AuthenticationConfiguration
            jwt:
            - issuer:
                url: {{(issuer?.Url ?? FakeOidcIssuer.DefaultUrl)}}
                audiences: [kube]
            {{Indent(string.IsNullOrWhiteSpace(claimMappingsAndRules) ? "claimMappings:\n  username: {claim: sub, prefix: \"\"}" : claimMappingsAndRules)}}
            """;
        return FromYamlAsync(yaml, issuer);
    }

    static string Indent(string s) => string.Join("\n", s.Split('\n').Select((l, i) => i == 0 ? "  " + l : "  " + l));

    /// <summary>From the legacy flags' translation.</summary>
    public static async Task<OidcTestHost> FromOptionsAsync(OidcOptions options, FakeOidcIssuer issuer)
    {
        var host = new OidcTestHost(issuer, options);
        foreach (var m in host.Authenticators.Members) Assert.True(await m.InitializeAsync(CancellationToken.None), m.HealthError);
        return host;
    }

    public ValueTask<MiniApiServer.Authentication.AuthenticationResult> AuthenticateAsync(string token) =>
        Authenticators.AuthenticateTokenAsync(token, CancellationToken.None);

    public void Dispose() => Authenticators.Dispose();
}
