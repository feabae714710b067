using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniApiServer.Demo;
using MiniApiServer.Demo.AuthProxy;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Demo;

/// <summary>
/// The proxy in front of a fake API server: a Kestrel that, like kube-apiserver with
/// --requestheader-client-ca-file, accepts only clients presenting a certificate from the front-proxy CA,
/// and echoes each request's header lines back.
/// </summary>
public sealed class AuthProxyTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ClusterPki _pki = null!;
    private WebApplication _upstream = null!;
    private DemoAuthProxy _proxy = null!;
    private HttpClient _client = null!;
    private readonly TaskCompletionSource _releaseSecondChunk = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _pki = ClusterPki.LoadOrCreate(_dir.File("certs"), TimeProvider.System);
        _upstream = await StartUpstreamAsync();
        var upstreamUrl = new Uri(_upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("127.0.0.1", "localhost"));
        var users = DemoUsers.Load(Path.Combine(DemoFixtures.Locate(), DemoUsers.FileName));
        var now = DateTimeOffset.UtcNow;
        var serving = _pki.ClusterCa.IssueServingCertificate("proxy", ["localhost"], ClusterPki.ServingIpAddresses, now.AddMinutes(-5), now.AddDays(1)).ToCertificateWithKey();
        _proxy = await DemoAuthProxy.StartAsync(0, serving, _pki.FrontProxyClientCertificate, [_pki.CaCertificate], users, upstreamUrl, CancellationToken.None);
        _client = DemoEnvironment.TrustingClient(_pki);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
        _pki.Dispose();
        _dir.Dispose();
    }

    private async Task<WebApplication> StartUpstreamAsync()
    {
        var frontProxyCa = X509CertificateLoader.LoadCertificate(_pki.FrontProxyCa.Certificate.RawData);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = _pki.ServingCertificate;
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(frontProxyCa);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate) && certificate.GetNameInfo(X509NameType.SimpleName, false) == "front-proxy-client";
            };
        })));
        var app = builder.Build();
        app.UseWebSockets();
        // Each header name with its values: Kestrel keeps one value per header line.
        app.Map("/echo/{**rest}", (HttpContext context) => context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToArray()));
        app.MapGet("/watch", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"type\":\"ADDED\"}\n");
            await context.Response.Body.FlushAsync();
            await _releaseSecondChunk.Task;
            await context.Response.WriteAsync("{\"type\":\"MODIFIED\"}\n");
        });
        app.Map("/exec", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Binary, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        });
        await app.StartAsync();
        return app;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<Dictionary<string, string[]>> EchoAsync(AuthenticationHeaderValue authorization, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url + "/echo/api/v1/namespaces?limit=5");
        request.Headers.Authorization = authorization;
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string[]>>())!;
    }

    public static TheoryData<string, AuthenticationHeaderValue, string, string[], string> Logins => new()
    {
        { "basic, one group", Basic("alice", "alice-demo-password"), "alice", ["developers"], "basic" },
        { "basic, two groups", Basic("bob", "bob-demo-password"), "bob", ["developers", "ops"], "basic" },
        { "proxy token", new AuthenticationHeaderValue("Bearer", "proxy-token-carol-2b6e9f"), "carol", ["viewers"], "token" },
    };

    [Theory]
    [MemberData(nameof(Logins))]
    public async Task ForwardsWhoTheUserIsInXRemoteHeadersOneLinePerGroup(string _, AuthenticationHeaderValue login, string user, string[] groups, string method)
    {
        var seen = await EchoAsync(login);

        Assert.Equal([user], seen["x-remote-user"]);
        Assert.Equal(groups, seen["x-remote-group"]);
        Assert.Single(seen["x-remote-uid"]);
        Assert.Equal([method], seen["x-remote-extra-" + FrontProxyTransformer.EscapeExtraKey(ProxyUserAuthenticator.MethodExtraKey).ToLowerInvariant()]);
        Assert.False(seen.ContainsKey("authorization"));
    }

    [Fact]
    public async Task StripsIdentityHeadersTheClientSent()
    {
        var seen = await EchoAsync(Basic("alice", "alice-demo-password"),
            ("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters"), ("X-Remote-Uid", "0"), ("X-Remote-Extra-Scopes", "all"),
            ("Impersonate-User", "admin"), ("Impersonate-Group", "system:masters"), ("X-Custom", "kept"));

        Assert.Equal(["alice"], seen["x-remote-user"]);
        Assert.Equal(["developers"], seen["x-remote-group"]);
        Assert.Equal(["5c1e0a52-alice"], seen["x-remote-uid"]);
        Assert.False(seen.ContainsKey("x-remote-extra-scopes"));
        Assert.DoesNotContain(seen.Keys, k => k.StartsWith("impersonate-", StringComparison.Ordinal));
        Assert.Equal(["kept"], seen["x-custom"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic YWxpY2U6d3Jvbmc=")] // alice:wrong
    [InlineData("Bearer not-a-proxy-token")]
    public async Task RefusesUnauthenticatedRequestsWithAStatus401(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url + "/echo/api");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ForwardsRequestBodiesOfUnknownLength()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _proxy.Url + "/echo/api/v1/namespaces")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"kind\":\"Namespace\"}"))),
        };
        request.Headers.Authorization = Basic("alice", "alice-demo-password");
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StreamsAWatchEventByEventWithoutWaitingForTheEnd()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url + "/watch");
        request.Headers.Authorization = Basic("alice", "alice-demo-password");
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The upstream holds the second event back until the first has reached the client through the proxy.
        Assert.Equal("{\"type\":\"ADDED\"}", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        _releaseSecondChunk.SetResult();
        Assert.Equal("{\"type\":\"MODIFIED\"}", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task RelaysAWebSocketUpgradeAsKubectlExecUsesIt()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", Basic("bob", "bob-demo-password").ToString());
        socket.Options.AddSubProtocol("v5.channel.k8s.io");
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && MiniApiServer.Demo.TokenWebhook.DemoTokenWebhook.ChainsTo(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), _pki.CaCertificate);
        var uri = new UriBuilder(_proxy.Url + "/exec") { Scheme = "wss" }.Uri;

        await socket.ConnectAsync(uri, CancellationToken.None);
        await socket.SendAsync("\u0000ls\n"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal("\u0000ls\n", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }
}
