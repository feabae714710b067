using System.Text;
using k8s;
using MiniApiServer.Pki;
using YamlDotNet.RepresentationModel;

namespace MiniApiServer.Tests.Pki;

/// <summary>Generated kubeconfigs read back by KubernetesClient's own loader, as a client would.</summary>
public sealed class KubeconfigTests : IDisposable
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
    private const string Server = "https://127.0.0.1:6443";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ClientCertificateKubeconfigCarriesBase64PemData()
    {
        var spec = new KubeconfigSpec("kubernetes", Server, CaPem, "kubernetes-admin",
            new ClientCertificateCredential("CERT PEM\n", "KEY PEM\n"), Namespace: "default");

        var config = WriteAndLoad(spec);

        Assert.Equal("v1", config.ApiVersion);
        Assert.Equal("Config", config.Kind);
        Assert.Equal("kubernetes-admin@kubernetes", config.CurrentContext);
        var cluster = Assert.Single(config.Clusters);
        Assert.Equal("kubernetes", cluster.Name);
        Assert.Equal(Server, cluster.ClusterEndpoint.Server);
        Assert.Equal(CaPem, Decode(cluster.ClusterEndpoint.CertificateAuthorityData));
        var user = Assert.Single(config.Users);
        Assert.Equal("kubernetes-admin", user.Name);
        Assert.Equal("CERT PEM\n", Decode(user.UserCredentials.ClientCertificateData));
        Assert.Equal("KEY PEM\n", Decode(user.UserCredentials.ClientKeyData));
        Assert.Null(user.UserCredentials.Token);
        var context = Assert.Single(config.Contexts);
        Assert.Equal(("kubernetes-admin@kubernetes", "kubernetes", "kubernetes-admin", "default"),
            (context.Name, context.ContextDetails.Cluster, context.ContextDetails.User, context.ContextDetails.Namespace));
    }

    [Fact]
    public void TokenKubeconfigCarriesTheTokenOnly()
    {
        var config = WriteAndLoad(new KubeconfigSpec("kubernetes", Server, CaPem, "alice", new TokenCredential("abc.def")));

        var user = Assert.Single(config.Users).UserCredentials;
        Assert.Equal("abc.def", user.Token);
        Assert.Null(user.ClientCertificateData);
        Assert.Null(user.ExternalExecution);
    }

    [Fact]
    public void ExecKubeconfigNamesTheV1PluginThatNeverPrompts()
    {
        var spec = new KubeconfigSpec("kubernetes", Server, CaPem, "oidc-bob",
            new ExecPluginCredential("/usr/bin/dotnet", ["plugin.dll", "--user", "bob"], [new ExecEnvVar("ISSUER", "https://127.0.0.1:6444")]));

        var exec = Assert.Single(WriteAndLoad(spec).Users).UserCredentials.ExternalExecution;

        Assert.Equal("client.authentication.k8s.io/v1", exec.ApiVersion);
        Assert.Equal("/usr/bin/dotnet", exec.Command);
        Assert.Equal(["plugin.dll", "--user", "bob"], exec.Arguments);
        var env = Assert.Single(exec.EnvironmentVariables);
        Assert.Equal("ISSUER", env["name"]);
        Assert.Equal("https://127.0.0.1:6444", env["value"]);
        Assert.False(exec.ProvideClusterInfo);

        // KubernetesClient's model has no interactiveMode; kubectl requires it for v1 plugins.
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(_dir.File("config"))));
        var execNode = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["users"])[0])["user"])["exec"];
        Assert.Equal("Never", ((YamlScalarNode)execNode["interactiveMode"]).Value);
        Assert.Equal("false", ((YamlScalarNode)execNode["provideClusterInfo"]).Value);
    }

    [Fact]
    public void KubeconfigIsOwnerOnlyAndReplacedWhole()
    {
        var path = _dir.File("nested/admin.kubeconfig");
        Kubeconfig.Write(path, new KubeconfigSpec("kubernetes", Server, CaPem, "a", new TokenCredential("first")));
        Kubeconfig.Write(path, new KubeconfigSpec("kubernetes", Server, CaPem, "a", new TokenCredential("second")));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal("second", Assert.Single(KubernetesClientConfiguration.LoadKubeConfig(path).Users).UserCredentials.Token);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void ClientBuildsAWorkingConfigurationFromARealIssuedCertificate()
    {
        using var dir = new TempDirectory();
        using var pki = ClusterPki.LoadOrCreate(dir.Path, TimeProvider.System);
        var now = TimeProvider.System.GetUtcNow();
        var issued = pki.IssueClientCertificate("kubernetes-admin", ["system:masters"], now.AddMinutes(-5), now.AddYears(1));
        Kubeconfig.Write(_dir.File("admin"), new KubeconfigSpec("kubernetes", Server, pki.CaPem, "kubernetes-admin", new ClientCertificateCredential(issued)));

        var clientConfig = KubernetesClientConfiguration.BuildConfigFromConfigFile(_dir.File("admin"));

        Assert.Equal(Server, clientConfig.Host);
        Assert.Equal(pki.CaCertificate.Thumbprint, Assert.Single(clientConfig.SslCaCerts).Thumbprint);
        Assert.Equal(issued.CertificatePem, Decode(clientConfig.ClientCertificateData));
    }

    private k8s.KubeConfigModels.K8SConfiguration WriteAndLoad(KubeconfigSpec spec)
    {
        Kubeconfig.Write(_dir.File("config"), spec);
        return KubernetesClientConfiguration.LoadKubeConfig(_dir.File("config"));
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
