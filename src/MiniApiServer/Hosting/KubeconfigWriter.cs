using MiniApiServer.Authentication;
using MiniApiServer.Authentication.TokenFile;
using MiniApiServer.Pki;

namespace MiniApiServer.Hosting;

/// <summary>
/// The kubeconfigs written at each start into &lt;data-dir&gt;/kubeconfigs, one per ready-made identity of the
/// server's own mechanisms (the demo providers' identities are DemoKubeconfigs'):
/// <list type="bullet">
/// <item><c>admin.kubeconfig</c>, <c>x509-devuser.kubeconfig</c>: client certificates from the cluster CA, issued
/// afresh each time (all by the same CA, so earlier ones stay valid);</item>
/// <item><c>token-&lt;user&gt;.kubeconfig</c>: each user of the static token file, with the user's first token;</item>
/// <item><c>anonymous.kubeconfig</c>: no credential at all, when anonymous requests are allowed.</item>
/// </list>
/// Service-account kubeconfigs (a token from the TokenRequest API) are not written here: they belong with the
/// service-account token issuer (Authentication/ServiceAccounts), which needs the objects in storage.
/// </summary>
public static class KubeconfigWriter
{
    public const string ClusterName = "miniapiserver";
    public const string AnonymousFileName = "anonymous.kubeconfig";

    public static IReadOnlyList<string> WriteAll(ClusterPki pki, ServerOptions options, string serverUrl, TimeProvider time, TokenFileAuthenticator? tokenFile)
    {
        Directory.CreateDirectory(options.KubeconfigDir);
        var now = time.GetUtcNow();
        var written = new List<string>();
        void Write(string file, KubeconfigSpec spec)
        {
            var path = Path.Combine(options.KubeconfigDir, file);
            Kubeconfig.Write(path, spec);
            written.Add(path);
        }

        var admin = pki.IssueUserCertificate("kubernetes-admin", [UserInfo.Masters], now.AddMinutes(-5), now.AddYears(1));
        Write("admin.kubeconfig", new KubeconfigSpec(ClusterName, serverUrl, pki.CaPem, "kubernetes-admin", new ClientCertificateCredential(admin)));
        // A plain x509 user, as the seed's "CN=devuser, O=engineering" example: authenticated, no permissions until bound.
        var dev = pki.IssueUserCertificate("devuser", ["engineering"], now.AddMinutes(-5), now.AddYears(1));
        Write("x509-devuser.kubeconfig", new KubeconfigSpec(ClusterName, serverUrl, pki.CaPem, "devuser", new ClientCertificateCredential(dev)));

        // x509 is tried before bearer tokens, so these files carry the token alone.
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (token, user) in tokenFile?.Entries ?? [])
            if (files.Add(TokenFileName(user.Name)))
                Write(TokenFileName(user.Name), StaticToken(user.Name, token, serverUrl, pki.CaPem));

        if (options.AnonymousAuth) Write(AnonymousFileName, Anonymous(serverUrl, pki.CaPem));
        return written;
    }

    /// <summary><c>token-&lt;user&gt;.kubeconfig</c>, the user name kept to the characters safe in a file name on every system.</summary>
    public static string TokenFileName(string userName) => $"token-{SafeFileNamePart(userName)}.kubeconfig";

    /// <summary>The API server with one static token (<c>users[].user.token</c>, sent as <c>Authorization: Bearer</c>).</summary>
    public static KubeconfigSpec StaticToken(string userName, string token, string serverUrl, string caPem) =>
        new(ClusterName, serverUrl, caPem, $"token-{userName}", new TokenCredential(token));

    /// <summary>
    /// A kubeconfig that presents no credential, so the server sees <c>system:anonymous</c>. An empty user entry
    /// will not do: kubectl's client config then finds nothing that "can identify the user" and, over https,
    /// prompts "Please enter Username" on standard input (client-go clientcmd). A <c>username</c> without a
    /// password stops the prompt; client-go then sends it as HTTP Basic, which kube-apiserver has ignored since
    /// 1.19 (no Basic authenticator; the bearer-token authenticator passes on a non-Bearer header), and so does
    /// this server: the request is anonymous exactly as one without the header.
    /// </summary>
    public static KubeconfigSpec Anonymous(string serverUrl, string caPem) =>
        new(ClusterName, serverUrl, caPem, "anonymous", new BasicAuthCredential(UserInfo.Anonymous));

    static string SafeFileNamePart(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' ? c : '_'));
}
