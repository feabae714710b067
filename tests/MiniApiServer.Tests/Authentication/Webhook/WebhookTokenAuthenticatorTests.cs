using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Tests.Authentication.Webhook;

/// <summary>kube-apiserver's webhook token authenticator (k8s.io/apiserver plugin/pkg/authenticator/token/webhook) against a scripted webhook.</summary>
public sealed class WebhookTokenAuthenticatorTests
{
    const string Issuer = "https://kubernetes.default.svc.cluster.local";
    readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    readonly FakeWebhook webhook = new();

    const string Jane = """{"authenticated":true,"user":{"username":"jane@example.com","uid":"42","groups":["developers","qa"],"extra":{"example.com/scopes":["a","b"]}}}""";

    [Theory]
    [InlineData("v1", "authentication.k8s.io/v1")]
    [InlineData("v1beta1", "authentication.k8s.io/v1beta1")]
    public async Task PostsATokenReviewInTheConfiguredVersionWithTheApiAudiences(string version, string apiVersion)
    {
        webhook.ThenReview(Jane, apiVersion);
        var authenticator = webhook.Authenticator(time, version, apiAudiences: [Issuer]);

        await authenticator.AuthenticateTokenAsync("secret-token", default);

        Assert.Equal(
            "{\"kind\":\"TokenReview\",\"apiVersion\":\"" + apiVersion + "\",\"metadata\":{\"creationTimestamp\":null}," +
            "\"spec\":{\"token\":\"secret-token\",\"audiences\":[\"" + Issuer + "\"]},\"status\":{\"user\":{}}}",
            webhook.Requests.Single().ToJsonString());
        var message = webhook.Messages.Single();
        Assert.Equal("https://webhook.example/authenticate?x=1", message.RequestUri!.ToString());
        Assert.Equal("application/json", message.Content!.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ANotAudienceLimitedServerSendsNoAudiences()
    {
        webhook.ThenReview(Jane);
        await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.Null(webhook.Requests.Single()["spec"]!["audiences"]);
    }

    [Theory]
    [InlineData("v1", "authentication.k8s.io/v1")]
    [InlineData("v1beta1", "authentication.k8s.io/v1beta1")]
    public async Task AnAuthenticatedAnswerIsTheUser(string version, string apiVersion)
    {
        webhook.ThenReview(Jane, apiVersion);
        var result = await webhook.Authenticator(time, version).AuthenticateTokenAsync("t", default);

        Assert.True(result.Succeeded);
        Assert.Equal("webhook", result.Authenticator);
        var user = result.User!;
        Assert.Equal("jane@example.com", user.Name);
        Assert.Equal("42", user.Uid);
        Assert.Equal(["developers", "qa"], user.Groups); // system:authenticated is the group adder's business
        Assert.Equal(["a", "b"], user.Extra["example.com/scopes"]);
        Assert.Null(result.Audiences);
    }

    [Theory]
    [InlineData("""{"authenticated":false}""", null)]
    [InlineData("""{"authenticated":false,"error":"token expired"}""", "token expired")]
    [InlineData("""{}""", null)]
    public async Task AnUnauthenticatedAnswerIsNotMineOrTheWebhooksError(string status, string? error)
    {
        webhook.ThenReview(status);
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.False(result.Succeeded);
        Assert.Equal(error, result.Error);
    }

    [Theory]
    [InlineData("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true,"user":{"username":"x"}}}""")] // v1 answer to a v1beta1 webhook
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap"}""")]
    [InlineData("""not json""")]
    [InlineData("")]
    public async Task AnAnswerThatDoesNotDecodeIsAnError(string body)
    {
        webhook.ThenStatus(HttpStatusCode.OK, body);
        var result = await webhook.Authenticator(time, "v1beta1").AuthenticateTokenAsync("t", default);
        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
        Assert.Equal(1, webhook.Count);
    }

    [Fact]
    public async Task AnAnswerWithoutKindOrApiVersionIsRead()
    {
        webhook.ThenStatus(HttpStatusCode.OK, """{"status":{"authenticated":true,"user":{"username":"bob"}}}""");
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.Equal("bob", result.User?.Name);
    }

    // ------------------------------------------------------------------ cache

    [Theory]
    [InlineData(Jane, true)]
    [InlineData("""{"authenticated":false}""", false)]
    public async Task AnswersAreCachedForTheTtl(string status, bool authenticated)
    {
        webhook.ThenReview(status);
        var authenticator = webhook.Authenticator(time, ttl: TimeSpan.FromMinutes(2));

        var first = await authenticator.AuthenticateTokenAsync("t", default);
        time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        var second = await authenticator.AuthenticateTokenAsync("t", default);
        Assert.Equal(1, webhook.Count);
        Assert.Equal(authenticated, second.Succeeded);
        Assert.Equal(first, second);

        time.Advance(TimeSpan.FromSeconds(1));
        await authenticator.AuthenticateTokenAsync("t", default);
        Assert.Equal(2, webhook.Count);
    }

    [Fact]
    public async Task AZeroTtlCachesNothing()
    {
        webhook.ThenReview(Jane);
        var authenticator = webhook.Authenticator(time, ttl: TimeSpan.Zero);
        await authenticator.AuthenticateTokenAsync("t", default);
        await authenticator.AuthenticateTokenAsync("t", default);
        Assert.Equal(2, webhook.Count);
    }

    [Fact]
    public async Task TheCacheKeepsTokensAndAudiencesApart()
    {
        webhook.ThenReview(Jane);
        var authenticator = webhook.Authenticator(time);
        await authenticator.AuthenticateTokenAsync("t1", default);
        await authenticator.AuthenticateTokenAsync("t2", default);
        await authenticator.AuthenticateTokenAsync("t1", ["a"], default);
        await authenticator.AuthenticateTokenAsync("t1", ["a"], default);
        Assert.Equal(3, webhook.Count);
    }

    public static TheoryData<string, Action<FakeWebhook>> Errors => new()
    {
        { "status.error", w => w.ThenReview("""{"authenticated":false,"error":"token expired"}""") },
        { "HTTP 500 until the retries run out", w => w.ThenStatus(HttpStatusCode.InternalServerError) },
        { "HTTP 401", w => w.ThenStatus(HttpStatusCode.Unauthorized) },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorsAreNeverCached(string _, Action<FakeWebhook> script)
    {
        script(webhook);
        var authenticator = webhook.Authenticator(time);
        await authenticator.AuthenticateTokenAsync("t", default);
        var callsForOne = webhook.Count;
        var again = await authenticator.AuthenticateTokenAsync("t", default);
        Assert.NotNull(again.Error);
        Assert.Equal(2 * callsForOne, webhook.Count);
    }

    [Fact]
    public async Task ConcurrentLookupsOfOneTokenShareOneCall()
    {
        webhook.ThenReview(Jane);
        webhook.Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var authenticator = webhook.Authenticator(time);
        var lookups = Enumerable.Range(0, 5).Select(_ => authenticator.AuthenticateTokenAsync("t", default).AsTask()).ToList();
        await webhook.NextCallAsync();
        webhook.Hang.SetResult();
        var results = await Task.WhenAll(lookups);
        Assert.All(results, r => Assert.Equal("jane@example.com", r.User?.Name));
        Assert.Equal(1, webhook.Count);
    }

    // ------------------------------------------------------------------ retries

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, null, 5)]
    [InlineData(HttpStatusCode.BadGateway, null, 5)] // any 5xx without a reason of its own is an InternalError
    [InlineData(HttpStatusCode.GatewayTimeout, null, 5)]
    [InlineData(HttpStatusCode.TooManyRequests, null, 5)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 1, 5)] // a Retry-After asks for a retry
    [InlineData(HttpStatusCode.ServiceUnavailable, null, 1)]
    [InlineData(HttpStatusCode.BadRequest, null, 1)]
    [InlineData(HttpStatusCode.Unauthorized, null, 1)]
    [InlineData(HttpStatusCode.NotFound, null, 1)]
    public async Task FailuresAreRetriedAsKubesDefaultShouldRetrySays(HttpStatusCode code, int? retryAfter, int calls)
    {
        webhook.ThenStatus(code, retryAfter: retryAfter);
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
        Assert.Equal(calls, webhook.Count);
    }

    [Fact]
    public async Task ARetriedFailureThatRecoversAuthenticates()
    {
        webhook.ThenStatus(HttpStatusCode.InternalServerError).ThenStatus(HttpStatusCode.TooManyRequests).ThenReview(Jane);
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.Equal("jane@example.com", result.User?.Name);
        Assert.Equal(3, webhook.Count);
    }

    [Theory]
    [InlineData("""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"busy","reason":"ServerTimeout","details":{},"code":500}""", 5)]
    [InlineData("""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no","reason":"BadRequest","code":500}""", 1)]
    public async Task AStatusBodyDecidesTheReason(string status, int calls)
    {
        webhook.ThenStatus(HttpStatusCode.InternalServerError, status);
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.Equal(calls, webhook.Count);
        Assert.Equal(JsonNode.Parse(status)!["message"]!.GetValue<string>(), result.Error);
    }

    [Fact]
    public async Task AnUnstructuredServerErrorQuotesATextBody()
    {
        webhook.ThenStatus(HttpStatusCode.InternalServerError, "database down\n", "text/plain");
        var result = await webhook.Authenticator(time).AuthenticateTokenAsync("t", default);
        Assert.Equal("an error on the server (\"database down\") has prevented the request from succeeding", result.Error);
    }

    [Fact]
    public async Task RetriesWaitKubesExponentialBackOff()
    {
        var clock = new TimerWatchingTimeProvider(time.GetUtcNow());
        webhook.ThenStatus(HttpStatusCode.InternalServerError);
        var authenticator = webhook.Authenticator(clock, backoff: WebhookRetryBackoff.Default with { Jitter = 0 });
        var lookup = authenticator.AuthenticateTokenAsync("t", default).AsTask();

        await webhook.NextCallAsync();
        foreach (var waitMs in new[] { 500.0, 750, 1125, 1687.5 })
        {
            var wait = TimeSpan.FromMilliseconds(Math.Floor(waitMs)); // Task.Delay counts whole milliseconds
            await clock.TimerCreatedAsync(wait);
            clock.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.False(webhook.Calls.TryPeek(out _), $"retried before {waitMs} ms");
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await webhook.NextCallAsync();
        }
        var result = await lookup.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, webhook.Count);
        Assert.Equal("an error on the server (\"unknown\") has prevented the request from succeeding", result.Error);
    }

    [Fact]
    public void KubesBackOffIsHalfASecondTimesOnePointFiveWithJitterFiveSteps() =>
        Assert.Equal(new WebhookRetryBackoff(TimeSpan.FromMilliseconds(500), 1.5, 0.2, 5), WebhookRetryBackoff.Default);

    [Fact]
    public async Task AWebhookThatDoesNotAnswerTimesOutAfterThirtySecondsWithoutRetry()
    {
        webhook.ThenReview(Jane);
        webhook.Hang = new TaskCompletionSource();
        var lookup = webhook.Authenticator(time).AuthenticateTokenAsync("t", default).AsTask();
        await webhook.NextCallAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await lookup.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("context deadline exceeded", result.Error);
        Assert.Equal(1, webhook.Count);
    }

    // ------------------------------------------------------------------ audiences

    [Theory]
    [InlineData("""["https://kubernetes.default.svc.cluster.local","other"]""", new[] { Issuer })]
    [InlineData("""[]""", new[] { Issuer })] // no audiences in the answer: the server's API audiences are implied
    [InlineData("""["other"]""", null)]
    public async Task TheAnswersAudiencesMustMeetTheWantedOnes(string answered, string[]? expected)
    {
        webhook.ThenReview($$"""{"authenticated":true,"user":{"username":"jane"},"audiences":{{answered}}}""");
        var result = await webhook.Authenticator(time, apiAudiences: [Issuer]).AuthenticateTokenAsync("t", default);
        if (expected is null)
        {
            Assert.False(result.Succeeded);
            Assert.Null(result.Error); // "not authenticated", not an error
        }
        else Assert.Equal(expected, result.Audiences);
    }

    [Fact]
    public async Task AnAudienceMismatchWinsOverTheWebhooksError()
    {
        webhook.ThenReview("""{"authenticated":false,"error":"token expired","audiences":["other"]}""");
        var result = await webhook.Authenticator(time, apiAudiences: [Issuer]).AuthenticateTokenAsync("t", default);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task TheCallersAudienceScopeReplacesTheApiAudiences()
    {
        webhook.ThenReview("""{"authenticated":true,"user":{"username":"jane"},"audiences":["vault"]}""");
        var authenticator = webhook.Authenticator(time, apiAudiences: [Issuer]);
        AuthenticationResult result;
        using (TokenAudiences.Use(["vault", "other"]))
            result = await authenticator.AuthenticateTokenAsync("t", default);
        Assert.Equal(["vault", "other"], webhook.Requests.Single()["spec"]!["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["vault"], result.Audiences);
        Assert.Null(TokenAudiences.Current);
    }
}
