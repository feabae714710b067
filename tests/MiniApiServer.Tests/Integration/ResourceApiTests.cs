using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>The generic resource machinery through HTTP, as kubectl and client libraries use it.</summary>
public sealed class ResourceApiTests : IClassFixture<ApiServerFactory>
{
    readonly ApiServerFactory server;
    readonly HttpClient admin;

    public ResourceApiTests(ApiServerFactory server)
    {
        this.server = server;
        admin = server.Admin();
    }

    async Task<string> NewNamespace()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await admin.Post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}").Expect(HttpStatusCode.Created);
        return name;
    }

    [Fact]
    public async Task SystemNamespacesExist()
    {
        var list = await admin.GetAsync("/api/v1/namespaces").Expect(HttpStatusCode.OK);
        var names = list["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToList();
        Assert.Superset(new HashSet<string?> { "default", "kube-system", "kube-public", "kube-node-lease" }, names.ToHashSet());
        Assert.Equal("NamespaceList", (string?)list["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)list["metadata"]!["resourceVersion"]));
    }

    [Fact]
    public async Task CreateSetsSystemFieldsAndDefaults()
    {
        var ns = await NewNamespace();
        var secret = await admin.Post($"/api/v1/namespaces/{ns}/secrets", """{"metadata":{"name":"s"},"stringData":{"k":"v"}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal("dg==", (string?)secret["data"]!["k"]);
        Assert.Null(secret["stringData"]);
        Assert.True(Guid.TryParse((string?)secret["metadata"]!["uid"], out _));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)secret["metadata"]!["creationTimestamp"]);
        Assert.Equal(ns, (string?)secret["metadata"]!["namespace"]);
        var managed = secret["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal("Update", (string?)managed[0]!["operation"]);
    }

    [Fact]
    public async Task GenerateNameMakesAUniqueName()
    {
        var ns = await NewNamespace();
        var a = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"generateName":"cfg-"}}""").Expect(HttpStatusCode.Created);
        Assert.Matches("^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$", (string?)a["metadata"]!["name"]);
    }

    [Fact]
    public async Task DuplicateCreateIsAlreadyExists()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""")
            .ExpectStatus(HttpStatusCode.Conflict, "AlreadyExists", "configmaps \"c\" already exists");
    }

    [Fact]
    public async Task InvalidNameIs422WithCauses()
    {
        var ns = await NewNamespace();
        var status = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"Bad_Name"}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", (string?)status["message"]);
        Assert.Equal("metadata.name", (string?)status["details"]!["causes"]![0]!["field"]);
        Assert.Equal("FieldValueInvalid", (string?)status["details"]!["causes"]![0]!["reason"]);
    }

    [Fact]
    public async Task PodWithoutImageIs422()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid", "Pod \"p\" is invalid: spec.containers[0].image: Required value");
    }

    [Fact]
    public async Task StrictFieldValidationRejectsUnknownFieldsWarnWarns()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/pods?fieldValidation=Strict", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","bogus":1}]}}""")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].bogus\"");
        var response = await admin.Post($"/api/v1/namespaces/{ns}/pods?fieldValidation=Warn", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","bogus":1}]}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"spec.containers[0].bogus\\\"\"", response.Headers.GetValues("Warning"));
        Assert.Null((await response.ReadObject())["spec"]!["containers"]![0]!["bogus"]);
    }

    [Fact]
    public async Task NamespaceMismatchIsBadRequest()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c","namespace":"other"}}""")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }

    [Fact]
    public async Task CreatingInAMissingNamespaceIsNotFound() =>
        await admin.Post("/api/v1/namespaces/nosuch/configmaps", """{"metadata":{"name":"c"}}""")
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "namespaces \"nosuch\" not found");

    [Fact]
    public async Task StaleResourceVersionIsAConflict()
    {
        var ns = await NewNamespace();
        var cm = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"},"data":{"a":"1"}}""").Expect(HttpStatusCode.Created);
        var rv = (string)cm["metadata"]!["resourceVersion"]!;
        cm["data"]!["a"] = "2";
        var updated = await admin.Put($"/api/v1/namespaces/{ns}/configmaps/c", cm.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.NotEqual(rv, (string?)updated["metadata"]!["resourceVersion"]);
        cm["data"]!["a"] = "3";
        await admin.Put($"/api/v1/namespaces/{ns}/configmaps/c", cm.ToJsonString()).ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public async Task DryRunStoresNothing()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps?dryRun=All", """{"metadata":{"name":"ghost"}}""").Expect(HttpStatusCode.Created);
        await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/ghost").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"real"}}""").Expect(HttpStatusCode.Created);
        // kubectl sends a delete's dry run in the body.
        await admin.Delete($"/api/v1/namespaces/{ns}/configmaps/real", """{"propagationPolicy":"Background","dryRun":["All"]}""").Expect(HttpStatusCode.OK);
        await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/real").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SelectorsFilterLists()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"a","labels":{"app":"x","tier":"web"}}}""").Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"b","labels":{"app":"y"}}}""").Expect(HttpStatusCode.Created);
        async Task<string[]> Names(string query) =>
            (await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?{query}").Expect(HttpStatusCode.OK))["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToArray();
        Assert.Equal(["a"], await Names("labelSelector=app%3Dx"));
        Assert.Equal(["b"], await Names("labelSelector=app,app%20notin%20(x)")); // "app": the namespace also holds kube-root-ca.crt
        Assert.Equal(["a"], await Names("labelSelector=tier"));
        Assert.Equal(["b"], await Names("fieldSelector=metadata.name%3Db"));
        Assert.Equal(["a"], await Names("fieldSelector=metadata.name!%3Db&labelSelector=app"));
        await admin.GetAsync($"/api/v1/namespaces/{ns}/pods?fieldSelector=spec.foo%3Dx").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "field label not supported: spec.foo");
    }

    [Fact]
    public async Task LimitAndContinuePage()
    {
        var ns = await NewNamespace();
        foreach (var n in new[] { "a", "b", "c" })
            await admin.Post($"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"" + n + "\",\"labels\":{\"page\":\"1\"}}}").Expect(HttpStatusCode.Created);
        // Selected by label: the namespace also holds kube-root-ca.crt.
        var first = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?limit=2&labelSelector=page").Expect(HttpStatusCode.OK);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        Assert.Equal(1L, (long?)first["metadata"]!["remainingItemCount"]);
        var token = Uri.EscapeDataString((string)first["metadata"]!["continue"]!);
        var second = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?limit=2&labelSelector=page&continue={token}").Expect(HttpStatusCode.OK);
        Assert.Equal("c", (string?)second["items"]![0]!["metadata"]!["name"]);
        Assert.Null(second["metadata"]!["continue"]);
    }

    /// <summary>storage.DecodeContinue's errors as the etcd3 store answers them (400, "invalid continue token: …").</summary>
    [Theory]
    [InlineData("a=b", "continue key is not valid: illegal base64 data at input byte 1")]
    [InlineData("abcde", "continue key is not valid: illegal base64 data at input byte 4")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjIiLCJydiI6NSwic3RhcnQiOiJhXHUwMDAwIn0", "continue key is not valid: server does not recognize this encoded version meta.k8s.io/v2")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhXHUwMDAwIn0", "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiIifQ", "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiIuLi94In0", "continue key is not valid: ../x")]
    public async Task ABadContinueTokenIsBadRequest(string token, string why)
    {
        var ns = await NewNamespace();
        await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?limit=1&continue={Uri.EscapeDataString(token)}")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "invalid continue token: " + why);
    }

    /// <summary>Across namespaces the pages follow the etcd key order "namespace/name", in which "a-b/…" comes
    /// before "a/…" ('-' sorts before '/'): every object is served once.</summary>
    [Fact]
    public async Task PagesAcrossNamespacesServeEveryObjectOnce()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var first = await NewNamespace();
        var second = first + "-b";
        await admin.Post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + second + "\"}}").Expect(HttpStatusCode.Created);
        foreach (var ns in new[] { first, second })
            foreach (var n in new[] { "x", "y" })
                await admin.Post($"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"" + n + "\",\"labels\":{\"run\":\"" + run + "\"}}}").Expect(HttpStatusCode.Created);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await admin.GetAsync($"/api/v1/configmaps?labelSelector=run%3D{run}&limit=1" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token))).Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}"));
            token = (string?)page["metadata"]!["continue"];
        } while (token is not null);
        Assert.Equal([$"{second}/x", $"{second}/y", $"{first}/x", $"{first}/y"], seen);
    }

    [Fact]
    public async Task TablesCarryKubectlsColumnsAndPartialObjectMetadata()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/secrets", """{"metadata":{"name":"s","labels":{"a":"b"}},"data":{"k":"dg=="}}""").Expect(HttpStatusCode.Created);
        var table = await admin.GetAs($"/api/v1/namespaces/{ns}/secrets?labelSelector=a%3Db", Api.TableAccept).Expect(HttpStatusCode.OK);
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal(["Name", "Type", "Data", "Age"], table["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Equal("name", (string?)table["columnDefinitions"]![0]!["format"]);
        var row = table["rows"]![0]!;
        Assert.Equal("s", (string?)row["cells"]![0]);
        Assert.Equal("Opaque", (string?)row["cells"]![1]);
        Assert.Equal("PartialObjectMetadata", (string?)row["object"]!["kind"]);
        Assert.Equal("b", (string?)row["object"]!["metadata"]!["labels"]!["a"]);
    }

    [Fact]
    public async Task PatchTypesAllApply()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}""").Expect(HttpStatusCode.Created);
        var path = $"/api/v1/namespaces/{ns}/configmaps/c";
        await admin.Patch(path, """{"metadata":{"labels":{"a":null,"b":"2"}}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        await admin.Patch(path, """{"data":{"y":"2"}}""", "application/strategic-merge-patch+json").Expect(HttpStatusCode.OK);
        var obj = await admin.Patch(path, """[{"op":"add","path":"/metadata/labels/c","value":"3"}]""", "application/json-patch+json").Expect(HttpStatusCode.OK);
        Assert.Null(obj["metadata"]!["labels"]!["a"]);
        Assert.Equal("2", (string?)obj["metadata"]!["labels"]!["b"]);
        Assert.Equal("3", (string?)obj["metadata"]!["labels"]!["c"]);
        Assert.Equal("2", (string?)obj["data"]!["y"]);
        await admin.Patch(path, "{}", "application/x-unknown").ExpectStatus(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Fact]
    public async Task ServerSideApplyCreatesUpdatesAndReportsConflicts()
    {
        var ns = await NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps/c?fieldManager=alice";
        var created = await admin.Patch(path, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"a"}}""", "application/apply-patch+yaml").Expect(HttpStatusCode.Created);
        var entries = created["metadata"]!["managedFields"]!.AsArray();
        Assert.Single(entries);
        Assert.Equal("alice", (string?)entries[0]!["manager"]);
        Assert.Equal("Apply", (string?)entries[0]!["operation"]);
        var conflict = await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c?fieldManager=bob", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"b"}}""", "application/apply-patch+yaml")
            .ExpectStatus(HttpStatusCode.Conflict, "Conflict");
        Assert.Contains("conflict with \"alice\"", (string?)conflict["message"]);
        Assert.Contains(".data.k", (string?)conflict["message"]);
        var forced = await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c?fieldManager=bob&force=true", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"b"}}""", "application/apply-patch+yaml").Expect(HttpStatusCode.OK);
        Assert.Equal("b", (string?)forced["data"]!["k"]);
    }

    [Fact]
    public async Task WatchResumesFromAResourceVersion()
    {
        var ns = await NewNamespace();
        var first = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"a"}}""").Expect(HttpStatusCode.Created);
        var rv = (string)first["metadata"]!["resourceVersion"]!;
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"b"}}""").Expect(HttpStatusCode.Created);
        await admin.Delete($"/api/v1/namespaces/{ns}/configmaps/a").Expect(HttpStatusCode.OK);
        using var response = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=5&fieldSelector=metadata.name!%3Dkube-root-ca.crt", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string Type, string Name)>();
        while (events.Count < 2 && await reader.ReadLineAsync() is { } line)
        {
            var ev = JsonNode.Parse(line)!;
            events.Add(((string)ev["type"]!, (string)ev["object"]!["metadata"]!["name"]!));
        }
        Assert.Equal([("ADDED", "b"), ("DELETED", "a")], events);
    }

    [Fact]
    public async Task WatchFromAnExpiredResourceVersionIsGone()
    {
        using var response = await admin.GetAsync("/api/v1/configmaps?watch=true&resourceVersion=1&timeoutSeconds=5", HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return; // history still reaches back to 1 (nothing was trimmed yet)
        var ev = JsonNode.Parse(text.Split('\n')[0])!;
        if ((string?)ev["type"] != "ERROR") return;
        Assert.Equal(410, (int?)ev["object"]!["code"]);
        Assert.Equal("Expired", (string?)ev["object"]!["reason"]);
    }

    [Fact]
    public async Task PodsRunAndDeleteGracefully()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        var pod = await WaitFor($"/api/v1/namespaces/{ns}/pods", "web", p => (string?)p["status"]?["phase"] == "Running");
        Assert.Equal("miniapiserver-node", (string?)pod["spec"]!["nodeName"]);
        Assert.False(string.IsNullOrEmpty((string?)pod["status"]!["podIP"]));
        Assert.Equal(true, (bool?)pod["status"]!["containerStatuses"]![0]!["ready"]);
        Assert.Equal("Always", (string?)pod["spec"]!["containers"]![0]!["imagePullPolicy"]);

        var deleting = await admin.Delete($"/api/v1/namespaces/{ns}/pods/web").Expect(HttpStatusCode.OK);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(30, (int?)deleting["metadata"]!["deletionGracePeriodSeconds"]);
        await WaitGone($"/api/v1/namespaces/{ns}/pods", "web");
    }

    [Fact]
    public async Task DeletingANamespaceEmptiesItThenRemovesIt()
    {
        var ns = await NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        var terminating = await admin.Delete($"/api/v1/namespaces/{ns}").Expect(HttpStatusCode.OK);
        Assert.Equal("Terminating", (string?)terminating["status"]!["phase"]);
        await WaitGone("/api/v1/namespaces", ns);
        Assert.Empty((await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps").Expect(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task SystemNamespacesCannotBeDeleted() =>
        await admin.Delete("/api/v1/namespaces/kube-system").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden", "namespaces \"kube-system\" is forbidden: this namespace may not be deleted");

    [Fact]
    public async Task NodesAreReadOnly()
    {
        var nodes = await admin.GetAsync("/api/v1/nodes").Expect(HttpStatusCode.OK);
        Assert.Equal("miniapiserver-node", (string?)nodes["items"]![0]!["metadata"]!["name"]);
        await admin.Post("/api/v1/nodes", """{"metadata":{"name":"n2"}}""").ExpectStatus(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
    }

    [Fact]
    public async Task UnknownPathsAreNotFoundStatus() =>
        await admin.GetAsync("/api/v1/nosuchthings").ExpectStatus(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");

    /// <summary>Watches the object until the condition holds (no sleeps: the watch delivers each change).</summary>
    async Task<JsonObject> WaitFor(string listPath, string name, Func<JsonObject, bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await admin.GetAsync($"{listPath}?watch=true&fieldSelector=metadata.name%3D{name}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            var obj = (JsonObject)JsonNode.Parse(line)!["object"]!;
            if (condition(obj)) return obj;
        }
        throw new TimeoutException($"{name} never met the condition");
    }

    async Task WaitGone(string listPath, string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await admin.GetAsync($"{listPath}?watch=true&fieldSelector=metadata.name%3D{name}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        if ((await admin.GetAsync($"{listPath}/{name}", cts.Token)).StatusCode == HttpStatusCode.NotFound) return;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
            if ((string?)JsonNode.Parse(line)!["type"] == "DELETED") return;
        throw new TimeoutException($"{name} was never deleted");
    }
}
