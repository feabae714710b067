using System.Text.Json;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniApiServer.Api;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;
using MiniApiServer.Authentication.TokenFile;

namespace MiniApiServer.Tests.Authentication.Bearer;

/// <summary>
/// The token file behind the bearer and WebSocket authenticators, wired as kube-apiserver wires them
/// (bearer over the cached token union, then the WebSocket bearer over the same cache), behind the server's
/// KubeAuthenticationHandler on a test host.
/// </summary>
public sealed class BearerOverHttpTests : IAsyncLifetime
{
    private const string TokenFile = "admin-token,admin,uid-admin,\"system:masters,ops\"\nviewer-token,viewer,uid-viewer\n";
    private const string Unauthorized = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    private WebApplication _anonymousOn = null!;
    private WebApplication _anonymousOff = null!;

    public sealed record WhoAmI(string? User, string[] Groups, bool AuthorizationSeen, string? Protocols);

    public async Task InitializeAsync()
    {
        _anonymousOn = await StartAsync(anonymous: true);
        _anonymousOff = await StartAsync(anonymous: false);
    }

    public async Task DisposeAsync()
    {
        await _anonymousOn.DisposeAsync();
        await _anonymousOff.DisposeAsync();
    }

    private static async Task<WebApplication> StartAsync(bool anonymous)
    {
        var tokenFile = TokenFileAuthenticator.Parse("tokens.csv", Encoding.UTF8.GetBytes(TokenFile), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var tokens = new CachedTokenAuthenticator(new TokenUnion([tokenFile]), TimeProvider.System);
        var chain = new AuthenticationChain(new AuthenticatorUnion([new BearerTokenAuthenticator(tokens), new WebSocketBearerAuthenticator(tokens)]), anonymous);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(chain);
        builder.Services.AddAuthentication(KubeAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, KubeAuthenticationHandler>(KubeAuthenticationHandler.SchemeName, null);
        var app = builder.Build();
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            var result = await context.AuthenticateAsync(KubeAuthenticationHandler.SchemeName);
            if (!result.Succeeded)
            {
                await context.ChallengeAsync(KubeAuthenticationHandler.SchemeName);
                return;
            }
            await next(context);
        });
        app.MapGet("/whoami", (HttpContext context) => new WhoAmI(
            context.GetUser()?.Name,
            context.GetUser()?.Groups.ToArray() ?? [],
            context.Request.Headers.ContainsKey("Authorization"),
            context.Request.Headers["Sec-WebSocket-Protocol"].ToString()));
        await app.StartAsync();
        return app;
    }

    /// <summary>The request's headers are set on the server side exactly as given (an HttpClient would re-format Authorization).</summary>
    private static async Task<(int Status, IHeaderDictionary Headers, string Body)> GetAsync(WebApplication app, Action<IHeaderDictionary> headers)
    {
        var context = await app.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/whoami";
            headers(c.Request.Headers);
        });
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return (context.Response.StatusCode, context.Response.Headers, body);
    }

    private static Action<IHeaderDictionary> Authorization(string value) => h => h.Authorization = value;

    private static WhoAmI Who(string body) => JsonSerializer.Deserialize<WhoAmI>(body, JsonSerializerOptions.Web)!;

    [Theory]
    [InlineData("Bearer admin-token")]
    [InlineData("bearer admin-token")]
    [InlineData("BEARER admin-token ignored-third-part")]
    public async Task TokenFromTheFileAuthenticates(string header)
    {
        var (status, _, body) = await GetAsync(_anonymousOff, Authorization(header));

        Assert.Equal(200, status);
        var who = Who(body);
        Assert.Equal("admin", who.User);
        Assert.Equal(["system:masters", "ops", "system:authenticated"], who.Groups);
        Assert.False(who.AuthorizationSeen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnknownTokenIsTheExact401EvenWithAnonymousOn(bool anonymous)
    {
        var (status, headers, body) = await GetAsync(anonymous ? _anonymousOn : _anonymousOff, Authorization("Bearer no-such-token"));

        Assert.Equal(401, status);
        Assert.Equal(Unauthorized, body);
        Assert.False(headers.ContainsKey("WWW-Authenticate"));
    }

    [Fact]
    public async Task ExtraSpaceIsAnonymousWithTheWarningHeader()
    {
        var (status, headers, body) = await GetAsync(_anonymousOn, Authorization("Bearer  admin-token"));

        Assert.Equal(200, status);
        Assert.Equal("system:anonymous", Who(body).User);
        Assert.Equal(
            ["299 - \"the provided Authorization header contains extra space before the bearer token, and is ignored\""],
            headers["Warning"].Select(w => w ?? "").ToArray());
    }

    [Theory]
    [InlineData(true, 200)]
    [InlineData(false, 401)]
    public async Task BasicIsNoCredentialAtAll(bool anonymous, int expected)
    {
        var (status, _, _) = await GetAsync(anonymous ? _anonymousOn : _anonymousOff, Authorization("Basic YWRtaW46YWRtaW4="));

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task WebSocketSubprotocolTokenAuthenticatesAndIsRemoved()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("viewer-token")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var (status, _, body) = await GetAsync(_anonymousOff, h =>
        {
            h.Connection = "Upgrade";
            h.Upgrade = "websocket";
            h["Sec-WebSocket-Protocol"] = $"base64url.bearer.authorization.k8s.io.{encoded}, v5.channel.k8s.io";
        });

        Assert.Equal(200, status);
        var who = Who(body);
        Assert.Equal(("viewer", "v5.channel.k8s.io"), (who.User, who.Protocols));
        Assert.Equal(["system:authenticated"], who.Groups);
    }
}
