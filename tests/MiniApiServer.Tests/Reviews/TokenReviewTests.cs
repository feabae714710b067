using System.Net;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Api.Reviews;
using MiniApiServer.Authentication;
using MiniApiServer.Tests.Authentication.Webhook;

namespace MiniApiServer.Tests.Reviews;

/// <summary>POST /apis/authentication.k8s.io/v1/tokenreviews — kube's tokenreview REST over the server's token union.</summary>
public sealed class TokenReviewTests
{
    /// <summary>JSON written with single quotes, for readability.</summary>
    static string J(string s) => s.Replace('\'', '"');

    const string Path = "/apis/authentication.k8s.io/v1/tokenreviews";
    const string Issuer = ReviewHost.Issuer;
    static readonly UserInfo Alice = new("alice", "1", ["devs"], new Dictionary<string, IReadOnlyList<string>> { ["scope"] = ["x"] });

    static string Review(string spec, string metadata = "{}") =>
        $$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","metadata":{{metadata}},"spec":{{spec}}}""";

    [Fact]
    public async Task AGoodTokenIsReviewedAsTheFullRequestAuthenticatorSeesIt()
    {
        var tokens = new FakeTokens { Answers = { ["good"] = AuthenticationResult.Success("tokenfile", Alice) } };
        await using var host = ReviewHost.Start(tokens);

        var (code, body, _) = await host.PostAsync(Path, Review("""{"token":"good"}"""));

        Assert.Equal(201, code);
        // The token file knows no audiences: it is good for the server's API audiences, which the review reports.
        Assert.Equal(
            """{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"token":"good"},""" +
            J("'status':{'authenticated':true,'user':{'username':'alice','uid':'1','groups':['devs','system:authenticated'],'extra':{'scope':['x']}},") +
            J($"'audiences':['{Issuer}']}}}}"),
            body);
        Assert.Equal([Issuer], Assert.Single(tokens.SeenAudiences));
    }

    public static TheoryData<string, AuthenticationResult?, string> Rejections => new()
    {
        { "an unknown token", null, J("'status':{'user':{},'error':'invalid bearer token'}") },
        { "a token an authenticator errors on", AuthenticationResult.Failure("webhook", "token expired"), J("'status':{'user':{},'error':'token expired'}") },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task ARejectedTokenIsNotAuthenticatedWithTheReason(string _, AuthenticationResult? answer, string status)
    {
        var tokens = new FakeTokens();
        if (answer is not null) tokens.Answers["bad"] = answer;
        await using var host = ReviewHost.Start(tokens);
        var (code, body, _) = await host.PostAsync(Path, Review("""{"token":"bad"}"""));
        Assert.Equal(201, code);
        Assert.EndsWith(J("'spec':{'token':'bad'},") + status + "}", body);
    }

    [Fact]
    public async Task TheReviewsAudiencesReplaceTheApiAudiences()
    {
        var tokens = new FakeTokens { Answers = { ["sa"] = AuthenticationResult.Success("serviceaccount", Alice, ["vault"]) } };
        await using var host = ReviewHost.Start(tokens);

        var (_, body, _) = await host.PostAsync(Path, Review("""{"token":"sa","audiences":["vault","other"]}"""));

        Assert.Equal(["vault", "other"], Assert.Single(tokens.SeenAudiences));
        Assert.Contains(J("'spec':{'token':'sa','audiences':['vault','other']}"), body);
        Assert.EndsWith(J("'audiences':['vault']}}"), body);
    }

    [Fact]
    public async Task AnAudienceAgnosticTokenIsNotGoodForOtherAudiences()
    {
        var tokens = new FakeTokens { Answers = { ["good"] = AuthenticationResult.Success("tokenfile", Alice) } };
        await using var host = ReviewHost.Start(tokens);
        var (_, body, _) = await host.PostAsync(Path, Review("""{"token":"good","audiences":["vault"]}"""));
        Assert.EndsWith(J("'status':{'user':{},'error':'invalid bearer token'}}"), body);
    }

    [Fact]
    public async Task AnAuthenticatorVouchingForOtherAudiencesIsAnInternalError()
    {
        var tokens = new FakeTokens { Answers = { ["odd"] = AuthenticationResult.Success("oidc", Alice, ["somewhere-else"]) } };
        await using var host = ReviewHost.Start(tokens);
        var (code, body, _) = await host.PostAsync(Path, Review("""{"token":"odd"}"""));
        Assert.Equal(500, code);
        Assert.Contains(J("'message':'Internal error occurred: error validating audiences','reason':'InternalError"), body);
    }

    [Theory]
    [InlineData("""{"token":""}""")]
    [InlineData("""{}""")]
    public async Task AReviewWithoutATokenIsABadRequest(string spec)
    {
        await using var host = ReviewHost.Start();
        var (code, body, _) = await host.PostAsync(Path, Review(spec));
        Assert.Equal(400, code);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"token is required for TokenReview in authentication","reason":"BadRequest","code":400}""",
            body);
    }

    [Theory]
    [InlineData(true, "'status':{'authenticated':true,'user':{'username':'system:anonymous','groups':['system:unauthenticated']}}}")]
    [InlineData(false, "'status':{'user':{}}}")]
    public async Task ATokenAfterASpaceIsNoCredentialAtAll(bool anonymous, string status)
    {
        // "Bearer  tok" has an empty second word: kube's bearer reader takes it for no credential, and the
        // chain falls through to anonymous (when on) — with no API audiences, nothing to validate.
        var tokens = new FakeTokens();
        await using var host = ReviewHost.Start(tokens, apiAudiences: [], anonymous: anonymous);
        var (code, body, _) = await host.PostAsync(Path, Review("""{"token":" tok"}"""));
        Assert.Equal(201, code);
        Assert.EndsWith(J(status), body);
        Assert.Empty(tokens.SeenAudiences);
    }

    [Fact]
    public async Task OnlyTheFirstWordOfTheTokenIsReviewed()
    {
        var tokens = new FakeTokens { Answers = { ["good"] = AuthenticationResult.Success("tokenfile", Alice) } };
        await using var host = ReviewHost.Start(tokens);
        var (_, body, _) = await host.PostAsync(Path, Review("""{"token":"good trailing words"}"""));
        Assert.Contains("\"authenticated\":true", body);
    }

    [Fact]
    public async Task TheRequestsMetadataIsEchoedInGoOrderWithoutANamespace()
    {
        await using var host = ReviewHost.Start();
        var (_, body, _) = await host.PostAsync(Path, Review("""{"token":"x"}""", """{"labels":{"a":"b"},"namespace":"default","name":"r1"}"""));
        Assert.Contains(J("'metadata':{'name':'r1','creationTimestamp':null,'labels':{'a':'b'}},"), body);
    }

    [Fact]
    public async Task AWebhookUserIsReviewedThroughTheWebhookWithTheReviewsAudiences()
    {
        var webhook = new FakeWebhook().ThenReview("""{"authenticated":true,"user":{"username":"jane","groups":["qa"]},"audiences":["vault"]}""");
        var authenticator = webhook.Authenticator(new FakeTimeProvider(), apiAudiences: [Issuer]);
        await using var host = ReviewHost.Start(authenticator);

        var (_, body, _) = await host.PostAsync(Path, Review("""{"token":"w","audiences":["vault"]}"""));

        Assert.Equal(["vault"], webhook.Requests.Single()["spec"]!["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.EndsWith(J("'status':{'authenticated':true,'user':{'username':'jane','groups':['qa','system:authenticated']},'audiences':['vault']}}"), body);
    }

    [Fact]
    public void TheDefinitionIsACreateOnlyClusterScopedKind()
    {
        var def = ReviewResources.TokenReviews;
        Assert.Equal(("authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", false),
            (def.Group, def.Version, def.Plural, def.Singular, def.Kind, def.Namespaced));
        Assert.Equal(["create"], def.Verbs);
        Assert.Equal(typeof(k8s.Models.V1TokenReview), def.ModelType);
    }
}
