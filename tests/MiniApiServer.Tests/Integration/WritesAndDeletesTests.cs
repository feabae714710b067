using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>resourceVersion, dry run, delete options and namespace lifecycle, as kube's generic registry store behaves.</summary>
public sealed class WritesAndDeletesTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    static long N(string rv) => long.Parse(rv, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task AStaleResourceVersionIsAConflictWithDetails()
    {
        var ns = await admin.NewNamespace();
        var cm = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c", """{"data":{"a":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        var status = await admin.Put($"/api/v1/namespaces/{ns}/configmaps/c", cm.ToJsonString()).ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again");
        Assert.Equal("c", (string?)status["details"]!["name"]);
        Assert.Equal("configmaps", (string?)status["details"]!["kind"]);
    }

    [Fact]
    public async Task AnUpdateWithoutResourceVersionIsUnconditional()
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c", """{"data":{"a":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        var updated = await admin.Put($"/api/v1/namespaces/{ns}/configmaps/c", """{"metadata":{"name":"c"},"data":{"b":"2"}}""").Expect(HttpStatusCode.OK);
        Assert.Equal("""{"b":"2"}""", updated["data"]!.ToJsonString());
    }

    [Fact]
    public async Task AnUpdateOfAMissingObjectIsNotFound()
    {
        var ns = await admin.NewNamespace();
        await admin.Put($"/api/v1/namespaces/{ns}/configmaps/ghost", """{"metadata":{"name":"ghost"}}""")
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "configmaps \"ghost\" not found");
    }

    [Fact]
    public async Task EveryWriteBumpsTheResourceVersionAndListsFollow()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var list0 = N((await admin.GetAsync(path).Expect(HttpStatusCode.OK))["metadata"]!["resourceVersion"]!.ToString());
        var created = await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        var list1 = N((await admin.GetAsync(path).Expect(HttpStatusCode.OK))["metadata"]!["resourceVersion"]!.ToString());
        var patched = await admin.Patch($"{path}/c", """{"data":{"a":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        patched["data"]!["a"] = "2";
        var updated = await admin.Put($"{path}/c", patched.ToJsonString()).Expect(HttpStatusCode.OK);
        var list2 = N((await admin.GetAsync(path).Expect(HttpStatusCode.OK))["metadata"]!["resourceVersion"]!.ToString());
        Assert.True(N(created.Rv()) > list0);
        Assert.True(list1 >= N(created.Rv()));
        Assert.True(N(patched.Rv()) > N(created.Rv()));
        Assert.True(N(updated.Rv()) > N(patched.Rv()));
        Assert.True(list2 >= N(updated.Rv()));
    }

    /// <summary>An update that changes nothing is not written (etcd3 store's GuaranteedUpdate short-circuit).</summary>
    [Fact]
    public async Task ANoOpUpdateKeepsTheResourceVersion()
    {
        var ns = await admin.NewNamespace();
        var cm = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"},"data":{"a":"1"}}""").Expect(HttpStatusCode.Created);
        var same = await admin.Put($"/api/v1/namespaces/{ns}/configmaps/c", cm.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.Equal(cm.Rv(), same.Rv());
        var patched = await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c", """{"data":{"a":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal(cm.Rv(), patched.Rv());
    }

    [Fact]
    public async Task DryRunCreateUpdatePatchDeleteStoreNothing()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var ghost = await admin.Post($"{path}?dryRun=All", """{"metadata":{"name":"ghost"},"data":{"a":"1"}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("1", (string?)ghost["data"]!["a"]);
        Assert.False(string.IsNullOrEmpty((string?)ghost["metadata"]!["uid"]));
        await admin.GetAsync($"{path}/ghost").ExpectStatus(HttpStatusCode.NotFound, "NotFound");

        var real = await admin.Post(path, """{"metadata":{"name":"real"},"data":{"a":"1"}}""").Expect(HttpStatusCode.Created);
        real["data"]!["a"] = "2";
        var dryUpdated = await admin.Put($"{path}/real?dryRun=All", real.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.Equal("2", (string?)dryUpdated["data"]!["a"]);
        var dryPatched = await admin.Patch($"{path}/real?dryRun=All", """{"data":{"a":"3"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal("3", (string?)dryPatched["data"]!["a"]);
        await admin.Patch($"{path}/real?dryRun=All&fieldManager=x&force=true", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"real"},"data":{"a":"4"}}""", "application/apply-patch+yaml").Expect(HttpStatusCode.OK);
        await admin.Delete($"{path}/real?dryRun=All").Expect(HttpStatusCode.OK);
        await admin.Delete($"{path}/real", """{"dryRun":["All"]}""").Expect(HttpStatusCode.OK);

        var stored = await admin.GetAsync($"{path}/real").Expect(HttpStatusCode.OK);
        Assert.Equal("1", (string?)stored["data"]!["a"]);
        Assert.Equal(real.Rv(), stored.Rv());
    }

    [Fact]
    public async Task DryRunDeleteCollectionStoresNothing()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"a"}}""").Expect(HttpStatusCode.Created);
        await admin.Delete($"{path}?dryRun=All").Expect(HttpStatusCode.OK);
        Assert.Contains("a", (await admin.GetAsync(path).Expect(HttpStatusCode.OK)).Names());
    }

    /// <summary>ValidateCreateOptions/ValidateUpdateOptions/ValidatePatchOptions/ValidateDeleteOptions: dryRun
    /// accepts only "All"; anything else is 422 Invalid on the options kind.</summary>
    [Theory]
    [InlineData("POST", "", "CreateOptions")]
    [InlineData("PUT", "/c", "UpdateOptions")]
    [InlineData("PATCH", "/c", "PatchOptions")]
    [InlineData("DELETE", "/c", "DeleteOptions")]
    public async Task AnUnknownDryRunValueIsInvalid(string method, string suffix, string optionsKind)
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        var req = new HttpRequestMessage(new HttpMethod(method), $"{path}{suffix}?dryRun=Bogus");
        if (method is "POST") req.Content = Api.Json("""{"metadata":{"name":"d"}}""");
        if (method is "PUT") req.Content = Api.Json("""{"metadata":{"name":"c"}}""");
        if (method is "PATCH") req.Content = Api.Json("{}", "application/merge-patch+json");
        var status = await admin.SendAsync(req).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith($"{optionsKind}.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: ", (string?)status["message"]);
        Assert.EndsWith("supported values: \"All\"", (string?)status["message"]);
        await admin.GetAsync($"{path}/d").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task DeletePreconditionsOnUidAndResourceVersionAreConflicts()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var cm = await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        var uid = (string)cm["metadata"]!["uid"]!;
        await admin.Delete($"{path}/c", """{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}""").ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on configmaps \"c\": Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: {uid}");
        await admin.Delete($"{path}/c", """{"preconditions":{"resourceVersion":"1"}}""").ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on configmaps \"c\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: {cm.Rv()}");
        await admin.GetAsync($"{path}/c").Expect(HttpStatusCode.OK);
        var matching = """{"preconditions":{"uid":"UID","resourceVersion":"RV"}}""".Replace("UID", uid).Replace("RV", cm.Rv());
        await admin.Delete($"{path}/c", matching).Expect(HttpStatusCode.OK);
        await admin.GetAsync($"{path}/c").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task DeleteOfAMissingObjectIsNotFound()
    {
        var ns = await admin.NewNamespace();
        await admin.Delete($"/api/v1/namespaces/{ns}/secrets/nope").ExpectStatus(HttpStatusCode.NotFound, "NotFound", "secrets \"nope\" not found");
    }

    [Fact]
    public async Task DeleteCollectionHonoursLabelAndFieldSelectors()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/secrets";
        foreach (var (name, tier) in new[] { ("a", "web"), ("b", "web"), ("c", "db") })
            await admin.Post(path, """{"metadata":{"name":"NAME","labels":{"tier":"TIER"}}}""".Replace("NAME", name).Replace("TIER", tier)).Expect(HttpStatusCode.Created);
        var deleted = await admin.Delete($"{path}?labelSelector=tier%3Dweb").Expect(HttpStatusCode.OK);
        Assert.Equal("SecretList", (string?)deleted["kind"]);
        Assert.Equal(["a", "b"], deleted.Names().Order());
        Assert.Equal(["c"], (await admin.GetAsync($"{path}?labelSelector=tier").Expect(HttpStatusCode.OK)).Names()); // not the token Secret
        await admin.Delete($"{path}?fieldSelector=metadata.name%3Dc").Expect(HttpStatusCode.OK);
        Assert.Empty((await admin.GetAsync($"{path}?labelSelector=tier").Expect(HttpStatusCode.OK)).Names());
    }

    // ------------------------------------------------------------------ pods

    const string Pod = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";

    [Fact]
    public async Task ARunningPodWithGraceZeroIsDeletedAtOnce()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods";
        await admin.Post(path, Pod).Expect(HttpStatusCode.Created);
        await admin.WaitFor(path, "p", p => (string?)p["status"]?["phase"] == "Running");
        await admin.Delete($"{path}/p", """{"gracePeriodSeconds":0}""").Expect(HttpStatusCode.OK);
        await admin.GetAsync($"{path}/p").ExpectStatus(HttpStatusCode.NotFound, "NotFound", "pods \"p\" not found");
    }

    [Fact]
    public async Task ARunningPodDeletesGracefullyThenGoes()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods";
        await admin.Post(path, Pod).Expect(HttpStatusCode.Created);
        await admin.WaitFor(path, "p", p => (string?)p["status"]?["phase"] == "Running");
        using var watch = await admin.Watch($"{path}?watch=true&fieldSelector=metadata.name%3Dp&resourceVersion=0");
        var deleting = await admin.Delete($"{path}/p").Expect(HttpStatusCode.OK);
        Assert.NotNull((string?)deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(30, (int?)deleting["metadata"]!["deletionGracePeriodSeconds"]);
        while (await watch.Next() is { } ev)
            if ((string?)ev["type"] == "DELETED") break;
        await admin.GetAsync($"{path}/p").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task TheGracePeriodMayComeFromTheQuery()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods";
        await admin.Post(path, Pod).Expect(HttpStatusCode.Created);
        await admin.WaitFor(path, "p", p => (string?)p["status"]?["phase"] == "Running");
        var deleting = await admin.Delete($"{path}/p?gracePeriodSeconds=7").Expect(HttpStatusCode.OK);
        Assert.Equal(7, (int?)deleting["metadata"]!["deletionGracePeriodSeconds"]);
        await admin.WaitGone(path, "p");
    }

    // ------------------------------------------------------------------ namespaces

    [Fact]
    public async Task ANamespaceBeingDeletedRefusesNewContent()
    {
        var ns = "hold-" + Guid.NewGuid().ToString("N")[..8];
        // A finalizer of our own keeps the namespace Terminating until the test lets it go.
        await admin.Post("/api/v1/namespaces", """{"metadata":{"name":"NAME","finalizers":["example.com/hold"]}}""".Replace("NAME", ns)).Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"old"}}""").Expect(HttpStatusCode.Created);
        var deleting = await admin.Delete($"/api/v1/namespaces/{ns}").Expect(HttpStatusCode.OK);
        Assert.Equal("Terminating", (string?)deleting["status"]!["phase"]);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);

        var status = await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"new"}}""").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"configmaps \"new\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
        Assert.Equal("new", (string?)status["details"]!["name"]);
        Assert.Equal("configmaps", (string?)status["details"]!["kind"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal("NamespaceTerminating", (string?)cause["reason"]);
        Assert.Equal("metadata.namespace", (string?)cause["field"]);
        Assert.Equal($"namespace {ns} is being terminated", (string?)cause["message"]);

        // The namespace controller empties it; our finalizer still holds it.
        await admin.WaitGone($"/api/v1/namespaces/{ns}/configmaps", "old");
        await admin.Patch($"/api/v1/namespaces/{ns}", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        await admin.WaitGone("/api/v1/namespaces", ns);
    }

    [Fact]
    public async Task DeletingANamespaceRemovesItsContentThenItself()
    {
        var ns = await admin.NewNamespace();
        foreach (var (plural, body) in new[]
        {
            ("configmaps", """{"metadata":{"name":"c"}}"""), ("secrets", """{"metadata":{"name":"s"}}"""),
            ("serviceaccounts", """{"metadata":{"name":"sa"}}"""), ("pods", Pod),
        })
            await admin.Post($"/api/v1/namespaces/{ns}/{plural}", body).Expect(HttpStatusCode.Created);
        await admin.Delete($"/api/v1/namespaces/{ns}").Expect(HttpStatusCode.OK);
        await admin.WaitGone("/api/v1/namespaces", ns);
        foreach (var plural in new[] { "configmaps", "secrets", "serviceaccounts", "pods" })
            Assert.Empty((await admin.GetAsync($"/api/v1/namespaces/{ns}/{plural}").Expect(HttpStatusCode.OK)).Names());
    }

    [Theory]
    [InlineData("default")]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    public async Task SystemNamespacesMayNotBeDeleted(string ns)
    {
        var status = await admin.Delete($"/api/v1/namespaces/{ns}").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"namespaces \"{ns}\" is forbidden: this namespace may not be deleted");
        Assert.Equal(ns, (string?)status["details"]!["name"]);
        Assert.Equal("namespaces", (string?)status["details"]!["kind"]);
        Assert.Equal("Active", (string?)(await admin.GetAsync($"/api/v1/namespaces/{ns}").Expect(HttpStatusCode.OK))["status"]!["phase"]);
    }

    [Fact]
    public async Task ANewNamespaceIsActiveWithTheKubernetesFinalizerAndNameLabel()
    {
        var ns = await admin.NewNamespace();
        var obj = await admin.GetAsync($"/api/v1/namespaces/{ns}").Expect(HttpStatusCode.OK);
        Assert.Equal("Active", (string?)obj["status"]!["phase"]);
        Assert.Equal(["kubernetes"], obj["spec"]!["finalizers"]!.AsArray().Select(f => (string)f!));
        Assert.Equal(ns, (string?)obj["metadata"]!["labels"]!["kubernetes.io/metadata.name"]);
        Assert.Null(obj["metadata"]!["namespace"]);
    }
}
