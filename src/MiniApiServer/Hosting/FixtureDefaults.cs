using MiniApiServer.Authentication.Oidc;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.Webhook;
using MiniApiServer.Demo;
using MiniApiServer.Pki;

namespace MiniApiServer.Hosting;

/// <summary>
/// What <c>./run.sh</c> without flags switches on: every authentication mechanism, configured from fixtures/
/// and the demo providers, expressed as the kube-apiserver flags a user would have typed. A mechanism the user
/// configures on the command line (any of its flags, even with an empty value) gets no fixture default, so
/// the user's configuration replaces the fixture's; with --demo-providers=false nothing that points at a demo
/// provider is added.
/// </summary>
public static class FixtureDefaults
{
    /// <summary>The effective arguments: fixture defaults for unconfigured mechanisms, then the user's.</summary>
    public static string[] Apply(IReadOnlyList<string> userArgs, FlagSet user, string? fixturesDir, DemoProviders? demo, string certDir)
    {
        var defaults = new List<string>();
        bool Unset(params string[] flags) => !flags.Any(user.IsSet);

        if (fixturesDir is not null && Unset("token-auth-file"))
            defaults.Add($"--token-auth-file={Path.Combine(fixturesDir, DemoFixtures.TokenFileName)}");
        if (fixturesDir is not null && Unset("enable-bootstrap-token-auth"))
            defaults.Add("--enable-bootstrap-token-auth=true");
        // kubeadm's front-proxy settings: the cluster PKI's front-proxy CA, its client certificate's CN.
        if (fixturesDir is not null && Unset(RequestHeaderOptions.ClientCaFileFlag, RequestHeaderOptions.AllowedNamesFlag, RequestHeaderOptions.UsernameHeadersFlag,
                RequestHeaderOptions.UidHeadersFlag, RequestHeaderOptions.GroupHeadersFlag, RequestHeaderOptions.ExtraHeadersPrefixFlag))
        {
            defaults.Add($"--{RequestHeaderOptions.ClientCaFileFlag}={Path.Combine(certDir, PkiFileNames.FrontProxyCaCert)}");
            defaults.Add($"--{RequestHeaderOptions.AllowedNamesFlag}=front-proxy-client");
            defaults.Add($"--{RequestHeaderOptions.UsernameHeadersFlag}=X-Remote-User");
            defaults.Add($"--{RequestHeaderOptions.UidHeadersFlag}=X-Remote-Uid");
            defaults.Add($"--{RequestHeaderOptions.GroupHeadersFlag}=X-Remote-Group");
            defaults.Add($"--{RequestHeaderOptions.ExtraHeadersPrefixFlag}=X-Remote-Extra-");
        }
        // The demo issuer as a structured JWT authenticator, unless any OIDC flag or an --authentication-config is given.
        if (demo is not null && Unset([.. OidcOptions.Flags.Select(f => f.Name)]))
            defaults.Add($"--{OidcOptions.AuthenticationConfigFlag}={demo.AuthenticationConfigPath}");
        if (demo is not null && Unset(WebhookTokenOptions.ConfigFileFlag, WebhookTokenOptions.CacheTtlFlag, WebhookTokenOptions.VersionFlag))
        {
            defaults.Add($"--{WebhookTokenOptions.ConfigFileFlag}={demo.WebhookKubeconfigPath}");
            defaults.Add($"--{WebhookTokenOptions.VersionFlag}=v1");
        }
        return [.. defaults, .. userArgs];
    }
}
