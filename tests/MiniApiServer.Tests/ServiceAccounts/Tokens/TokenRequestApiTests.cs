using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;
using MiniApiServer.Tests.Protobuf;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>Helpers for driving service accounts and their tokens through the API.</summary>
static class Tokens
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    public static string TokenPath(string ns, string sa) => $"/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token";

    public static Task<JsonObject> CreateServiceAccount(this HttpClient admin, string ns, string name) =>
        admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", $$$"""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"{{{name}}}"}}""").Expect(HttpStatusCode.Created);

    public static async Task<string> CreateToken(this HttpClient admin, string ns, string sa, string spec = "{}")
    {
        var response = await admin.Post(TokenPath(ns, sa), $$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{{spec}}}""").Expect(HttpStatusCode.Created);
        return (string)response["status"]!["token"]!;
    }

    /// <summary>A client that presents only the bearer token (no client certificate).</summary>
    public static HttpClient WithToken(this ApiServerFactory server, string token)
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static Task<JsonObject> WhoAmI(this HttpClient client) =>
        client.Post("/apis/authentication.k8s.io/v1/selfsubjectreviews", """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""").Expect(HttpStatusCode.Created);
}

/// <summary>The TokenRequest API (serviceaccounts/token) as kube-apiserver 1.32 answers it.</summary>
public sealed class TokenRequestApiTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    async Task<string> NamespaceWithRobot()
    {
        var ns = await admin.NewNamespace("tok");
        await admin.CreateServiceAccount(ns, "robot");
        return ns;
    }

    [Fact]
    public async Task ATokenRequestAnswersWithATokenForTheApi()
    {
        var ns = await NamespaceWithRobot();
        var answer = await admin.Post(Tokens.TokenPath(ns, "robot"), """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}""").Expect(HttpStatusCode.Created);

        Assert.Equal(["kind", "apiVersion", "metadata", "spec", "status"], answer.Select(p => p.Key));
        Assert.Equal("TokenRequest", (string?)answer["kind"]);
        Assert.Equal("authentication.k8s.io/v1", (string?)answer["apiVersion"]);
        Assert.Equal(["name", "namespace", "creationTimestamp"], answer["metadata"]!.AsObject().Select(p => p.Key));
        Assert.Equal("robot", (string?)answer["metadata"]!["name"]);
        Assert.Equal(ns, (string?)answer["metadata"]!["namespace"]);
        Assert.Equal($$$"""{"audiences":["{{{Tokens.Issuer}}}"],"expirationSeconds":3600,"boundObjectRef":null}""", answer["spec"]!.ToJsonString());
        var created = DateTimeOffset.Parse((string)answer["metadata"]!["creationTimestamp"]!);
        Assert.Equal(created.AddHours(1), DateTimeOffset.Parse((string)answer["status"]!["expirationTimestamp"]!));

        var user = (await server.WithToken((string)answer["status"]!["token"]!).WhoAmI())["status"]!["userInfo"]!;
        Assert.Equal($"system:serviceaccount:{ns}:robot", (string?)user["username"]);
        Assert.Equal($"""["system:serviceaccounts","system:serviceaccounts:{ns}","system:authenticated"]""", user["groups"]!.ToJsonString());
        Assert.StartsWith("JTI=", (string?)user["extra"]!["authentication.kubernetes.io/credential-id"]![0]);
    }

    [Fact]
    public async Task APodBoundTokenCarriesThePodIntoTheUser()
    {
        var ns = await NamespaceWithRobot();
        var pod = await admin.Post($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        var uid = (string)pod["metadata"]!["uid"]!;
        var answer = await admin.Post(Tokens.TokenPath(ns, "robot"),
            """{"spec":{"audiences":["vault"],"expirationSeconds":1200,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-0"}}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("""{"audiences":["vault"],"expirationSeconds":1200,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-0"}}""", answer["spec"]!.ToJsonString());

        // A token for "vault" is no key to the API, but a TokenReview for "vault" accepts it.
        var token = (string)answer["status"]!["token"]!;
        await server.WithToken(token).GetAsync("/api").ExpectStatus(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        var review = await admin.Post("/apis/authentication.k8s.io/v1/tokenreviews",
            $$$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"{{{token}}}","audiences":["vault"]}}""").Expect(HttpStatusCode.Created);
        Assert.True((bool?)review["status"]!["authenticated"]);
        Assert.Equal("""["vault"]""", review["status"]!["audiences"]!.ToJsonString());
        var extra = review["status"]!["user"]!["extra"]!;
        Assert.Equal("web-0", (string?)extra["authentication.kubernetes.io/pod-name"]![0]);
        Assert.Equal(uid, (string?)extra["authentication.kubernetes.io/pod-uid"]![0]);
    }

    [Fact]
    public async Task TheKubeletsPodTokenIsValidAYearButReportsItsOwnExpiry()
    {
        var ns = await NamespaceWithRobot();
        await admin.Post($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        var answer = await admin.Post(Tokens.TokenPath(ns, "robot"),
            """{"spec":{"expirationSeconds":3607,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-0"}}}""").Expect(HttpStatusCode.Created);
        var created = DateTimeOffset.Parse((string)answer["metadata"]!["creationTimestamp"]!);
        Assert.Equal(created.AddSeconds(3607), DateTimeOffset.Parse((string)answer["status"]!["expirationTimestamp"]!));
        var claims = JsonNode.Parse(TokenWorld.Part((string)answer["status"]!["token"]!, 1))!;
        Assert.Equal(365 * 24 * 3600, (long)claims["exp"]! - (long)claims["iat"]!);
        Assert.Equal(3607, (long)claims["kubernetes.io"]!["warnafter"]! - (long)claims["iat"]!);
    }

    public static TheoryData<string, string> TooShortOrLong => new()
    {
        { "599", "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes" },
        { "0", "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes" },
        { "4294967297", "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds" },
    };

    [Theory, MemberData(nameof(TooShortOrLong))]
    public async Task TheLifetimeIsTenMinutesTo2Pow32Seconds(string seconds, string message)
    {
        var ns = await NamespaceWithRobot();
        await admin.Post(Tokens.TokenPath(ns, "robot"), $$$"""{"spec":{"expirationSeconds":{{{seconds}}}}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid", message);
    }

    [Fact]
    public async Task TheBodyMayOnlyNameTheUrlsAccount()
    {
        var ns = await NamespaceWithRobot();
        await admin.Post(Tokens.TokenPath(ns, "robot"), """{"metadata":{"name":"other"},"spec":{}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
                "TokenRequest.authentication.k8s.io \"robot\" is invalid: metadata.name: Invalid value: \"other\": must match the service account name if specified");
        await admin.Post(Tokens.TokenPath(ns, "robot"), """{"metadata":{"namespace":"elsewhere"},"spec":{}}""")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }

    [Fact]
    public async Task AMissingAccountIsNotFound()
    {
        var ns = await admin.NewNamespace("tok");
        await admin.Post(Tokens.TokenPath(ns, "nobody"), """{"spec":{}}""")
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "serviceaccounts \"nobody\" not found");
    }

    [Fact]
    public async Task TheBoundObjectMustExistAndBeTheOneNamed()
    {
        var ns = await NamespaceWithRobot();
        await admin.CreateServiceAccount(ns, "other");
        await admin.Post($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"theirs"},"spec":{"serviceAccountName":"other","containers":[{"name":"c","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}""").Expect(HttpStatusCode.Created);
        string Bound(string reference) => $$$"""{"spec":{"boundObjectRef":{{{reference}}}}}""";

        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Pod","apiVersion":"v1","name":"p"}"""))
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "pods \"p\" not found");
        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Pod","apiVersion":"v1","name":"theirs"}"""))
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "cannot bind token for serviceaccount \"robot\" to pod running with different serviceaccount name.");
        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Deployment","apiVersion":"apps/v1","name":"d"}"""))
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "cannot bind token to object of type apps/v1, Kind=Deployment");
        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Secret","apiVersion":"v1","name":"s","uid":"not-its-uid"}"""))
            .ExpectStatus(HttpStatusCode.Conflict, "Conflict",
                "Operation cannot be fulfilled on Secret \"s\": the UID in the bound object reference (not-its-uid) does not match the UID in record. The object might have been deleted and then recreated");
        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Node","apiVersion":"v1","name":"no-such-node"}"""))
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "nodes \"no-such-node\" not found");
        await admin.Post(Tokens.TokenPath(ns, "robot"), Bound("""{"kind":"Secret","apiVersion":"v1","name":"s"}""")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ATokenOfADeletedAccountIsUnauthorized()
    {
        var ns = await NamespaceWithRobot();
        var token = await admin.CreateToken(ns, "robot");
        await admin.Delete($"/api/v1/namespaces/{ns}/serviceaccounts/robot").Expect(HttpStatusCode.OK);
        await server.WithToken(token).GetAsync("/api").ExpectStatus(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
    }

    [Fact]
    public async Task ARecreatedAccountDoesNotInheritOldTokens()
    {
        var ns = await NamespaceWithRobot();
        var token = await admin.CreateToken(ns, "robot");
        await admin.Delete($"/api/v1/namespaces/{ns}/serviceaccounts/robot").Expect(HttpStatusCode.OK);
        await admin.CreateServiceAccount(ns, "robot");
        await server.WithToken(token).GetAsync("/api").ExpectStatus(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
    }

    [Fact]
    public async Task KubectlsProtobufBodyIsUnderstood()
    {
        var ns = await NamespaceWithRobot();
        // What kubectl create token --audience a1 --duration 20m --bound-object-kind Secret … sends.
        await admin.Post($"/api/v1/namespaces/{ns}/secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}""").Expect(HttpStatusCode.Created);
        var body = new ProtoBody()
            .Message(1, ProtoBody.EmptyObjectMeta())
            .Message(2, new ProtoBody()
                .String(1, "a1")
                .Message(3, new ProtoBody().String(1, "Secret").String(2, "v1").String(3, "s").String(4, ""))
                .Varint(4, 1200))
            .Message(3, new ProtoBody().String(1, "").Message(2, new ProtoBody()));
        var content = new ByteArrayContent(ProtoBody.Envelope("authentication.k8s.io/v1", "TokenRequest", body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        var answer = await admin.PostAsync(Tokens.TokenPath(ns, "robot"), content).Expect(HttpStatusCode.Created);
        Assert.Equal("""{"audiences":["a1"],"expirationSeconds":1200,"boundObjectRef":{"kind":"Secret","apiVersion":"v1","name":"s"}}""", answer["spec"]!.ToJsonString());
        Assert.NotEmpty((string)answer["status"]!["token"]!);
    }

    [Fact]
    public async Task ADryRunStillIssuesAToken()
    {
        var ns = await NamespaceWithRobot();
        var answer = await admin.Post(Tokens.TokenPath(ns, "robot") + "?dryRun=All", """{"spec":{}}""").Expect(HttpStatusCode.Created);
        Assert.NotEmpty((string)answer["status"]!["token"]!);
    }

    [Fact]
    public async Task CreatingTokensNeedsCreateOnServiceAccountsToken()
    {
        var ns = await NamespaceWithRobot();
        await server.ClientFor("jane", "dev").Post(Tokens.TokenPath(ns, "robot"), """{"spec":{}}""")
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                $"serviceaccounts \"robot\" is forbidden: User \"jane\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"{ns}\"");
    }

    [Fact]
    public async Task OnlyCreateIsServed()
    {
        var ns = await NamespaceWithRobot();
        await admin.GetAsync(Tokens.TokenPath(ns, "robot")).ExpectStatus(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
    }

    [Fact]
    public async Task DiscoveryListsTheTokenSubresource()
    {
        var resources = (await admin.GetAsync("/api/v1").Expect(HttpStatusCode.OK))["resources"]!.AsArray();
        var token = resources.Single(r => (string?)r!["name"] == "serviceaccounts/token")!;
        var expected = JsonNode.Parse("""{"name":"serviceaccounts/token","singularName":"","namespaced":true,"group":"authentication.k8s.io","version":"v1","kind":"TokenRequest","verbs":["create"]}""");
        Assert.True(JsonNode.DeepEquals(expected, token), token.ToJsonString());
    }
}

/// <summary>A server with --service-account-max-token-expiration=2h and its own jwks_uri.</summary>
public sealed class CappedTokensServerFactory : ApiServerFactory
{
    public CappedTokensServerFactory()
    {
        Flags["service-account-max-token-expiration"] = "2h";
        Flags["service-account-jwks-uri"] = "https://keys.example.com/jwks";
    }
}

public sealed class TokenLifetimeCapTests(CappedTokensServerFactory server) : IClassFixture<CappedTokensServerFactory>
{
    [Fact]
    public async Task ALongerRequestIsShortenedWithAWarning()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace("cap");
        await admin.CreateServiceAccount(ns, "robot");
        var response = await admin.Post(Tokens.TokenPath(ns, "robot"), """{"spec":{"expirationSeconds":86400}}""");
        Assert.Equal(["299 - \"requested expiration of 86400 seconds shortened to 7200 seconds\""], response.Headers.GetValues("Warning"));
        var answer = await Task.FromResult(response).Expect(HttpStatusCode.Created);
        Assert.Equal(7200, (long)answer["spec"]!["expirationSeconds"]!);
    }

    [Fact]
    public async Task TheDiscoveryDocumentNamesTheConfiguredJwksUri()
    {
        var config = await server.Admin().GetAsync("/.well-known/openid-configuration").Expect(HttpStatusCode.OK);
        Assert.Equal("https://keys.example.com/jwks", (string?)config["jwks_uri"]);
    }
}
