using Microsoft.AspNetCore.Http;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

public sealed class BearerTokenAuthenticatorTests
{
    private const string Warning = "299 - \"the provided Authorization header contains extra space before the bearer token, and is ignored\"";

    public static TheoryData<string, string?, string?, bool> Headers => new()
    {
        // why, Authorization header, token read, extra-space warning
        { "no header", null, null, false },
        { "empty header", "", null, false },
        { "Bearer", "Bearer abc", "abc", false },
        { "scheme is case-insensitive: bearer", "bearer abc", "abc", false },
        { "scheme is case-insensitive: BEARER", "BEARER abc", "abc", false },
        { "surrounding whitespace trimmed", "  Bearer abc \t", "abc", false },
        { "third part ignored", "Bearer abc def", "abc", false },
        { "token may hold any non-space byte", "Bearer a.b-c_d=", "a.b-c_d=", false },
        { "tab is not a separator", "Bearer\tabc", null, false },
        { "two spaces: ignored, with the warning", "Bearer  abc", null, true },
        { "three spaces: ignored, with the warning", "Bearer   abc", null, true },
        { "Bearer and a space trims to one part", "Bearer ", null, false },
        { "Bearer alone", "Bearer", null, false },
        { "Basic is not mine", "Basic YWxpY2U6c2VjcmV0", null, false },
        { "scheme must be exactly bearer", "Bearerx abc", null, false },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void ParsesTheAuthorizationHeaderAsKube(string why, string? header, string? token, bool warning)
    {
        var parsed = BearerTokenAuthenticator.ParseHeader(header);

        Assert.True((token, warning) == (parsed.Token, parsed.ExtraSpace), $"{why}: got {parsed}");
    }

    private static DefaultHttpContext Request(params string[] authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization.Length > 0)
        {
            context.Request.Headers.Authorization = authorization;
        }
        return context;
    }

    [Fact]
    public async Task KnownTokenIsTheUserAndTheHeaderIsRemoved()
    {
        var context = Request("Bearer good");

        var result = await new BearerTokenAuthenticator(new FakeTokens().With("good", "alice")).AuthenticateAsync(context, default);

        Assert.Equal("alice", result.User?.Name);
        Assert.Equal("fake", result.Authenticator);
        Assert.False(context.Request.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task OnlyTheFirstAuthorizationValueCounts()
    {
        var context = Request("Basic x", "Bearer good");

        var result = await new BearerTokenAuthenticator(new FakeTokens().With("good", "alice")).AuthenticateAsync(context, default);

        Assert.False(result.Succeeded);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task TokenNobodyAcceptsIsInvalidBearerToken()
    {
        var context = Request("Bearer unknown");

        var result = await new BearerTokenAuthenticator(new FakeTokens()).AuthenticateAsync(context, default);

        Assert.Equal(("bearer-token", "invalid bearer token"), (result.Authenticator, result.Error));
        Assert.Equal("Bearer unknown", context.Request.Headers.Authorization.ToString());
    }

    [Fact]
    public async Task TokenAuthenticatorErrorIsKept()
    {
        var result = await new BearerTokenAuthenticator(new FakeTokens()).AuthenticateAsync(Request("Bearer bad:token-expired"), default);

        Assert.Equal("token-expired", result.Error);
    }

    [Theory]
    [InlineData("Bearer  abc", true)]
    [InlineData("Bearer\tabc", false)]
    [InlineData("Basic abc", false)]
    public async Task NotMineWithTheWarningOnlyForExtraSpace(string header, bool warned)
    {
        var tokens = new FakeTokens().With("abc", "alice");
        var context = Request(header);

        var result = await new BearerTokenAuthenticator(tokens).AuthenticateAsync(context, default);

        Assert.Equal((false, null), (result.Succeeded, result.Error));
        Assert.Equal(0, tokens.Calls);
        Assert.Equal(warned ? [Warning] : [], context.Response.Headers["Warning"].ToArray());
    }
}
