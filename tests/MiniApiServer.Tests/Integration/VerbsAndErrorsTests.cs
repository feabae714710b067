using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>Every verb on every kind of the core surface, and the Status bodies of the error paths.</summary>
public sealed class VerbsAndErrorsTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    /// <summary>A minimal valid body of each writable kind, with a label to select it by.</summary>
    static string Body(string plural, string name) => plural switch
    {
        "namespaces" => """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"NAME","labels":{"suite":"verbs"}}}""".Replace("NAME", name),
        "pods" => """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","labels":{"suite":"verbs"}},"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}""".Replace("NAME", name),
        "secrets" => """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"NAME","labels":{"suite":"verbs"}},"data":{"k":"dg=="}}""".Replace("NAME", name),
        "serviceaccounts" => """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"NAME","labels":{"suite":"verbs"}}}""".Replace("NAME", name),
        "configmaps" => """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"suite":"verbs"}},"data":{"k":"v"}}""".Replace("NAME", name),
        _ => throw new ArgumentOutOfRangeException(nameof(plural)),
    };

    async Task<string> Collection(string plural) =>
        plural == "namespaces" ? "/api/v1/namespaces" : $"/api/v1/namespaces/{await admin.NewNamespace()}/{plural}";

    [Theory]
    [InlineData("namespaces", "Namespace")]
    [InlineData("pods", "Pod")]
    [InlineData("secrets", "Secret")]
    [InlineData("serviceaccounts", "ServiceAccount")]
    [InlineData("configmaps", "ConfigMap")]
    public async Task CreateGetListUpdatePatchDelete(string plural, string kind)
    {
        var collection = await Collection(plural);
        var name = "v-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.Post(collection, Body(plural, name)).Expect(HttpStatusCode.Created);
        Assert.Equal(kind, (string?)created["kind"]);
        Assert.Equal("v1", (string?)created["apiVersion"]);

        var got = await admin.GetAsync($"{collection}/{name}").Expect(HttpStatusCode.OK);
        Assert.Equal(kind, (string?)got["kind"]);
        // The same object, as stored now: a controller (the pod simulator) may already have written its status.
        Assert.Equal((string?)created["metadata"]!["uid"], (string?)got["metadata"]!["uid"]);
        Assert.True(long.Parse(got.Rv()) >= long.Parse(created.Rv()), $"{got.Rv()} is older than {created.Rv()}");

        var list = await admin.GetAsync($"{collection}?labelSelector=suite%3Dverbs").Expect(HttpStatusCode.OK);
        Assert.Equal(kind + "List", (string?)list["kind"]);
        Assert.Contains(name, list.Names());
        Assert.Equal(kind, (string?)list["items"]![0]!["kind"]);

        var (read, updated) = await UpdateRetryingOnConflict($"{collection}/{name}", o => o["metadata"]!["labels"]!["updated"] = "yes");
        Assert.Equal("yes", (string?)updated["metadata"]!["labels"]!["updated"]);
        Assert.NotEqual(read.Rv(), updated.Rv());

        var patched = await admin.Patch($"{collection}/{name}", """{"metadata":{"annotations":{"patched":"yes"}}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal("yes", (string?)patched["metadata"]!["annotations"]!["patched"]);
        Assert.Equal("yes", (string?)patched["metadata"]!["labels"]!["updated"]);

        await admin.Delete($"{collection}/{name}", """{"gracePeriodSeconds":0}""").Expect(HttpStatusCode.OK);
        await admin.WaitGone(collection, name);
        await admin.GetAsync($"{collection}/{name}").ExpectStatus(HttpStatusCode.NotFound, "NotFound", $"{plural} \"{name}\" not found");
    }

    /// <summary>
    /// A PUT of what was just read, read again on a 409 as client-go's RetryOnConflict does: a controller may
    /// write in between (the pod simulator records a pod's status right after its creation), and then the
    /// stale resourceVersion is rightly refused. Returns the state the successful PUT was based on, and its answer.
    /// </summary>
    async Task<(JsonObject Read, JsonObject Updated)> UpdateRetryingOnConflict(string path, Action<JsonObject> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            var read = await admin.GetAsync(path).Expect(HttpStatusCode.OK);
            change(read);
            var response = await admin.Put(path, read.ToJsonString());
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 5) continue;
            return (read, await Task.FromResult(response).Expect(HttpStatusCode.OK));
        }
    }

    /// <summary>The serviceaccounts controller puts back every namespace's "default" account, so after a
    /// deletecollection that selected it, it is there again (as in kube, where the deletion is also answered).</summary>
    [Theory]
    [InlineData("pods", new[] { "b" })]
    [InlineData("secrets", new[] { "b" })]
    [InlineData("serviceaccounts", new[] { "b", "default" })]
    [InlineData("configmaps", new[] { "b" })]
    public async Task DeleteCollectionRemovesOnlyTheSelected(string plural, string[] remaining)
    {
        var collection = await Collection(plural);
        await admin.Post(collection, Body(plural, "a")).Expect(HttpStatusCode.Created);
        await admin.Post(collection, Body(plural, "b")).Expect(HttpStatusCode.Created);
        await admin.Patch($"{collection}/b", """{"metadata":{"labels":{"keep":"true"}}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        var deleted = await admin.Delete($"{collection}?labelSelector=!keep&gracePeriodSeconds=0").Expect(HttpStatusCode.OK);
        Assert.EndsWith("List", (string?)deleted["kind"]);
        Assert.Contains("a", deleted.Names());
        Assert.DoesNotContain("b", deleted.Names());
        await admin.WaitGone(collection, "a");
        if (remaining.Contains("default")) await admin.WaitFor(collection, "default", _ => true); // recreated by its controller
        Assert.Equal(remaining.Where(n => n != "default"), (await admin.GetAsync($"{collection}?labelSelector=suite%3Dverbs").Expect(HttpStatusCode.OK)).Names()); // not the controllers' objects
    }

    [Theory]
    [InlineData("POST", "/api/v1/nodes", "create", "nodes")]
    [InlineData("PUT", "/api/v1/nodes/miniapiserver-node", "update", "nodes")]
    [InlineData("PATCH", "/api/v1/nodes/miniapiserver-node", "patch", "nodes")]
    [InlineData("DELETE", "/api/v1/nodes/miniapiserver-node", "delete", "nodes")]
    [InlineData("DELETE", "/api/v1/nodes", "deletecollection", "nodes")]
    [InlineData("POST", "/api/v1/namespaces/default/events", "create", "events")]
    [InlineData("PUT", "/api/v1/namespaces/default/events/e", "update", "events")]
    [InlineData("PATCH", "/api/v1/namespaces/default/events/e", "patch", "events")]
    [InlineData("DELETE", "/api/v1/namespaces/default/events/e", "delete", "events")]
    [InlineData("DELETE", "/api/v1/namespaces/default/events", "deletecollection", "events")]
    [InlineData("DELETE", "/api/v1/namespaces", "deletecollection", "namespaces")]
    public async Task VerbsAKindDoesNotServeAre405(string method, string path, string verb, string resource)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT") req.Content = Api.Json("""{"metadata":{"name":"x"}}""");
        if (method is "PATCH") req.Content = Api.Json("{}", "application/merge-patch+json");
        var status = await admin.SendAsync(req).ExpectStatus(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed",
            $"{verb} is not supported on resources of kind \"{resource}\"");
        Assert.Equal(resource, (string?)status["details"]!["kind"]);
    }

    [Theory]
    [InlineData("/api/v1/nosuchthings")]
    [InlineData("/api/v1/namespaces/default/nosuchthings")]
    [InlineData("/api/v1/namespaces/default/nosuchthings/x")]
    [InlineData("/api/v1/pods/x")]                              // a namespaced resource by name needs its namespace
    [InlineData("/api/v1/namespaces/default/nodes")]            // a cluster resource under a namespace
    [InlineData("/api/v1/namespaces/default/nodes/miniapiserver-node")]
    [InlineData("/api/v1/namespaces/default/configmaps/x/nosuchsub")]
    [InlineData("/api/v2/pods")]
    public async Task PathsThatNameNothingAre404(string path) =>
        await admin.GetAsync(path).ExpectStatus(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");

    [Fact]
    public async Task ListAcrossNamespacesWorksButCreateThereIsNotAllowed()
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", Body("configmaps", "x")).Expect(HttpStatusCode.Created);
        var all = await admin.GetAsync("/api/v1/configmaps").Expect(HttpStatusCode.OK);
        Assert.Contains(all["items"]!.AsArray(), i => (string?)i!["metadata"]!["namespace"] == ns);
        var response = await admin.Post("/api/v1/configmaps", Body("configmaps", "y"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task NotFoundStatusIsExactlyKubes()
    {
        var ns = await admin.NewNamespace();
        var response = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var expected = JsonNode.Parse("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}""")!;
        var actual = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(JsonNode.DeepEquals(expected, actual), actual.ToJsonString());
        // kube's field order: kind, apiVersion, metadata, status, message, reason, details, code.
        Assert.Equal(expected.AsObject().Select(p => p.Key), actual.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData("namespaces")]
    [InlineData("pods")]
    [InlineData("secrets")]
    [InlineData("serviceaccounts")]
    [InlineData("configmaps")]
    public async Task DuplicateCreateIsAlreadyExistsWithDetails(string plural)
    {
        var collection = await Collection(plural);
        var name = "d-" + Guid.NewGuid().ToString("N")[..8];
        await admin.Post(collection, Body(plural, name)).Expect(HttpStatusCode.Created);
        var status = await admin.Post(collection, Body(plural, name)).ExpectStatus(HttpStatusCode.Conflict, "AlreadyExists", $"{plural} \"{name}\" already exists");
        Assert.Equal(name, (string?)status["details"]!["name"]);
        Assert.Equal(plural, (string?)status["details"]!["kind"]);
    }

    [Fact]
    public async Task InvalidIs422WithKubesMessageAndCauses()
    {
        var ns = await admin.NewNamespace();
        var status = await admin.Post($"/api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid", "Pod \"p\" is invalid: spec.containers[0].image: Required value");
        Assert.Equal("p", (string?)status["details"]!["name"]);
        Assert.Equal("Pod", (string?)status["details"]!["kind"]);
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("FieldValueRequired", (string?)cause["reason"]);
        Assert.Equal("Required value", (string?)cause["message"]);
        Assert.Equal("spec.containers[0].image", (string?)cause["field"]);
    }

    [Fact]
    public async Task SeveralErrorsAreAggregatedInBrackets()
    {
        var ns = await admin.NewNamespace();
        var status = await admin.Post($"/api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"},{"name":"d"}]}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
                "Pod \"p\" is invalid: [spec.containers[0].image: Required value, spec.containers[1].image: Required value]");
        Assert.Equal(2, status["details"]!["causes"]!.AsArray().Count);
    }

    [Fact]
    public async Task AMalformedBodyIsBadRequest()
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", "{not json").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task AKindThatIsNotTheResourcesIsBadRequest()
    {
        var ns = await admin.NewNamespace();
        var status = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}""")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("ConfigMap", (string?)status["message"]);
    }

    [Fact]
    public async Task APlainTextBodyIsUnsupportedMediaType()
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"}}""", "text/plain")
            .ExpectStatus(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }

    /// <summary>kube lists the patch types of the resource in a PATCH's 415 (installer.go: json, merge, strategic, apply).</summary>
    [Fact]
    public async Task AnUnknownPatchTypeListsThePatchTypes()
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/x", "{}", "text/plain")
            .ExpectStatus(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml");
    }

    /// <summary>Documented difference: kube would serve protobuf; we serve JSON, YAML and tables only, so a
    /// client that accepts nothing else gets 406.</summary>
    [Fact]
    public async Task AcceptingOnlyProtobufIsNotAcceptable()
    {
        var status = await admin.GetAs("/api/v1/namespaces/default/configmaps", "application/vnd.kubernetes.protobuf")
            .ExpectStatus(HttpStatusCode.NotAcceptable, "NotAcceptable");
        Assert.StartsWith("only the following media types are accepted: ", (string?)status["message"]);
    }

    [Fact]
    public async Task ProtobufThenJsonIsServedAsJson()
    {
        var response = await admin.GetAs("/api/v1/namespaces", "application/vnd.kubernetes.protobuf, application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ForbiddenNamesTheVerbResourceAndNamespace()
    {
        var ns = await admin.NewNamespace();
        var status = await server.ClientFor("jane", "dev").Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"}}""")
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                $"configmaps is forbidden: User \"jane\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"");
        Assert.Equal("configmaps", (string?)status["details"]!["kind"]);
    }

    [Fact]
    public async Task GetOfAMissingNamespaceIsNotFound() =>
        await admin.GetAsync("/api/v1/namespaces/nosuch-ns-xyz").ExpectStatus(HttpStatusCode.NotFound, "NotFound", "namespaces \"nosuch-ns-xyz\" not found");

    [Fact]
    public async Task NodesAndEventsAreReadable()
    {
        var node = await admin.GetAsync("/api/v1/nodes/miniapiserver-node").Expect(HttpStatusCode.OK);
        Assert.Equal("Node", (string?)node["kind"]);
        Assert.Equal("EventList", (string?)(await admin.GetAsync("/api/v1/events").Expect(HttpStatusCode.OK))["kind"]);
        Assert.Equal("NodeList", (string?)(await admin.GetAsync("/api/v1/nodes?fieldSelector=metadata.name%3Dminiapiserver-node").Expect(HttpStatusCode.OK))["kind"]);
    }
}
