using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>Discovery (legacy and aggregated) and OpenAPI v3, as kubectl 1.32 reads them.</summary>
public sealed class DiscoveryAndOpenApiTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    /// <summary>kubectl 1.32's discovery Accept header.</summary>
    const string KubectlDiscoveryAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    [Fact]
    public async Task ApiListsTheV1Version()
    {
        var versions = await admin.GetAs("/api", "application/json").Expect(HttpStatusCode.OK);
        Assert.Equal("APIVersions", (string?)versions["kind"]);
        Assert.Equal(["v1"], versions["versions"]!.AsArray().Select(v => (string)v!));
        Assert.NotEmpty(versions["serverAddressByClientCIDRs"]!.AsArray());
    }

    [Theory]
    [InlineData("namespaces", "namespace", false, "Namespace", "ns", "create,delete,get,list,patch,update,watch")]
    [InlineData("pods", "pod", true, "Pod", "po", "create,delete,deletecollection,get,list,patch,update,watch")]
    [InlineData("secrets", "secret", true, "Secret", null, "create,delete,deletecollection,get,list,patch,update,watch")]
    [InlineData("serviceaccounts", "serviceaccount", true, "ServiceAccount", "sa", "create,delete,deletecollection,get,list,patch,update,watch")]
    [InlineData("configmaps", "configmap", true, "ConfigMap", "cm", "create,delete,deletecollection,get,list,patch,update,watch")]
    [InlineData("nodes", "node", false, "Node", "no", "get,list,watch")]
    [InlineData("events", "event", true, "Event", "ev", "get,list,watch")]
    public async Task ApiV1ListsEveryResource(string plural, string singular, bool namespaced, string kind, string? shortName, string verbs)
    {
        var list = await admin.GetAsync("/api/v1").Expect(HttpStatusCode.OK);
        Assert.Equal("APIResourceList", (string?)list["kind"]);
        Assert.Equal("v1", (string?)list["groupVersion"]);
        var r = list["resources"]!.AsArray().Single(x => (string?)x!["name"] == plural)!;
        Assert.Equal(singular, (string?)r["singularName"]);
        Assert.Equal(namespaced, (bool?)r["namespaced"]);
        Assert.Equal(kind, (string?)r["kind"]);
        Assert.Equal(verbs.Split(','), r["verbs"]!.AsArray().Select(v => (string)v!).Order());
        if (shortName is null) Assert.Null(r["shortNames"]);
        else Assert.Equal([shortName], r["shortNames"]!.AsArray().Select(v => (string)v!));
        Assert.False(string.IsNullOrEmpty((string?)r["storageVersionHash"]));
    }

    [Fact]
    public async Task PodsAreInTheAllCategoryAndOthersAreNot()
    {
        var resources = (await admin.GetAsync("/api/v1").Expect(HttpStatusCode.OK))["resources"]!.AsArray();
        Assert.Equal(["all"], resources.Single(x => (string?)x!["name"] == "pods")!["categories"]!.AsArray().Select(v => (string)v!));
        Assert.Null(resources.Single(x => (string?)x!["name"] == "secrets")!["categories"]);
    }

    [Theory]
    [InlineData("pods/status", "Pod", true, "get,patch,update")]
    [InlineData("namespaces/finalize", "Namespace", false, "update")]
    [InlineData("namespaces/status", "Namespace", false, "get,patch,update")]
    public async Task ApiV1ListsSubresources(string name, string kind, bool namespaced, string verbs)
    {
        var resources = (await admin.GetAsync("/api/v1").Expect(HttpStatusCode.OK))["resources"]!.AsArray();
        var r = resources.Single(x => (string?)x!["name"] == name)!;
        Assert.Equal(kind, (string?)r["kind"]);
        Assert.Equal(namespaced, (bool?)r["namespaced"]);
        Assert.Equal(verbs.Split(','), r["verbs"]!.AsArray().Select(v => (string)v!).Order());
    }

    [Fact]
    public async Task ApisIsAGroupList()
    {
        var groups = await admin.GetAs("/apis", "application/json").Expect(HttpStatusCode.OK);
        Assert.Equal("APIGroupList", (string?)groups["kind"]);
        Assert.Equal("v1", (string?)groups["apiVersion"]);
        Assert.NotNull(groups["groups"]);
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/apis")]
    public async Task KubectlsAcceptGetsAggregatedV2(string path)
    {
        var response = await admin.GetAs(path, KubectlDiscoveryAccept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", string.Join(",", response.Content.Headers.NonValidated["Content-Type"]));
        var body = await response.ReadObject();
        Assert.Equal("APIGroupDiscoveryList", (string?)body["kind"]);
        Assert.Equal("apidiscovery.k8s.io/v2", (string?)body["apiVersion"]);
        Assert.NotNull(body["items"]);
    }

    [Fact]
    public async Task AggregatedCoreDiscoveryDescribesPods()
    {
        var body = await admin.GetAs("/api", KubectlDiscoveryAccept).Expect(HttpStatusCode.OK);
        var v1 = body["items"]![0]!["versions"]!.AsArray().Single(v => (string?)v!["version"] == "v1")!;
        var pods = v1["resources"]!.AsArray().Single(r => (string?)r!["resource"] == "pods")!;
        Assert.Equal("Namespaced", (string?)pods["scope"]);
        Assert.Equal("pod", (string?)pods["singularResource"]);
        Assert.Equal("Pod", (string?)pods["responseKind"]!["kind"]);
        Assert.Equal(["po"], pods["shortNames"]!.AsArray().Select(s => (string)s!));
        Assert.Equal(["all"], pods["categories"]!.AsArray().Select(s => (string)s!));
        Assert.Contains(pods["subresources"]!.AsArray(), s => (string?)s!["subresource"] == "status");
        var nodes = v1["resources"]!.AsArray().Single(r => (string?)r!["resource"] == "nodes")!;
        Assert.Equal("Cluster", (string?)nodes["scope"]);
    }

    [Fact]
    public async Task V2Beta1AloneGetsV2Beta1()
    {
        var response = await admin.GetAs("/api", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", string.Join(",", response.Content.Headers.NonValidated["Content-Type"]));
        Assert.Equal("apidiscovery.k8s.io/v2beta1", (string?)(await response.ReadObject())["apiVersion"]);
    }

    [Theory]
    [InlineData("/api", "APIVersions")]
    [InlineData("/apis", "APIGroupList")]
    public async Task PlainJsonGetsLegacyDiscovery(string path, string kind)
    {
        var response = await admin.GetAs(path, "application/json");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(kind, (string?)(await response.ReadObject())["kind"]);
    }

    // ------------------------------------------------------------------ OpenAPI v3

    [Fact]
    public async Task OpenApiRootListsCoreV1()
    {
        var root = await admin.GetAsync("/openapi/v3").Expect(HttpStatusCode.OK);
        var url = (string?)root["paths"]!["api/v1"]!["serverRelativeURL"];
        Assert.StartsWith("/openapi/v3/api/v1?hash=", url);
    }

    [Fact]
    public async Task CoreV1DocumentHasAPatchWithFieldValidation()
    {
        var doc = await admin.GetAsync("/openapi/v3/api/v1").Expect(HttpStatusCode.OK);
        Assert.StartsWith("3.", (string?)doc["openapi"]);
        var patch = doc["paths"]!["/api/v1/namespaces/{namespace}/configmaps/{name}"]!["patch"]!;
        var names = patch["parameters"]!.AsArray().Select(p => Resolve(doc, p!)).Select(p => (string?)p["name"]).ToList();
        Assert.Contains("fieldValidation", names);
        Assert.Contains("fieldManager", names);
        Assert.Contains("force", names);
        var body = patch["requestBody"]!["content"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Contains("application/strategic-merge-patch+json", body);
        Assert.Contains("application/apply-patch+yaml", body);
    }

    /// <summary>A parameter may be inline or a $ref to components/parameters.</summary>
    static JsonNode Resolve(JsonNode doc, JsonNode node)
    {
        if ((string?)node["$ref"] is not { } reference) return node;
        var target = doc;
        foreach (var part in reference.TrimStart('#', '/').Split('/')) target = target[part]!;
        return target;
    }

    [Fact]
    public async Task OpenApiDocumentsAnswerIfNoneMatchWith304()
    {
        var first = await admin.GetAsync("/openapi/v3/api/v1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        var again = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        again.Headers.IfNoneMatch.Add(etag!);
        var second = await admin.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownOpenApiGroupVersionIsNotFound() =>
        await admin.GetAsync("/openapi/v3/apis/nosuch.example.com/v1").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
}
