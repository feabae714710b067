using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

/// <summary>
/// A token authenticator's warnings reach the client as <c>Warning: 299</c> headers, and the token cache replays
/// them on every hit (kube's cached token authenticator keeps a result's warnings with it), so a request answered
/// from the cache warns exactly as the one that filled it.
/// </summary>
public sealed class TokenWarningsTests
{
    const string LegacyWarning = "Use tokens from the TokenRequest API or manually created secret-based tokens instead of auto-generated secret-based tokens.";

    /// <summary>Accepts "warned" (adding a warning) and "plain"; counts its calls.</summary>
    sealed class WarningTokens : ITokenAuthenticator
    {
        public int Calls;
        public string Name => "warning-tokens";

        public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            await Task.Yield(); // warnings added after an await still reach the recorder
            if (token == "warned") TokenWarnings.Add(LegacyWarning);
            return token is "warned" or "plain"
                ? AuthenticationResult.Success(Name, new UserInfo("u", "", [], UserInfo.NoExtra))
                : AuthenticationResult.NotMine(Name);
        }
    }

    readonly WarningTokens inner = new();
    readonly CachedTokenAuthenticator cache;

    public TokenWarningsTests() => cache = new CachedTokenAuthenticator(inner, new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T12:00:00Z")));

    async Task<IReadOnlyList<string>> WarningsOfAsync(string token)
    {
        using var recorder = TokenWarnings.Record();
        await cache.AuthenticateTokenAsync(token, default);
        return recorder.Warnings;
    }

    [Fact]
    public async Task ACachedAnswerRepeatsTheWarningsOfTheLookupThatFilledIt()
    {
        Assert.Equal([LegacyWarning], await WarningsOfAsync("warned"));
        Assert.Equal([LegacyWarning], await WarningsOfAsync("warned"));
        Assert.Equal(1, inner.Calls);
        Assert.Empty(await WarningsOfAsync("plain"));
    }

    [Fact]
    public async Task CallersJoiningOneLookupEachGetItsWarnings()
    {
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => WarningsOfAsync("warned"))));
        Assert.All(all, w => Assert.Equal([LegacyWarning], w));
    }

    [Fact]
    public async Task WithoutARecorderWarningsAreDropped() =>
        Assert.True((await cache.AuthenticateTokenAsync("warned", default)).Succeeded);

    [Fact]
    public async Task TheBearerAuthenticatorWritesThemAsWarningHeadersOnEveryRequest()
    {
        var bearer = new BearerTokenAuthenticator(cache);
        foreach (var _ in new[] { "first (lookup)", "second (cache hit)" })
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Authorization = "Bearer warned";
            Assert.True((await bearer.AuthenticateAsync(context, default)).Succeeded);
            Assert.Equal($"299 - \"{LegacyWarning}\"", Assert.Single(context.Response.Headers["Warning"]));
        }
        Assert.Equal(1, inner.Calls);
    }
}
