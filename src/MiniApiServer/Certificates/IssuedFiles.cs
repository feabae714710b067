using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.KubeConfigModels;
using MiniApiServer.Pki;

namespace MiniApiServer.Certificates;

/// <summary>The files an administrator hands out (key, certificate, kubeconfig), and reading kubeconfigs back.</summary>
public static class IssuedFiles
{
    /// <summary>Writes <c>&lt;name&gt;.key</c> (0600), <c>&lt;name&gt;.crt</c> and <c>&lt;name&gt;.kubeconfig</c> (0600); returns their paths, the kubeconfig last.</summary>
    public static IReadOnlyList<string> Write(string outDir, string name, IssuedCertificate issued, KubeconfigSpec spec)
    {
        Directory.CreateDirectory(outDir);
        var key = Path.Combine(outDir, name + ".key");
        var crt = Path.Combine(outDir, name + ".crt");
        var kubeconfig = Path.Combine(outDir, name + ".kubeconfig");
        AtomicFile.WriteAllText(key, issued.PrivateKeyPem, secret: true);
        AtomicFile.WriteAllText(crt, issued.CertificatePem, secret: false);
        Kubeconfig.Write(kubeconfig, spec);
        return [key, crt, kubeconfig];
    }

    /// <summary>The kubeconfig's single cluster, user and context, when its user holds a client certificate.</summary>
    public sealed record CertificateKubeconfig(string ClusterName, string Server, string CaPem, string UserName, string? Namespace, X509Certificate2 Certificate);

    public static CertificateKubeconfig? ReadCertificateKubeconfig(string path)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: false);
        var context = config.Contexts?.FirstOrDefault(c => c.Name == config.CurrentContext);
        var cluster = config.Clusters?.FirstOrDefault(c => c.Name == context?.ContextDetails?.Cluster);
        var user = config.Users?.FirstOrDefault(u => u.Name == context?.ContextDetails?.User);
        if (context is null || cluster?.ClusterEndpoint is null || user?.UserCredentials?.ClientCertificateData is not { Length: > 0 } data) return null;
        return new CertificateKubeconfig(cluster.Name, cluster.ClusterEndpoint.Server, Decode(cluster.ClusterEndpoint.CertificateAuthorityData ?? ""),
            user.Name, context.ContextDetails.Namespace, X509Certificate2.CreateFromPem(Decode(data)));
    }

    /// <summary>The client certificate of a kubeconfig's current user.</summary>
    public static X509Certificate2 ClientCertificateOf(string kubeconfigPath) =>
        ReadCertificateKubeconfig(Path.GetFullPath(kubeconfigPath))?.Certificate
        ?? throw new Hosting.ConfigurationException($"{kubeconfigPath}: its current user has no client-certificate-data");

    /// <summary>The server URL of a kubeconfig's current context, or null.</summary>
    public static string? ServerOf(string kubeconfigPath)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(kubeconfigPath), useRelativePaths: false);
        var context = config.Contexts?.FirstOrDefault(c => c.Name == config.CurrentContext);
        return config.Clusters?.FirstOrDefault(c => c.Name == context?.ContextDetails?.Cluster)?.ClusterEndpoint?.Server;
    }

    static string Decode(string base64) => base64.Length == 0 ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
