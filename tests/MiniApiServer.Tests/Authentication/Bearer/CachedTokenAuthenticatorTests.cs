using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

public sealed class CachedTokenAuthenticatorTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2025-03-01T12:00:00Z");
    private readonly FakeTimeProvider _time = new(Start);

    private CachedTokenAuthenticator Cache(ITokenAuthenticator inner, TimeSpan? failureTtl = null, int capacity = CachedTokenAuthenticator.DefaultCapacity) =>
        new(inner, _time, failureTtl: failureTtl, capacity: capacity);

    [Fact]
    public async Task SuccessIsServedFromTheCache()
    {
        var inner = new FakeTokens().With("t", "alice");
        var cache = Cache(inner);

        var first = await cache.AuthenticateTokenAsync("t", default);
        var second = await cache.AuthenticateTokenAsync("t", default);

        Assert.Equal(1, inner.Calls);
        Assert.Equal("alice", second.User?.Name);
        Assert.Same(first, second);
    }

    [Theory]
    [InlineData("unknown")]             // not mine
    [InlineData("bad:token is revoked")] // error
    public async Task FailuresAreNotCachedByDefault(string token)
    {
        var inner = new FakeTokens();
        var cache = Cache(inner);

        await cache.AuthenticateTokenAsync(token, default);
        await cache.AuthenticateTokenAsync(token, default);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.CachedAnswers);
    }

    [Fact]
    public async Task AFailureTtlKeepsFailuresAndErrorsAsKubesCacheErrs()
    {
        var inner = new FakeTokens();
        var cache = Cache(inner, failureTtl: TimeSpan.FromSeconds(5));

        await cache.AuthenticateTokenAsync("bad:nope", default);
        var again = await cache.AuthenticateTokenAsync("bad:nope", default);

        Assert.Equal((1, "nope"), (inner.Calls, again.Error));
    }

    public static TheoryData<string, TimeSpan, bool> SuccessTtl => new()
    {
        { "just cached", TimeSpan.Zero, true },
        { "within 10 s", TimeSpan.FromSeconds(9.999), true },
        { "at 10 s", TimeSpan.FromSeconds(10), true },
        { "just after 10 s", TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1), false },
        { "a minute later", TimeSpan.FromMinutes(1), false },
    };

    [Theory]
    [MemberData(nameof(SuccessTtl))]
    public async Task SuccessIsKeptTenSeconds(string why, TimeSpan later, bool cached)
    {
        var inner = new FakeTokens().With("t", "alice");
        var cache = Cache(inner);
        await cache.AuthenticateTokenAsync("t", default);

        _time.Advance(later);
        await cache.AuthenticateTokenAsync("t", default);

        Assert.True((cached ? 1 : 2) == inner.Calls, why);
    }

    /// <summary>An authenticator that checks an expiry as go-jose does (expired when now is after exp) and reports it.</summary>
    private sealed class ExpiringTokens(TimeProvider time, DateTimeOffset exp) : IExpiringTokenAuthenticator
    {
        public int Calls;
        public string Name => "jwt";

        public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
            (await AuthenticateExpiringTokenAsync(token, cancellationToken)).Result;

        public ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(time.GetUtcNow() > exp
                ? new ExpiringTokenResult(AuthenticationResult.Failure(Name, "token is expired"))
                : new ExpiringTokenResult(AuthenticationResult.Success(Name, FakeTokens.User("alice")), exp));
        }
    }

    public static TheoryData<string, TimeSpan, bool> AroundExpiry => new()
    {
        { "a second before exp", TimeSpan.FromSeconds(-1), true },
        { "at exp", TimeSpan.Zero, true },
        { "a tick after exp", TimeSpan.FromTicks(1), false },
        { "a second after exp", TimeSpan.FromSeconds(1), false },
    };

    [Theory]
    [MemberData(nameof(AroundExpiry))]
    public async Task CachedSuccessNeverOutlivesTheTokensExpiry(string why, TimeSpan sinceExp, bool valid)
    {
        var exp = Start.AddSeconds(3); // inside the 10 s success TTL
        var cache = Cache(new ExpiringTokens(_time, exp));
        Assert.True((await cache.AuthenticateTokenAsync("t", default)).Succeeded);

        _time.SetUtcNow(exp + sinceExp);
        var result = await cache.AuthenticateTokenAsync("t", default);

        Assert.True(valid == result.Succeeded, $"{why}: {result}");
    }

    [Fact]
    public async Task AnswerAlreadyPastItsExpiryIsNotCached()
    {
        var inner = new FakeTokens().With("t", "alice", validUntil: Start.AddSeconds(-1));
        var cache = Cache(inner);

        await cache.AuthenticateTokenAsync("t", default);
        await cache.AuthenticateTokenAsync("t", default);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task SizeIsBoundedAndTheLeastRecentlyUsedGoes()
    {
        var inner = new FakeTokens();
        foreach (var t in new[] { "t0", "t1", "t2", "t3" }) inner.With(t, t);
        var cache = Cache(inner, capacity: 3);

        await cache.AuthenticateTokenAsync("t0", default);
        await cache.AuthenticateTokenAsync("t1", default);
        await cache.AuthenticateTokenAsync("t2", default);
        await cache.AuthenticateTokenAsync("t0", default); // t0 used again: t1 is now the oldest
        await cache.AuthenticateTokenAsync("t3", default); // evicts t1
        Assert.Equal((3, 4), (cache.CachedAnswers, inner.Calls));

        await cache.AuthenticateTokenAsync("t0", default);
        Assert.Equal(4, inner.Calls);
        await cache.AuthenticateTokenAsync("t1", default);
        Assert.Equal(5, inner.Calls);
        Assert.Equal(3, cache.CachedAnswers);
    }

    [Fact]
    public async Task AudiencesArePartOfTheKeyAndReachTheInnerAuthenticator()
    {
        var inner = new FakeTokens().With("t", "alice");
        var cache = Cache(inner);

        using (TokenAudiences.Use(["https://kubernetes.default.svc"]))
        {
            await cache.AuthenticateTokenAsync("t", default);
            await cache.AuthenticateTokenAsync("t", default);
        }
        using (TokenAudiences.Use(["vault"]))
        {
            await cache.AuthenticateTokenAsync("t", default);
        }

        Assert.Equal(2, inner.Calls);
        Assert.Equal([["https://kubernetes.default.svc"], ["vault"]], inner.AudiencesSeen.Select(a => a!.ToArray()));
        Assert.Null(TokenAudiences.Current);
    }

    [Fact]
    public void KeysAreLengthPrefixedAndKeyedPerCache()
    {
        var cache = Cache(new FakeTokens());

        Assert.Equal(cache.KeyOf("tok", ["a", "b"]), cache.KeyOf("tok", ["a", "b"]));
        Assert.NotEqual(cache.KeyOf("ab", ["c"]), cache.KeyOf("a", ["bc"]));
        Assert.NotEqual(cache.KeyOf("tok", ["ab"]), cache.KeyOf("tok", ["a", "b"]));
        Assert.NotEqual(cache.KeyOf("tok", null), cache.KeyOf("tok", [""]));
        Assert.NotEqual(cache.KeyOf("tok", null), Cache(new FakeTokens()).KeyOf("tok", null)); // random HMAC key per cache
    }

    [Fact]
    public async Task ConcurrentLookupsOfOneTokenShareOneCall()
    {
        var inner = new FakeTokens().With("t", "alice");
        inner.Hold();
        var cache = Cache(inner);

        var lookups = Enumerable.Range(0, 5).Select(_ => cache.AuthenticateTokenAsync("t", default).AsTask()).ToList();
        Assert.All(lookups, l => Assert.False(l.IsCompleted));
        inner.Release();
        var results = await Task.WhenAll(lookups);

        Assert.Equal(1, inner.Calls);
        Assert.All(results, r => Assert.Equal("alice", r.User?.Name));
    }

    [Fact]
    public async Task AWaiterThatGivesUpDoesNotCancelTheSharedLookup()
    {
        var inner = new FakeTokens().With("t", "alice");
        inner.Hold();
        var cache = Cache(inner);
        using var impatient = new CancellationTokenSource();

        var first = cache.AuthenticateTokenAsync("t", impatient.Token).AsTask();
        var second = cache.AuthenticateTokenAsync("t", default).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        inner.Release();

        Assert.Equal("alice", (await second).User?.Name);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task ACrashReachesEveryWaiterAndIsNotCached()
    {
        var inner = new FakeTokens().With("t", "alice");
        inner.Throw = _ => new InvalidOperationException("boom");
        inner.Hold();
        var cache = Cache(inner);

        var lookups = new[] { cache.AuthenticateTokenAsync("t", default).AsTask(), cache.AuthenticateTokenAsync("t", default).AsTask() };
        inner.Release();
        foreach (var lookup in lookups)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => lookup);
        }
        inner.Throw = null;

        Assert.True((await cache.AuthenticateTokenAsync("t", default)).Succeeded);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task SharedLookupIsAbandonedAfterThirtySeconds()
    {
        var inner = new FakeTokens().With("t", "alice");
        inner.Hold();
        var cache = Cache(inner);

        var lookup = cache.AuthenticateTokenAsync("t", default).AsTask();
        _time.Advance(CachedTokenAuthenticator.SharedLookupTimeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
        Assert.Equal(0, cache.CachedAnswers);
    }

    [Fact]
    public async Task PlainTokenAuthenticatorsAreCachedToo()
    {
        var inner = new PlainTokens("file", t => AuthenticationResult.Success("file", FakeTokens.User(t)));
        var cache = Cache(inner);

        await cache.AuthenticateTokenAsync("t", default);
        var answer = await cache.AuthenticateExpiringTokenAsync("t", default);

        Assert.Equal((1, (DateTimeOffset?)null), (inner.Calls, answer.ValidUntil));
    }
}
