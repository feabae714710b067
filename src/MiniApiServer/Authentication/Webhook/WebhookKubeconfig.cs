using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// The webhook's connection settings, read from a kubeconfig file as client-go's clientcmd reads it for
/// kube-apiserver (<c>pkg/util/webhook.LoadKubeconfig</c>): the current context's cluster and user (the first
/// cluster and first user when the file names no current context), relative file paths resolved against
/// the file's own folder, <c>*-data</c> fields base64 PEM. The <c>server</c> URL is used verbatim: the
/// TokenReview is POSTed to exactly that URL.
/// </summary>
public sealed record WebhookKubeconfig
{
    public required Uri Server { get; init; }
    /// <summary>The roots that must sign the webhook's serving certificate; empty: the system's roots.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];
    public bool InsecureSkipTlsVerify { get; init; }
    /// <summary>The name checked against the serving certificate instead of the URL's host (tls-server-name).</summary>
    public string? TlsServerName { get; init; }
    /// <summary>The client certificate (with its key) presented to the webhook, if any.</summary>
    public X509Certificate2? ClientCertificate { get; init; }
    public string? BearerToken { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }

    /// <summary>Reads and validates <paramref name="path"/>; every problem is a <see cref="ConfigurationException"/> naming the flag and the file.</summary>
    public static WebhookKubeconfig Load(string path, string flag)
    {
        ConfigurationException Error(string message) => new($"--{flag} {path}: {message}");

        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Error($"cannot be read ({e.Message})"); }

        var root = ParseYaml(text, Error) ?? throw Error("invalid configuration: no configuration has been provided");

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return new Reader(root, folder, Error).Read();
    }

    /// <summary>
    /// The file as JSON: mappings, sequences and scalars kept as text (every kubeconfig field we read is a string,
    /// except insecure-skip-tls-verify, read as YAML's true/false).
    /// </summary>
    static JsonObject? ParseYaml(string text, Func<string, ConfigurationException> error)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw error($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}"); }
        return stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode) as JsonObject;

        static JsonNode? ToJson(YamlNode node) => node switch
        {
            YamlMappingNode m => new JsonObject(m.Children
                .Where(kv => kv.Key is YamlScalarNode)
                .Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))
                .DistinctBy(kv => kv.Key)),
            YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "True" or "TRUE" } => JsonValue.Create(true),
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "false" or "False" or "FALSE" } => JsonValue.Create(false),
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" or null } => null,
            YamlScalarNode sc => JsonValue.Create(sc.Value),
            _ => null,
        };
    }

    /// <summary>One pass over the parsed file; <c>error</c> makes the exception to throw.</summary>
    sealed class Reader(JsonObject root, string folder, Func<string, ConfigurationException> error)
    {
        public WebhookKubeconfig Read()
        {
            var (clusterName, cluster, userName, user) = Select();
            var server = Text(cluster, "server");
            if (string.IsNullOrEmpty(server))
                throw error(clusterName.Length == 0 ? "invalid configuration: default cluster has no server defined" : $"invalid configuration: no server found for cluster \"{clusterName}\"");
            if (!Uri.TryCreate(server, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
                throw error($"invalid configuration: cluster \"{clusterName}\": server \"{server}\" is not an http or https URL");

            var insecure = cluster?["insecure-skip-tls-verify"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            var cas = new X509Certificate2Collection();
            var caPem = Pem(cluster, "certificate-authority-data", "certificate-authority", clusterName);
            if (caPem is not null)
            {
                if (insecure) throw error($"invalid configuration: specifying a root certificates file with the insecure flag is not allowed for cluster \"{clusterName}\"");
                try { cas.ImportFromPem(caPem); }
                catch (CryptographicException e) { throw error($"unable to load root certificates: {e.Message}"); }
                if (cas.Count == 0) throw error("unable to load root certificates: unable to parse bytes as PEM block");
            }

            var token = Text(user, "token");
            if (Text(user, "tokenFile") is { Length: > 0 } tokenFile && string.IsNullOrEmpty(token))
            {
                var file = Resolve(tokenFile);
                try { token = File.ReadAllText(file).Trim(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw error($"user \"{userName}\": tokenFile {file} cannot be read ({e.Message})"); }
            }
            var username = Text(user, "username");
            var password = Text(user, "password");
            if (user?["exec"] is not null || user?["auth-provider"] is not null)
                throw error($"user \"{userName}\": exec and auth-provider credentials are not supported for the token webhook; use a client certificate, a token or a username and password");
            if (!string.IsNullOrEmpty(token) && (!string.IsNullOrEmpty(username) || !string.IsNullOrEmpty(password)))
                throw error($"invalid configuration: more than one authentication method found for {userName}; found [token basicAuth], only one is allowed");

            return new WebhookKubeconfig
            {
                Server = url!,
                CertificateAuthorities = cas,
                InsecureSkipTlsVerify = insecure,
                TlsServerName = Text(cluster, "tls-server-name") is { Length: > 0 } sni ? sni : null,
                ClientCertificate = ClientCertificate(user, userName),
                BearerToken = string.IsNullOrEmpty(token) ? null : token,
                Username = string.IsNullOrEmpty(username) ? null : username,
                Password = string.IsNullOrEmpty(password) ? null : password,
            };
        }

        /// <summary>The current context's cluster and user; without a current context, the first of each.</summary>
        (string ClusterName, JsonObject? Cluster, string UserName, JsonObject? User) Select()
        {
            var current = Text(root, "current-context");
            string? clusterName, userName;
            if (!string.IsNullOrEmpty(current))
            {
                var context = Named("contexts", current)?["context"] as JsonObject;
                if (context is null) throw error($"invalid configuration: context was not found for specified context: {current}");
                clusterName = Text(context, "cluster") ?? "";
                userName = Text(context, "user") ?? "";
                var namedCluster = Named("clusters", clusterName);
                if (namedCluster is null) throw error($"invalid configuration: cluster \"{clusterName}\" was not found for context \"{current}\"");
                var namedUser = userName.Length == 0 ? null : Named("users", userName);
                if (userName.Length > 0 && namedUser is null) throw error($"invalid configuration: user \"{userName}\" was not found for context \"{current}\"");
                return (clusterName, namedCluster!["cluster"] as JsonObject, userName, namedUser?["user"] as JsonObject);
            }
            var firstCluster = (root["clusters"] as JsonArray)?.FirstOrDefault() as JsonObject;
            var firstUser = (root["users"] as JsonArray)?.FirstOrDefault() as JsonObject;
            if (firstCluster is null) throw error("invalid configuration: no configuration has been provided");
            clusterName = Text(firstCluster, "name") ?? "";
            userName = Text(firstUser, "name") ?? "";
            return (clusterName, firstCluster!["cluster"] as JsonObject, userName, firstUser?["user"] as JsonObject);
        }

        JsonObject? Named(string section, string name) =>
            (root[section] as JsonArray)?.OfType<JsonObject>().LastOrDefault(e => Text(e, "name") == name);

        X509Certificate2? ClientCertificate(JsonObject? user, string userName)
        {
            var certPem = Pem(user, "client-certificate-data", "client-certificate", userName, bothIsError: "client-cert-data and client-cert are both specified for {0}. client-cert-data will override.");
            var keyPem = Pem(user, "client-key-data", "client-key", userName, bothIsError: "client-key-data and client-key are both specified for {0}; please specify only one");
            if (certPem is null && keyPem is null) return null;
            if (certPem is null) throw error($"invalid configuration: client-cert-data or client-cert must be specified for {userName} to use the clientCert authentication method.");
            if (keyPem is null) throw error($"invalid configuration: client-key-data or client-key must be specified for {userName} to use the clientCert authentication method.");
            try { return CertificateFiles.UsableForTls(X509Certificate2.CreateFromPem(certPem, keyPem)); }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw error($"user \"{userName}\": the client certificate and key do not form a usable pair ({e.Message})");
            }
        }

        /// <summary>PEM text from <c>X-data</c> (base64) or the file named by <c>X</c>; data wins over the file, as in client-go.</summary>
        string? Pem(JsonObject? section, string dataKey, string fileKey, string owner, string? bothIsError = null)
        {
            var data = Text(section, dataKey);
            var file = Text(section, fileKey);
            if (!string.IsNullOrEmpty(data) && !string.IsNullOrEmpty(file) && bothIsError is not null)
                throw error("invalid configuration: " + string.Format(bothIsError, owner));
            if (!string.IsNullOrEmpty(data))
            {
                try { return Encoding.UTF8.GetString(Convert.FromBase64String(data)); }
                catch (FormatException) { throw error($"invalid configuration: {dataKey} of {owner} is not base64"); }
            }
            if (string.IsNullOrEmpty(file)) return null;
            var resolved = Resolve(file);
            try { return File.ReadAllText(resolved); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw error($"invalid configuration: unable to read {fileKey} {resolved} for {owner} due to {e.Message}");
            }
        }

        /// <summary>clientcmd's ResolvePaths: a relative path is relative to the kubeconfig file's folder.</summary>
        string Resolve(string file) => Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(folder, file));

        static string? Text(JsonNode? node, string key) => node is JsonObject o && o[key] is JsonValue v
            ? v.TryGetValue<string>(out var s) ? s : v.ToJsonString()
            : null;
    }
}
