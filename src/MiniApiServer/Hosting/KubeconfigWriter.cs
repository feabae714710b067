using MiniApiServer.Authentication;
using MiniApiServer.Pki;

namespace MiniApiServer.Hosting;

/// <summary>
/// The kubeconfigs written at each start into &lt;data-dir&gt;/kubeconfigs, one per ready-made identity.
/// Client certificates are issued afresh each time (all by the same CA, so earlier ones stay valid).
/// </summary>
public static class KubeconfigWriter
{
    public const string ClusterName = "miniapiserver";

    public static IReadOnlyList<string> WriteAll(ClusterPki pki, ServerOptions options, string serverUrl, TimeProvider time)
    {
        Directory.CreateDirectory(options.KubeconfigDir);
        var now = time.GetUtcNow();
        var written = new List<string>();
        var admin = pki.IssueUserCertificate("kubernetes-admin", [UserInfo.Masters], now.AddMinutes(-5), now.AddYears(1));
        var adminPath = Path.Combine(options.KubeconfigDir, "admin.kubeconfig");
        Kubeconfig.Write(adminPath, new KubeconfigSpec(ClusterName, serverUrl, pki.CaPem, "kubernetes-admin", new ClientCertificateCredential(admin)));
        written.Add(adminPath);
        // A plain x509 user, as the seed's "CN=devuser, O=engineering" example: authenticated, no permissions until bound.
        var dev = pki.IssueUserCertificate("devuser", ["engineering"], now.AddMinutes(-5), now.AddYears(1));
        var devPath = Path.Combine(options.KubeconfigDir, "x509-devuser.kubeconfig");
        Kubeconfig.Write(devPath, new KubeconfigSpec(ClusterName, serverUrl, pki.CaPem, "devuser", new ClientCertificateCredential(dev)));
        written.Add(devPath);
        return written;
    }
}
