using System.Security.Cryptography.X509Certificates;
using k8s;
using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Hosting;

public sealed class KubeconfigCommandTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "kubeconfig-cmd-" + Guid.NewGuid().ToString("N"));

    X509Certificate2 Issue(params string[] args)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".kubeconfig");
        Assert.Equal(0, KubeconfigCommand.Run([.. args, $"--cert-dir={dir}/certs", $"--out={path}"], TimeProvider.System));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal("https://127.0.0.1:7443/", config.Host.TrimEnd('/') + "/");
        return X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(config.ClientCertificateData!)));
    }

    [Fact]
    public void CommonNameIsTheUserAndEachGroupAnOrganization()
    {
        var cert = Issue("--user=dev1", "--group=engineering", "--group=qa", "--secure-port=7443");
        Assert.Equal("dev1", cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=engineering", cert.Subject);
        Assert.Contains("O=qa", cert.Subject);
        Assert.InRange(cert.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(366));
    }

    [Fact]
    public void ZeroDaysIssuesAnExpiredCertificate()
    {
        var cert = Issue("--user=old", "--days=0", "--server=https://127.0.0.1:7443");
        Assert.True(cert.NotAfter.ToUniversalTime() < DateTime.UtcNow);
    }

    [Fact]
    public void TheUserIsRequired() =>
        Assert.Equal("--user is required", Assert.Throws<ConfigurationException>(() => KubeconfigCommand.Run([$"--cert-dir={dir}"], TimeProvider.System)).Message);

    [Fact]
    public void AnHttpServerIsRefused() =>
        Assert.Contains("must be an https:// URL", Assert.Throws<ConfigurationException>(() => KubeconfigCommand.Run(["--user=a", "--server=http://x", $"--cert-dir={dir}"], TimeProvider.System)).Message);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
