using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>The four patch types kube-apiserver accepts, and server-side apply.</summary>
public sealed class PatchTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    const string Smp = "application/strategic-merge-patch+json";
    const string Merge = "application/merge-patch+json";
    const string JsonPatch = "application/json-patch+json";
    const string Apply = "application/apply-patch+yaml";

    [Fact]
    public async Task StrategicMergeMergesContainersByName()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods";
        await admin.Post(path, """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"nginx:1.26"},{"name":"b","image":"busybox:1.36"}]}}""").Expect(HttpStatusCode.Created);
        var pod = await admin.Patch($"{path}/p", """{"spec":{"containers":[{"name":"b","image":"busybox:1.37"}]}}""", Smp).Expect(HttpStatusCode.OK);
        var containers = pod["spec"]!["containers"]!.AsArray();
        Assert.Equal(["a", "b"], containers.Select(c => (string)c!["name"]!));
        Assert.Equal("nginx:1.26", (string?)containers[0]!["image"]);
        Assert.Equal("busybox:1.37", (string?)containers[1]!["image"]);
        // Defaults of the untouched fields survive the merge.
        Assert.Equal("IfNotPresent", (string?)containers[1]!["imagePullPolicy"]);
    }

    /// <summary>metadata.finalizers has patchStrategy merge: a strategic patch adds to the list, a merge patch replaces it.
    /// kube's mergeSlice then orders the set with normalizeElementOrder: the patch's items first, each server-only item
    /// placed before the first patch item that follows it in the live list (none here), so "c" leads.</summary>
    [Theory]
    [InlineData(Smp, new[] { "example.com/c", "example.com/a", "example.com/b" })]
    [InlineData(Merge, new[] { "example.com/c" })]
    public async Task PrimitiveListsMergeOrReplaceByPatchType(string patchType, string[] expected)
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c","finalizers":["example.com/a","example.com/b"]}}""").Expect(HttpStatusCode.Created);
        var patched = await admin.Patch($"{path}/c", """{"metadata":{"finalizers":["example.com/c"]}}""", patchType).Expect(HttpStatusCode.OK);
        Assert.Equal(expected, patched["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
        // Let it go again.
        await admin.Patch($"{path}/c", """{"metadata":{"finalizers":null}}""", Merge).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MergePatchRemovesWithNull()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""").Expect(HttpStatusCode.Created);
        var patched = await admin.Patch($"{path}/c", """{"data":{"a":null,"c":"3"}}""", Merge).Expect(HttpStatusCode.OK);
        Assert.Equal("""{"b":"2","c":"3"}""", patched["data"]!.ToJsonString());
    }

    [Fact]
    public async Task JsonPatchAppliesItsOperations()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""").Expect(HttpStatusCode.Created);
        var patched = await admin.Patch($"{path}/c",
            """[{"op":"test","path":"/data/a","value":"1"},{"op":"replace","path":"/data/a","value":"x"},{"op":"remove","path":"/data/b"},{"op":"add","path":"/data/c","value":"3"}]""",
            JsonPatch).Expect(HttpStatusCode.OK);
        Assert.Equal("""{"a":"x","c":"3"}""", patched["data"]!.ToJsonString());
    }

    /// <summary>A JSON patch that decodes but does not apply: NewGenericServerResponse(422, …) — reason Invalid, generic message.</summary>
    [Theory]
    [InlineData("""[{"op":"test","path":"/data/a","value":"2"}]""")]
    [InlineData("""[{"op":"remove","path":"/data/nosuch"}]""")]
    [InlineData("""[{"op":"replace","path":"/nosuch/x","value":"2"}]""")]
    public async Task AJsonPatchThatFailsIs422(string patch)
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"},"data":{"a":"1"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"{path}/c", patch, JsonPatch).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
            "the server rejected our request due to an error in our request");
        Assert.Equal("1", (string?)(await admin.GetAsync($"{path}/c").Expect(HttpStatusCode.OK))["data"]!["a"]);
    }

    [Fact]
    public async Task AMalformedJsonPatchIsBadRequest()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"{path}/c", """{"op":"add"}""", JsonPatch).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task APatchWithAStaleResourceVersionIsAConflict()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"{path}/c", """{"metadata":{"resourceVersion":"1"},"data":{"a":"1"}}""", Merge).ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Theory]
    [InlineData(Merge, "{}")]
    [InlineData(Smp, "{}")]
    [InlineData(JsonPatch, "[]")]
    public async Task PatchingAMissingObjectIsNotFound(string patchType, string patch)
    {
        var ns = await admin.NewNamespace();
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/ghost", patch, patchType)
            .ExpectStatus(HttpStatusCode.NotFound, "NotFound", "configmaps \"ghost\" not found");
    }

    // ------------------------------------------------------------------ server-side apply

    [Fact]
    public async Task ApplyCreatesUpdatesAndReportsAndForcesConflicts()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps/c";
        var created = await admin.Patch($"{path}?fieldManager=alice", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"a","x":"1"}}""", Apply)
            .Expect(HttpStatusCode.Created);
        Assert.Equal("alice", (string?)created["metadata"]!["managedFields"]![0]!["manager"]);
        Assert.Equal("Apply", (string?)created["metadata"]!["managedFields"]![0]!["operation"]);

        // The same manager applying again: its fields change, what it no longer applies is removed.
        var updated = await admin.Patch($"{path}?fieldManager=alice", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"a2"}}""", Apply)
            .Expect(HttpStatusCode.OK);
        Assert.Equal("""{"k":"a2"}""", updated["data"]!.ToJsonString());

        var conflict = await admin.Patch($"{path}?fieldManager=bob", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"b"}}""", Apply)
            .ExpectStatus(HttpStatusCode.Conflict, "Conflict", "Apply failed with 1 conflict: conflict with \"alice\": .data.k");
        var cause = conflict["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", (string?)cause["reason"]);
        Assert.Equal(".data.k", (string?)cause["field"]);

        var forced = await admin.Patch($"{path}?fieldManager=bob&force=true", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"b"}}""", Apply)
            .Expect(HttpStatusCode.OK);
        Assert.Equal("b", (string?)forced["data"]!["k"]);
        var managers = forced["metadata"]!["managedFields"]!.AsArray().Select(m => (string?)m!["manager"]).ToList();
        Assert.Contains("bob", managers);
    }

    [Fact]
    public async Task ApplyAcceptsYaml()
    {
        var ns = await admin.NewNamespace();
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n";
        var created = await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/y?fieldManager=kubectl", yaml, Apply).Expect(HttpStatusCode.Created);
        Assert.Equal("v", (string?)created["data"]!["k"]);
    }

    [Fact]
    public async Task ApplyMergesPodContainersByName()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods/p";
        await admin.Patch($"{path}?fieldManager=alice", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"nginx:1.26"},{"name":"b","image":"busybox:1.36"}]}}""", Apply)
            .Expect(HttpStatusCode.Created);
        var pod = await admin.Patch($"{path}?fieldManager=alice", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"nginx:1.27"},{"name":"b","image":"busybox:1.36"}]}}""", Apply)
            .Expect(HttpStatusCode.OK);
        Assert.Equal(["nginx:1.27", "busybox:1.36"], pod["spec"]!["containers"]!.AsArray().Select(c => (string)c!["image"]!));
    }

    /// <summary>ValidatePatchOptions: apply needs a fieldManager (422 on PatchOptions).</summary>
    [Fact]
    public async Task ApplyWithoutFieldManagerIsInvalid()
    {
        var ns = await admin.NewNamespace();
        var status = await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""", Apply)
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        Assert.Equal("PatchOptions", (string?)status["details"]!["kind"]);
        Assert.Equal("meta.k8s.io", (string?)status["details"]!["group"]);
        Assert.Equal("fieldManager", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    /// <summary>ValidatePatchOptions: force on a non-apply patch is 422 on PatchOptions, field "force".</summary>
    [Theory]
    [InlineData(Merge, "{}")]
    [InlineData(Smp, "{}")]
    [InlineData(JsonPatch, "[]")]
    public async Task ForceOnANonApplyPatchIsInvalid(string patchType, string patch)
    {
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/c?force=true", patch, patchType)
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
    }

    [Fact]
    public async Task ApplyWithANameThatDiffersFromTheUrlIsBadRequest()
    {
        var ns = await admin.NewNamespace();
        await admin.Patch($"/api/v1/namespaces/{ns}/configmaps/a?fieldManager=m", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}""", Apply)
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
    }
}
