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
/// <item><c>proxy-&lt;user&gt;.kubeconfig</c>: the authenticating proxy's URL, with the user's proxy token.</item>
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

        var tokenCache = Path.Combine(demo.Options.StateDir, "oidc-login-cache");
        foreach (var user in demo.Users.All)
        {
            string[] args =
            [
                .. self.LeadingArgs, CredentialPlugin.Name, "get-token",
                $"--oidc-issuer-url={demo.OidcIssuerUrl}", $"--oidc-client-id={DemoOidcIssuer.ClientId}",
                $"--username={user.Username}", $"--password={user.Password}",
                $"--certificate-authority={pki.PathOf(PkiFileNames.CaCert)}", $"--token-cache-dir={tokenCache}",
            ];
            if (oidc) Write($"oidc-{user.Username}.kubeconfig", new KubeconfigSpec(ClusterName, apiServerUrl, pki.CaPem, $"oidc-{user.Username}", new ExecPluginCredential(self.Command, args)));
            if (proxy && user.ProxyToken is { Length: > 0 } proxyToken)
                Write($"proxy-{user.Username}.kubeconfig", new KubeconfigSpec(ClusterName + "-via-proxy", demo.AuthProxyUrl, pki.CaPem, $"proxy-{user.Username}", new TokenCredential(proxyToken)));
        }
        foreach (var group in webhook ? demo.Directory.Tokens.GroupBy(t => t.User.Username) : [])
            Write($"webhook-{group.Key}.kubeconfig", new KubeconfigSpec(ClusterName, apiServerUrl, pki.CaPem, $"webhook-{group.Key}", new TokenCredential(group.First().Token)));
        return written;
    }
}
