using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Runtime.Network;

/// <summary>
/// The pod network of the running server: the cluster DNS names of the <c>kubernetes</c> Service and the
/// advertised address (<see cref="Advertise"/>, the server's real HTTPS address, which its serving certificate
/// names) all connect to the server's own listening socket. Certificates are checked as Go's crypto/tls does:
/// the chain must end at one of the trusted roots (the pod's mounted <c>ca.crt</c>, else the system store) and
/// the certificate must name the host that was dialled.
/// </summary>
public sealed class ApiServerPodNetwork : IPodNetwork
{
    /// <summary>Names the cluster DNS resolves to the kubernetes Service.</summary>
    public static readonly IReadOnlyList<string> ServiceNames =
        ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

    /// <summary>The kubernetes Service's port.</summary>
    public const int ServicePort = 443;

    volatile ServiceAddress? address;

    public ServiceAddress? KubernetesService => address;

    /// <summary>Called once the server listens: <paramref name="url"/> is its https URL.</summary>
    public void Advertise(Uri url) => address = new ServiceAddress(url.Host.Trim('[', ']'), url.Port);

    /// <summary>Where a pod's connection to <paramref name="host"/>:<paramref name="port"/> really goes, or null when nothing answers there.</summary>
    public DnsEndPoint? Route(string host, int port)
    {
        if (address is not { } a) return null;
        var isService = ServiceNames.Contains(host.TrimEnd('.'), StringComparer.OrdinalIgnoreCase) && port == ServicePort;
        var isAdvertised = string.Equals(host.Trim('[', ']'), a.Host, StringComparison.OrdinalIgnoreCase) && port == a.Port;
        return isService || isAdvertised ? new DnsEndPoint(a.Host, a.Port) : null;
    }

    public HttpMessageHandler CreateHandler(PodTls tls) => new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, errors) => tls.Insecure || Verify(cert, errors, tls.TrustedRoots),
        },
    };

    async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        if (address is null && !IPAddress.TryParse(host.Trim('[', ']'), out _))
            throw new SocketException((int)SocketError.HostNotFound);
        var target = Route(host, port);
        if (target is null)
        {
            // Names outside the cluster do not resolve; an address with nothing behind it refuses the connection.
            if (!IPAddress.TryParse(host.Trim('[', ']'), out _) && !ServiceNames.Contains(host.TrimEnd('.'), StringComparer.OrdinalIgnoreCase))
                throw new SocketException((int)SocketError.HostNotFound);
            throw new SocketException((int)SocketError.ConnectionRefused);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host == "localhost" ? IPAddress.Loopback.ToString() : target.Host, target.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A certificate that names the dialled host and chains to one of <paramref name="roots"/> (or the system store when null).</summary>
    public static bool Verify(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        if (roots is null) return errors == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
