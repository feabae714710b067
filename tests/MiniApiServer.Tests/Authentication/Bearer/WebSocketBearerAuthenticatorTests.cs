using System.Text;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

public sealed class WebSocketBearerAuthenticatorTests
{
    private const string Prefix = "base64url.bearer.authorization.k8s.io.";

    private static string Encode(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static TheoryData<string, string?, string?, bool> Upgrades => new()
    {
        // why, Connection, Upgrade, is a WebSocket request
        { "Connection: Upgrade, Upgrade: websocket", "Upgrade", "websocket", true },
        { "case-insensitive", "UPGRADE", "WebSocket", true },
        { "upgrade among other tokens", "keep-alive, Upgrade", "websocket", true },
        { "upgrade first of several", "Upgrade, keep-alive", "websocket", true },
        { "no Upgrade header", "Upgrade", null, false },
        { "another protocol", "Upgrade", "h2c", false },
        { "no Connection header", null, "websocket", false },
        { "Connection without upgrade", "keep-alive", "websocket", false },
        { "upgrade as part of a word", "upgraded", "websocket", false },
    };

    [Theory]
    [MemberData(nameof(Upgrades))]
    public void RecognisesWebSocketUpgradesAsApimachinery(string why, string? connection, string? upgrade, bool expected)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (connection is not null) headers.Connection = connection;
        if (upgrade is not null) headers.Upgrade = upgrade;

        Assert.True(expected == WebSocketBearerAuthenticator.IsWebSocketRequest(headers), why);
    }

    public static TheoryData<string, string[], string?, string[], string?> Offers => new()
    {
        // why, Sec-WebSocket-Protocol values, token, other protocols, error
        { "token and a subprotocol", [$"{Prefix}{Encode("abc")}, v4.channel.k8s.io"], "abc", ["v4.channel.k8s.io"], null },
        { "several header lines are one list", [$"{Prefix}{Encode("abc")}", "v5.channel.k8s.io,v4.channel.k8s.io"], "abc", ["v5.channel.k8s.io", "v4.channel.k8s.io"], null },
        { "entries are trimmed", [$"  v4.channel.k8s.io ,  {Prefix}{Encode("a/b+c?")}  "], "a/b+c?", ["v4.channel.k8s.io"], null },
        { "no token entry", ["v4.channel.k8s.io"], "", ["v4.channel.k8s.io"], null },
        { "empty token is no token", [$"{Prefix}, v4.channel.k8s.io"], "", ["v4.channel.k8s.io"], null },
        { "token without another subprotocol", [$"{Prefix}{Encode("abc")}"], null, [], "missing additional subprotocol" },
        { "padding is not allowed", [$"{Prefix}YWI=, v4"], null, ["v4"], "invalid base64.bearer.authorization token encoding" },
        { "standard alphabet is not allowed", [$"{Prefix}{Convert.ToBase64String([0xfb, 0xff])}, v4"], null, ["v4"], "invalid base64.bearer.authorization token encoding" },
        { "impossible length", [$"{Prefix}YWJjZ, v4"], null, ["v4"], "invalid base64.bearer.authorization token encoding" },
        { "not UTF-8", [$"{Prefix}_w, v4"], null, ["v4"], "invalid base64.bearer.authorization token" },
        { "two token entries", [$"{Prefix}{Encode("a")}, {Prefix}{Encode("b")}, v4"], null, [], "multiple base64.bearer.authorization tokens specified" },
    };

    [Theory]
    [MemberData(nameof(Offers))]
    public void ReadsTheTokenSubprotocolAsKube(string why, string[] values, string? token, string[] others, string? error)
    {
        var offer = WebSocketBearerAuthenticator.ParseProtocols(values);

        Assert.True((token, error) == (offer.Token, offer.Error), $"{why}: got {offer}");
        if (error is null)
        {
            Assert.Equal(others, offer.OtherProtocols);
        }
    }

    private static DefaultHttpContext Upgrade(params string[] protocols)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Connection = "Upgrade";
        context.Request.Headers.Upgrade = "websocket";
        context.Request.Headers["Sec-WebSocket-Protocol"] = protocols;
        return context;
    }

    [Fact]
    public async Task AcceptedTokenIsRemovedFromTheProtocolHeader()
    {
        var context = Upgrade($"{Prefix}{Encode("good")}", "v5.channel.k8s.io, v4.channel.k8s.io");

        var result = await new WebSocketBearerAuthenticator(new FakeTokens().With("good", "alice")).AuthenticateAsync(context, default);

        Assert.Equal("alice", result.User?.Name);
        Assert.Equal("v5.channel.k8s.io,v4.channel.k8s.io", context.Request.Headers["Sec-WebSocket-Protocol"].ToString());
    }

    [Fact]
    public async Task UnknownTokenIsAnErrorAndTheHeaderStays()
    {
        var context = Upgrade($"{Prefix}{Encode("unknown")}, v4.channel.k8s.io");

        var result = await new WebSocketBearerAuthenticator(new FakeTokens()).AuthenticateAsync(context, default);

        Assert.Equal(("websocket-bearer-token", "invalid bearer token"), (result.Authenticator, result.Error));
        Assert.StartsWith(Prefix, context.Request.Headers["Sec-WebSocket-Protocol"].ToString());
    }

    [Fact]
    public async Task BadEncodingIsAnError()
    {
        var result = await new WebSocketBearerAuthenticator(new FakeTokens()).AuthenticateAsync(Upgrade($"{Prefix}***, v4"), default);

        Assert.Equal("invalid base64.bearer.authorization token encoding", result.Error);
    }

    [Fact]
    public async Task PlainRequestsAreNotLookedAt()
    {
        var tokens = new FakeTokens().With("good", "alice");
        var context = new DefaultHttpContext();
        context.Request.Headers["Sec-WebSocket-Protocol"] = $"{Prefix}{Encode("good")}, v4.channel.k8s.io";

        var result = await new WebSocketBearerAuthenticator(tokens).AuthenticateAsync(context, default);

        Assert.Equal((false, null, 0), (result.Succeeded, result.Error, tokens.Calls));
    }
}
