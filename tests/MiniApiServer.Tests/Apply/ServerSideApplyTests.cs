using System.Text.Json.Nodes;
using MiniApiServer.Api.Apply;
using MiniApiServer.Api.Errors;
using static MiniApiServer.Tests.Apply.ManagedFieldsUpdateTests;

namespace MiniApiServer.Tests.Apply;

public class ServerSideApplyTests
{
    const string Applied = """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{"app":"web"}},"data":{"a":"1","b":"2"}}
        """;

    static JsonObject Stored(JsonObject o)
    {
        var c = o.DeepClone().AsObject();
        c["metadata"]!["uid"] = "u1";
        c["metadata"]!["resourceVersion"] = "7";
        return c;
    }

    static JsonObject Apply(JsonObject? live, string applied, string manager = "kubectl", bool force = false, DateTimeOffset? at = null) =>
        FieldManager.Apply(live, Obj(applied), manager, force, "v1", at ?? T0, FakeSchema.ConfigMap, kind: "ConfigMap");

    static JsonObject Create() => Stored(Apply(null, Applied));

    [Fact]
    public void ApplyCreatesTheObjectAndOwnsWhatItSet()
    {
        var created = FieldManager.Apply(null, Obj(Applied), "kubectl", false, "v1", T0, FakeSchema.ConfigMap, kind: "ConfigMap");
        Assert.Equal("""{"a":"1","b":"2"}""", Json(created["data"]));
        Assert.Equal("""[{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2025-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}}]""",
            Json(Managed(created)));
    }

    [Fact]
    public void ApplyMergesIntoTheLiveObjectAndKeepsWhatOthersSet()
    {
        var live = Create();
        live["data"]!["other"] = "x";
        var updated = Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"web"}},"data":{"a":"10","b":"2"}}""", at: T1);
        Assert.Equal("""{"a":"10","b":"2","other":"x"}""", Json(updated["data"]));
        Assert.Equal("u1", updated["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("2025-01-02T03:05:05Z", Entry(updated, "kubectl")["time"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string, string?> RemovalCases => new()
    {
        // second configuration, data afterwards, labels afterwards (null: no labels)
        { "an omitted key is removed", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"web"}},"data":{"a":"1"}}""", """{"a":"1"}""", """{"app":"web"}""" },
        { "omitted labels disappear with their map", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}}""", """{"a":"1","b":"2"}""", null },
    };

    [Theory]
    [MemberData(nameof(RemovalCases))]
    public void AFieldAppliedBeforeAndOmittedNowIsRemoved(string because, string second, string data, string? labels)
    {
        var updated = Apply(Create(), second, at: T1);
        Assert.True(data == Json(updated["data"]), because);
        Assert.True(labels == (updated["metadata"]!["labels"] is { } l ? Json(l) : null), because);
        Assert.Equal("c", updated["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void AnOmittedFieldSomeoneElseOwnsStaysAndOnlyOwnershipIsReleased()
    {
        var live = Create();
        // Another applier claims data.b with the same value: shared ownership, no conflict.
        var shared = Stored(Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"b":"2"}}""", manager: "other"));
        // The object did not change, so kube gives the new entry no time; it sorts first.
        Assert.Equal(["other/Apply", "kubectl/Apply"], Managers(shared));
        Assert.Null(Entry(shared, "other")["time"]);
        var updated = Apply(shared, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"web"}},"data":{"a":"1"}}""", at: T1);
        Assert.Equal("""{"a":"1","b":"2"}""", Json(updated["data"]));
        Assert.Equal("""{"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}""", Fields(updated, "kubectl"));
        Assert.Equal("""{"f:data":{"f:b":{}}}""", Fields(updated, "other"));
    }

    [Fact]
    public void AConflictIsA409NamingTheManagerAndField()
    {
        var live = Create();
        var e = Assert.Throws<ApiException>(() => Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"changed"}}""", manager: "other"));
        Assert.Equal(409, e.Code);
        Assert.Equal("Conflict", e.Status.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\": .data.a", e.Status.Message);
        var cause = Assert.Single(e.Status.Details.Causes);
        Assert.Equal(("FieldManagerConflict", "conflict with \"kubectl\"", ".data.a"), (cause.Reason, cause.Message, cause.Field));
    }

    [Fact]
    public void SeveralConflictsAreGroupedByManagerOneLineEach()
    {
        var live = Stored(FieldManager.UpdateManagedFields(null, Obj(Applied), "kubectl-client-side-apply", "v1", T0, FakeSchema.ConfigMap));
        live = Stored(Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"z":"1"}}""", manager: "zed"));
        var e = Assert.Throws<ApiException>(() => Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"api"}},"data":{"a":"9","z":"9"}}""", manager: "mine"));
        Assert.Equal("""
            Apply failed with 3 conflicts: conflicts with "kubectl-client-side-apply" using v1:
            - .data.a
            - .metadata.labels.app
            conflicts with "zed":
            - .data.z
            """.ReplaceLineEndings("\n"), e.Status.Message);
        Assert.Equal([".data.a", ".metadata.labels.app", ".data.z"], e.Status.Details.Causes.Select(c => c.Field));
        Assert.Equal("conflict with \"kubectl-client-side-apply\" using v1", e.Status.Details.Causes[0].Message);
    }

    [Fact]
    public void ForceMovesConflictingFieldsToTheApplier()
    {
        var updated = Apply(Create(), """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"changed"}}""", manager: "other", force: true);
        Assert.Equal("changed", updated["data"]!["a"]!.GetValue<string>());
        Assert.Equal("""{"f:data":{"f:a":{}}}""", Fields(updated, "other"));
        Assert.Equal("""{"f:data":{"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}""", Fields(updated, "kubectl"));
    }

    [Fact]
    public void ApplyingTheSameValuesAgainChangesNothingAndKeepsTheTime()
    {
        var live = Create();
        var again = Apply(live, Applied, at: T1);
        Assert.True(JsonNode.DeepEquals(live, again), Json(again));
    }

    [Fact]
    public void AnUntrackedObjectsFieldsBelongToBeforeFirstApply()
    {
        var live = Stored(Obj(Applied));
        var e = Assert.Throws<ApiException>(() => Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"x"}}""", manager: "mine"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using v1: .data.a", e.Status.Message);
    }

    [Fact]
    public void StatusIsNotOwnedOnTheMainResourceButIsOnTheStatusSubresource()
    {
        const string pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx"}]},"status":{"phase":"Running"}}""";
        var main = FieldManager.Apply(null, Obj(pod), "kubectl", false, "v1", T0, FakeSchema.Pod);
        Assert.Equal("""{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}""", Fields(main, "kubectl"));
        var status = FieldManager.Apply(Stored(main), Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"status":{"phase":"Succeeded"}}"""), "kubelet", false, "v1", T1, FakeSchema.Pod, subresource: "status");
        Assert.Equal("status", Entry(status, "kubelet")["subresource"]!.GetValue<string>());
        Assert.Equal("""{"f:status":{"f:phase":{}}}""", Fields(status, "kubelet"));
    }

    [Fact]
    public void ContainersMergeByNameAndAConflictPathNamesTheKey()
    {
        const string pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}""";
        var live = Stored(FieldManager.Apply(null, Obj(pod), "a", false, "v1", T0, FakeSchema.Pod));
        var sidecar = FieldManager.Apply(live, Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"side","image":"busybox"}]}}"""), "b", false, "v1", T1, FakeSchema.Pod);
        Assert.Equal(["web", "side"], sidecar["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var e = Assert.Throws<ApiException>(() => FieldManager.Apply(live, Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}"""), "b", false, "v1", T1, FakeSchema.Pod));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"a\": .spec.containers[name=\"web\"].image", e.Status.Message);
    }

    public static TheoryData<string, string, int, string> BadConfigurations => new()
    {
        { "managedFields in the configuration", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[]}}""", 400, "metadata.managedFields must be nil" },
        { "another kind", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"c"}}""", 400, "invalid object type: /v1, Kind=Secret" },
        { "duplicate list keys", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d","finalizers":["x","x"]}}""", 500, "failed to create typed patch object (d/c; /v1, Kind=ConfigMap): .metadata.finalizers: duplicate entries for key [=\"x\"]" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public void BadConfigurationsAreRejectedAsKubeRejectsThem(string because, string applied, int code, string message)
    {
        var e = Assert.Throws<ApiException>(() => Apply(null, applied));
        Assert.True((code, message) == (e.Code, e.Status.Message), $"{because}: {e.Code} {e.Status.Message}");
    }

    [Fact]
    public void ApplyDoesNotChangeItsInputs()
    {
        var live = Create();
        var applied = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"9"}}""");
        var (l, a) = (Json(live), Json(applied));
        FieldManager.Apply(live, applied, "x", true, "v1", T1, FakeSchema.ConfigMap);
        Assert.Equal((l, a), (Json(live), Json(applied)));
    }
}
