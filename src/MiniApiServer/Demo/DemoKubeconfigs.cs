using MiniApiServer.Demo.OidcIssuer;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo;

/// <summary>How to run this program again from a kubeconfig's exec block: the executable and the arguments before the subcommand.</summary>
public sealed record SelfCommand(string Command, IReadOnlyList<string> LeadingArgs)
{
    /// <summary>The running program: its apphost, or <c>dotnet MiniApiServer.dll</c> when started through the dotnet host.</summary>
    public static SelfCommand Current()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var isDotnetHost = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost
            ? new SelfCommand(process, [Path.Combine(AppContext.BaseDirectory, typeof(SelfCommand).Assembly.GetName().Name + ".dll")])
            : new SelfCommand(process, []);
    }
}

/// <summary>
/// One kubeconfig per demo identity of each demo provider, written beside admin.kubeconfig:
/// <list type="bullet">
/// <item><c>oidc-&lt;user&gt;.kubeconfig</c>: the API server, with an exec credential plugin (<c>oidc-login</c>) that logs the user in to the demo issuer;</item>
/// <item><c>webhook-&lt;user&gt;.kubeconfig</c>: the API server, with the user's first token from ldap.yaml;</item>
/// <item><c>proxy-&lt;user&gt;.kubeconfig</c>: the authenticating proxy's URL, with the user's proxy token (or password).</item>
/// </list>
/// </summary>
public static class DemoKubeconfigs
{
    public const string ClusterName = "miniapiserver";

    /// <summary>Writes a kubeconfig per demo identity of each mechanism the server has switched on.</summary>
    public static IReadOnlyList<string> WriteAll(DemoProviders demo, ClusterPki pki, string apiServerUrl, string kubeconfigDir, SelfCommand self,
        bool oidc = true, bool proxy = true, bool webhook = true)
    {
        Directory.CreateDirectory(kubeconfigDir);
        var written = new List<string>();
        void Write(string file, KubeconfigSpec spec)
        {
            var path = Path.Combine(kubeconfigDir, file);
            Kubeconfig.Write(path, spec);
            written.Add(path);
        }

        var tokenCache = OidcLoginCacheDir(demo.Options.StateDir);
        foreach (var user in demo.Users.All)
        {
            if (oidc) Write($"oidc-{user.Username}.kubeconfig", Oidc(user, apiServerUrl, demo.OidcIssuerUrl, pki, tokenCache, self));
            if (proxy)
                Write($"proxy-{user.Username}.kubeconfig", Proxy(user, demo.AuthProxyUrl, pki.CaPem));
        }
        foreach (var group in webhook ? demo.Directory.Tokens.GroupBy(t => t.User.Username) : [])
            Write($"webhook-{group.Key}.kubeconfig", Webhook(group.Key, group.First().Token, apiServerUrl, pki.CaPem));
        return written;
    }

    /// <summary>Where the <c>oidc-login</c> plugin of the written kubeconfigs caches ID tokens: beside the demo state.</summary>
    public static string OidcLoginCacheDir(string demoStateDir) => Path.Combine(demoStateDir, "oidc-login-cache");

    /// <summary>The API server, with the exec plugin <c>oidc-login</c> logging <paramref name="user"/> in to the issuer (password grant, as kubelogin).</summary>
    public static KubeconfigSpec Oidc(DemoUser user, string apiServerUrl, string issuerUrl, ClusterPki pki, string tokenCacheDir, SelfCommand self)
    {
        string[] args =
        [
            .. self.LeadingArgs, CredentialPlugin.Name, "get-token",
            $"--oidc-issuer-url={issuerUrl}", $"--oidc-client-id={DemoOidcIssuer.ClientId}",
            $"--username={user.Username}", $"--password={user.Password}",
            $"--certificate-authority={pki.PathOf(PkiFileNames.CaCert)}", $"--token-cache-dir={tokenCacheDir}",
        ];
        return new KubeconfigSpec(ClusterName, apiServerUrl, pki.CaPem, $"oidc-{user.Username}", new ExecPluginCredential(self.Command, args));
    }

    /// <summary>
    /// The authenticating proxy's URL as the server: the user's proxy token when it has one, else HTTP Basic with
    /// the password (client-go sends Basic for <c>username</c>/<c>password</c>; the demo proxy accepts both).
    /// </summary>
    public static KubeconfigSpec Proxy(DemoUser user, string authProxyUrl, string caPem) =>
        new(ClusterName + "-via-proxy", authProxyUrl, caPem, $"proxy-{user.Username}",
            user.ProxyToken is { Length: > 0 } token ? new TokenCredential(token) : new BasicAuthCredential(user.Username, user.Password));

    /// <summary>The API server, with one of the user's tokens from the webhook's directory (ldap.yaml).</summary>
    public static KubeconfigSpec Webhook(string username, string token, string apiServerUrl, string caPem) =>
        new(ClusterName, apiServerUrl, caPem, $"webhook-{username}", new TokenCredential(token));
}
