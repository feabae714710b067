using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>
/// The demo authenticating proxy (kube's "front proxy"): its own HTTPS listener that logs its users in
/// (<see cref="ProxyUserAuthenticator"/>) and forwards every request — watches streamed, exec/attach/port-forward
/// upgrades (WebSocket, SPDY) relayed — to the API server, presenting <c>front-proxy-client.crt</c> and the
/// X-Remote-* headers. The server trusts it through <c>--requestheader-client-ca-file=front-proxy-ca.crt</c>,
/// <c>--requestheader-allowed-names=front-proxy-client</c> and the X-Remote-* header flags.
/// </summary>
public sealed class DemoAuthProxy : IAsyncDisposable
{
    private readonly DemoListener _listener;
    private readonly UpstreamTarget _target;

    private DemoAuthProxy(DemoListener listener, UpstreamTarget target)
    {
        _listener = listener;
        _target = target;
    }

    /// <summary>The proxy's URL: what a kubeconfig's <c>clusters[].cluster.server</c> names to go through it.</summary>
    public string Url => _listener.BaseUrl;

    /// <summary>Where requests go; null until known.</summary>
    public Uri? ApiServerUrl
    {
        get => _target.Url;
        set => _target.Url = value;
    }

    /// <summary>
    /// Starts the proxy. <paramref name="clientCertificate"/> (with key) is presented to the API server, whose
    /// serving certificate must chain to one of <paramref name="apiServerRoots"/>.
    /// </summary>
    public static async Task<DemoAuthProxy> StartAsync(int port, X509Certificate2 servingCertificate, X509Certificate2 clientCertificate,
        X509Certificate2Collection apiServerRoots, DemoUsers users, Uri? apiServerUrl, CancellationToken cancellationToken)
    {
        var target = new UpstreamTarget { Url = apiServerUrl };
        var invoker = new HttpMessageInvoker(new Http1UpstreamHandler(clientCertificate, apiServerRoots));
        var authenticator = new ProxyUserAuthenticator(users);
        var listener = await DemoListener.StartAsync("authenticating proxy", port, servingCertificate, configureTls: null,
            services => services.AddHttpForwarder(),
            app => app.Map("/{**path}", (HttpContext context, IHttpForwarder forwarder) => ForwardAsync(context, forwarder, invoker, authenticator, target)),
            cancellationToken);
        return new DemoAuthProxy(listener, target);
    }

    /// <summary>
    /// Watches and exec sessions can stay quiet for minutes (kubectl's watch timeout is 5–10 min); YARP's
    /// default 100 s activity timeout would cut them, so the proxy allows an hour of silence.
    /// </summary>
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromHours(1),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static async Task ForwardAsync(HttpContext context, IHttpForwarder forwarder, HttpMessageInvoker invoker, ProxyUserAuthenticator authenticator, UpstreamTarget target)
    {
        if (authenticator.Authenticate(context.Request) is not { } user)
        {
            // The 401 a client would get from kube-apiserver itself, plus a Basic challenge for browsers and curl.
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"miniapiserver-demo-proxy\"";
            await WriteStatusAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized");
            return;
        }
        if (target.Url is not { } upstream)
        {
            await WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", "the demo proxy does not know the API server's address yet");
            return;
        }
        var error = await forwarder.SendAsync(context, upstream.GetLeftPart(UriPartial.Authority), invoker, RequestConfig, new FrontProxyTransformer(user));
        if (error != ForwarderError.None && !context.Response.HasStarted)
            await WriteStatusAsync(context, StatusCodes.Status502BadGateway, "InternalError", $"the demo proxy could not reach the API server ({error})");
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        // metav1.Status, as kube-apiserver writes it.
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code,
        };
        return context.Response.WriteAsync(status.ToJsonString());
    }

    public Task StopAsync(CancellationToken cancellationToken) => _listener.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private sealed class UpstreamTarget
    {
        private volatile Uri? _url;

        public Uri? Url
        {
            get => _url;
            set => _url = value;
        }
    }
}
