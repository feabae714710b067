using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Runtime;

/// <summary>
/// The pod network of an in-process server: every connection reaches the test host (there is no socket to
/// dial), so in-pod clients run against the real request road. TLS is not part of this network; the real
/// one is covered by the end-to-end tests.
/// </summary>
public sealed class TestHostPodNetwork(Func<HttpMessageHandler> handler) : IPodNetwork
{
    public ServiceAddress? KubernetesService { get; } = new("10.96.0.1", 443);

    public HttpMessageHandler CreateHandler(PodTls tls) => handler();
}

/// <summary>The in-process server with a static token for the service account team/default (as its mounted
/// token would authenticate) and pods networked to the test host.</summary>
public sealed class RuntimeServerFactory : ApiServerFactory
{
    public const string Namespace = "team";
    public const string ServiceAccountToken = "team-default-token";
    readonly string tokenFile = Path.Combine(Path.GetTempPath(), "miniapiserver-tests", Guid.NewGuid().ToString("N") + ".csv");

    public RuntimeServerFactory()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        File.WriteAllText(tokenFile, $"{ServiceAccountToken},system:serviceaccount:{Namespace}:default,sa-uid,\"system:serviceaccounts,system:serviceaccounts:{Namespace}\"\n");
        Flags["token-auth-file"] = tokenFile;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IPodNetwork>();
            s.AddSingleton<IPodNetwork>(new TestHostPodNetwork(() => Server.CreateHandler()));
        });
    }

    /// <summary>A WebSocket client that authenticates as system:masters with a client certificate.</summary>
    public WebSocketClient AdminWebSocket(params string[] protocols)
    {
        var now = DateTimeOffset.UtcNow;
        var issued = Pki.IssueClientCertificate("kubernetes-admin", ["system:masters"], now.AddMinutes(-5), now.AddHours(1));
        var cert = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        var ws = Server.CreateWebSocketClient();
        foreach (var p in protocols) ws.SubProtocols.Add(p);
        ws.ConfigureRequest = r => r.HttpContext.Connection.ClientCertificate = cert;
        return ws;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { File.Delete(tokenFile); } catch (IOException) { }
    }
}
