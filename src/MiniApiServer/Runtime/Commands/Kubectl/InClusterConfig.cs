using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands.Kubectl;

/// <summary>
/// client-go's <c>rest.InClusterConfig</c>: the server is https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
/// the credential the mounted service-account token, the trusted roots the mounted ca.crt (when it parses), and
/// the default namespace the mounted namespace file.
/// </summary>
public sealed record InClusterConfig(Uri Server, string Token, X509Certificate2Collection? Roots, string Namespace)
{
    public const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The config, or null when the process is not in a cluster (no service env, or no token file).</summary>
    public static InClusterConfig? Load(ProcessContext p)
    {
        var host = p.Env.GetValueOrDefault("KUBERNETES_SERVICE_HOST", "");
        var port = p.Env.GetValueOrDefault("KUBERNETES_SERVICE_PORT", "");
        if (host.Length == 0 || port.Length == 0) return null;
        if (p.ReadFile(ServiceAccountDir + "/token", out _) is not { } token) return null;
        var ns = p.ReadFile(ServiceAccountDir + "/namespace", out _) is { } n ? Encoding.UTF8.GetString(n).Trim() : "default";
        var roots = p.ReadFile(ServiceAccountDir + "/ca.crt", out _) is { } pem ? ParsePem(pem) : null;
        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        return new InClusterConfig(new Uri($"https://{hostPart}:{port}"), Encoding.UTF8.GetString(token).Trim(), roots, ns.Length == 0 ? "default" : ns);
    }

    /// <summary>The certificates of a PEM bundle, or null when it holds none.</summary>
    public static X509Certificate2Collection? ParsePem(byte[] pem)
    {
        var collection = new X509Certificate2Collection();
        try { collection.ImportFromPem(Encoding.ASCII.GetString(pem)); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
        return collection.Count > 0 ? collection : null;
    }

    /// <summary>How Go's net/http words a failed request, after "Unable to connect to the server: ".</summary>
    public static string DescribeFailure(HttpRequestException e, Uri server)
    {
        if (e.HttpRequestError == HttpRequestError.NameResolutionError || e.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound })
            return $"dial tcp: lookup {server.Host} on 10.96.0.10:53: no such host";
        if (e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException)
            return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
        if (e.HttpRequestError == HttpRequestError.ConnectionError)
            return $"dial tcp {server.Host}:{server.Port}: connect: connection refused";
        return e.Message;
    }

    public HttpClient CreateClient(IPodNetwork network)
    {
        var client = new HttpClient(network.CreateHandler(new PodTls(Roots, Insecure: false)), disposeHandler: true)
        {
            BaseAddress = Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07");
        return client;
    }
}
