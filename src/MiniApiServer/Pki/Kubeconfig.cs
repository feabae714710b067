using System.Text;
using YamlDotNet.Serialization;

namespace MiniApiServer.Pki;

/// <summary>How a kubeconfig user proves who it is (client-go <c>AuthInfo</c>): one of the kinds below.</summary>
public abstract record KubeconfigCredential;

/// <summary><c>client-certificate-data</c>/<c>client-key-data</c>: the PEM texts, base64-encoded in the file.</summary>
public sealed record ClientCertificateCredential(string CertificatePem, string PrivateKeyPem) : KubeconfigCredential
{
    public ClientCertificateCredential(IssuedCertificate issued) : this(issued.CertificatePem, issued.PrivateKeyPem) { }
}

/// <summary><c>token</c>: sent as <c>Authorization: Bearer</c>.</summary>
public sealed record TokenCredential(string Token) : KubeconfigCredential;

/// <summary>
/// <c>exec</c>: client-go runs <paramref name="Command"/> and reads an ExecCredential
/// (client.authentication.k8s.io/v1) from its stdout.
/// </summary>
public sealed record ExecPluginCredential(string Command, IReadOnlyList<string> Args, IReadOnlyList<ExecEnvVar>? Env = null) : KubeconfigCredential;

public sealed record ExecEnvVar(string Name, string Value);

/// <summary>
/// <c>username</c>/<c>password</c>: client-go sends <c>Authorization: Basic</c>. kube-apiserver has read no Basic
/// credentials since 1.19 (the header is not a bearer token, so no authenticator claims it); only an
/// authenticating proxy in front of it may. A <c>username</c> also keeps kubectl from prompting
/// ("Please enter Username") for a user entry that names no credential at all.
/// </summary>
public sealed record BasicAuthCredential(string Username, string? Password = null) : KubeconfigCredential;

/// <summary>One cluster, one user, one context joining them (the current one): a kubeconfig kubectl uses as it is.</summary>
public sealed record KubeconfigSpec(string ClusterName, string Server, string CaPem, string UserName, KubeconfigCredential Credential, string? Namespace = null)
{
    /// <summary>kubeadm's context naming: <c>kubernetes-admin@kubernetes</c>.</summary>
    public string ContextName => $"{UserName}@{ClusterName}";
}

/// <summary>Renders and writes kubeconfig files (client-go <c>clientcmd/api/v1</c> layout, YAML).</summary>
public static class Kubeconfig
{
    /// <summary>The exec credential API version that client-go 1.22+ speaks and kubectl 1.31–1.33 expect.</summary>
    public const string ExecApiVersion = "client.authentication.k8s.io/v1";

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    public static string Render(KubeconfigSpec spec)
    {
        var file = new FileModel
        {
            Clusters = [new NamedCluster { Name = spec.ClusterName, Cluster = new ClusterModel { Server = spec.Server, CertificateAuthorityData = Base64(spec.CaPem) } }],
            Users = [new NamedUser { Name = spec.UserName, User = UserOf(spec.Credential) }],
            Contexts = [new NamedContext { Name = spec.ContextName, Context = new ContextModel { Cluster = spec.ClusterName, User = spec.UserName, Namespace = spec.Namespace } }],
            CurrentContext = spec.ContextName,
        };
        return Yaml.Serialize(file);
    }

    /// <summary>Writes the kubeconfig atomically, mode 0600 (it holds a private key or a token), replacing an older one.</summary>
    public static void Write(string path, KubeconfigSpec spec)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, Render(spec), secret: true);
    }

    private static UserModel UserOf(KubeconfigCredential credential) => credential switch
    {
        ClientCertificateCredential c => new UserModel { ClientCertificateData = Base64(c.CertificatePem), ClientKeyData = Base64(c.PrivateKeyPem) },
        TokenCredential t => new UserModel { Token = t.Token },
        BasicAuthCredential b => new UserModel { Username = b.Username, Password = b.Password },
        ExecPluginCredential e => new UserModel
        {
            Exec = new ExecModel
            {
                Command = e.Command,
                Args = [.. e.Args],
                Env = e.Env is null ? null : [.. e.Env.Select(v => new EnvModel { Name = v.Name, Value = v.Value })],
            },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(credential), credential.GetType().Name, "unknown kubeconfig credential"),
    };

    // Byte fields ([]byte in client-go) are base64 in YAML.
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private sealed class FileModel
    {
        [YamlMember(Alias = "apiVersion", Order = 0)] public string ApiVersion { get; set; } = "v1";
        [YamlMember(Alias = "kind", Order = 1)] public string Kind { get; set; } = "Config";
        [YamlMember(Alias = "clusters", Order = 2)] public List<NamedCluster> Clusters { get; set; } = [];
        [YamlMember(Alias = "users", Order = 3)] public List<NamedUser> Users { get; set; } = [];
        [YamlMember(Alias = "contexts", Order = 4)] public List<NamedContext> Contexts { get; set; } = [];
        [YamlMember(Alias = "current-context", Order = 5)] public string CurrentContext { get; set; } = "";
        [YamlMember(Alias = "preferences", Order = 6)] public Dictionary<string, string> Preferences { get; set; } = [];
    }

    private sealed class NamedCluster
    {
        [YamlMember(Alias = "name", Order = 0)] public string Name { get; set; } = "";
        [YamlMember(Alias = "cluster", Order = 1)] public ClusterModel Cluster { get; set; } = new();
    }

    private sealed class ClusterModel
    {
        [YamlMember(Alias = "server", Order = 0)] public string Server { get; set; } = "";
        [YamlMember(Alias = "certificate-authority-data", Order = 1)] public string CertificateAuthorityData { get; set; } = "";
    }

    private sealed class NamedUser
    {
        [YamlMember(Alias = "name", Order = 0)] public string Name { get; set; } = "";
        [YamlMember(Alias = "user", Order = 1)] public UserModel User { get; set; } = new();
    }

    private sealed class UserModel
    {
        [YamlMember(Alias = "client-certificate-data")] public string? ClientCertificateData { get; set; }
        [YamlMember(Alias = "client-key-data")] public string? ClientKeyData { get; set; }
        [YamlMember(Alias = "token")] public string? Token { get; set; }
        [YamlMember(Alias = "username")] public string? Username { get; set; }
        [YamlMember(Alias = "password")] public string? Password { get; set; }
        [YamlMember(Alias = "exec")] public ExecModel? Exec { get; set; }
    }

    private sealed class ExecModel
    {
        [YamlMember(Alias = "apiVersion", Order = 0)] public string ApiVersion { get; set; } = ExecApiVersion;
        [YamlMember(Alias = "command", Order = 1)] public string Command { get; set; } = "";
        [YamlMember(Alias = "args", Order = 2)] public List<string> Args { get; set; } = [];
        [YamlMember(Alias = "env", Order = 3)] public List<EnvModel>? Env { get; set; }
        // kubectl would otherwise offer the plugin the terminal; the demo plugins never prompt.
        [YamlMember(Alias = "interactiveMode", Order = 4)] public string InteractiveMode { get; set; } = "Never";
        [YamlMember(Alias = "provideClusterInfo", Order = 5)] public bool ProvideClusterInfo { get; set; }
    }

    private sealed class EnvModel
    {
        [YamlMember(Alias = "name", Order = 0)] public string Name { get; set; } = "";
        [YamlMember(Alias = "value", Order = 1)] public string Value { get; set; } = "";
    }

    private sealed class NamedContext
    {
        [YamlMember(Alias = "name", Order = 0)] public string Name { get; set; } = "";
        [YamlMember(Alias = "context", Order = 1)] public ContextModel Context { get; set; } = new();
    }

    private sealed class ContextModel
    {
        [YamlMember(Alias = "cluster", Order = 0)] public string Cluster { get; set; } = "";
        [YamlMember(Alias = "user", Order = 1)] public string User { get; set; } = "";
        [YamlMember(Alias = "namespace", Order = 2)] public string? Namespace { get; set; }
    }
}
