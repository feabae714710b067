using System.Text.Json.Nodes;
using MiniApiServer.Api.Apply;

namespace MiniApiServer.Tests.Apply;

public class ManagedFieldsUpdateTests
{
    internal static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    internal static readonly DateTimeOffset T1 = T0.AddMinutes(1);

    internal static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    internal static JsonArray? Managed(JsonObject o) => o["metadata"]?["managedFields"] as JsonArray;

    internal static JsonObject Entry(JsonObject o, string manager) =>
        Managed(o)!.Select(e => e!.AsObject()).Single(e => e["manager"]?.GetValue<string>() == manager);

    internal static string Fields(JsonObject o, string manager) => Json(Entry(o, manager)["fieldsV1"]);

    static readonly System.Text.Json.JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON with quotes written as \" rather than \u0022.</summary>
    internal static string Json(JsonNode? n) => n?.ToJsonString(Plain) ?? "null";

    internal static string[] Managers(JsonObject o) =>
        Managed(o)?.Select(e => $"{e!["manager"]}/{e["operation"]}{(e["subresource"] is { } s ? "/" + s : "")}").ToArray() ?? [];

    static JsonObject Stored(JsonObject o, string uid = "u1")
    {
        var c = o.DeepClone().AsObject();
        c["metadata"]!["uid"] = uid;
        c["metadata"]!["resourceVersion"] = "10";
        return c;
    }

    const string PodJson = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"containers":[{"name":"web","image":"nginx:1","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{}}],"restartPolicy":"Always"},
         "status":{"phase":"Pending"}}
        """;

    static JsonObject Create(string manager = "kubectl-create") =>
        Stored(FieldManager.UpdateManagedFields(null, Obj(PodJson), manager, "v1", T0, FakeSchema.Pod));

    [Fact]
    public void CreateGivesTheCreatorEveryFieldItSetExceptIdentityAndStatus()
    {
        var created = FieldManager.UpdateManagedFields(null, Obj(PodJson), "kubectl-create", "v1", T0, FakeSchema.Pod);
        var entry = Entry(created, "kubectl-create");
        Assert.Equal("""{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2025-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":""" +
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{}}},"f:restartPolicy":{}}}}""",
            Json(entry));
    }

    [Fact]
    public void TheInputsAreNotChanged()
    {
        var input = Obj(PodJson);
        var before = input.ToJsonString();
        FieldManager.UpdateManagedFields(null, input, "m", "v1", T0, FakeSchema.Pod);
        Assert.Equal(before, input.ToJsonString());
    }

    public static TheoryData<string, string, string, string?, string> OwnershipCases => new()
    {
        // change, manager, creator's fields afterwards (null: entry gone), changer's fields
        {
            "a changed label moves to the changer",
            """{"metadata":{"labels":{"app":"api"}}}""", "kubectl-label",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{}}},"f:restartPolicy":{}},"f:metadata":{"f:labels":{}}}""",
            """{"f:metadata":{"f:labels":{"f:app":{}}}}"""
        },
        {
            "a new label belongs to the changer alone",
            """{"metadata":{"labels":{"app":"web","tier":"x"}}}""", "kubectl-label",
            null,
            """{"f:metadata":{"f:labels":{"f:tier":{}}}}"""
        },
        {
            "a changed image moves to the changer",
            """{"spec":{"containers":[{"name":"web","image":"nginx:2","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{}}]}}""", "kubectl-edit",
            null,
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{}}}}}"""
        },
    };

    static JsonObject Patched(JsonObject stored, string patch)
    {
        var copy = stored.DeepClone().AsObject();
        Merge(copy, Obj(patch));
        return copy;
    }

    static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (k, v) in patch)
            if (v is JsonObject po && target[k] is JsonObject to) Merge(to, po);
            else target[k] = v?.DeepClone();
    }

    [Theory]
    [MemberData(nameof(OwnershipCases))]
    public void AnUpdateTakesTheFieldsItChanges(string because, string patch, string manager, string? creatorAfter, string changer)
    {
        var stored = Create();
        var updated = FieldManager.UpdateManagedFields(stored, Patched(stored, patch), manager, "v1", T1, FakeSchema.Pod);
        Assert.True(changer == Fields(updated, manager), $"{because}: {Fields(updated, manager)}");
        Assert.Equal("2025-01-02T03:05:05Z", Entry(updated, manager)["time"]!.GetValue<string>());
        if (creatorAfter is null) Assert.Equal("kubectl-create", Entry(updated, "kubectl-create")["manager"]!.GetValue<string>());
        else Assert.True(JsonNode.DeepEquals(JsonNode.Parse(creatorAfter), JsonNode.Parse(Fields(updated, "kubectl-create"))), $"{because}: {Fields(updated, "kubectl-create")}");
    }

    [Fact]
    public void AManagerLosingItsLastFieldDisappears()
    {
        var stored = Stored(FieldManager.UpdateManagedFields(null, Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"1"}}"""), "creator", "v1", T0, FakeSchema.ConfigMap));
        JsonObject Change(JsonObject o, string value)
        {
            var c = o.DeepClone().AsObject();
            c["data"]!["a"] = value;
            return c;
        }
        var edited = FieldManager.UpdateManagedFields(stored, Change(stored, "2"), "editor", "v1", T1, FakeSchema.ConfigMap);
        Assert.Equal("""{"f:data":{"f:a":{}}}""", Fields(edited, "editor"));
        Assert.Equal("""{"f:data":{".":{},"f:b":{}}}""", Fields(edited, "creator"));
        var again = FieldManager.UpdateManagedFields(edited, Change(edited, "3"), "third", "v1", T1, FakeSchema.ConfigMap);
        Assert.Equal(["creator/Update", "third/Update"], Managers(again));
    }

    [Fact]
    public void AnUpdateThatChangesNothingKeepsEntriesAndTimes()
    {
        var stored = Create();
        var same = FieldManager.UpdateManagedFields(stored, stored.DeepClone().AsObject(), "kubectl-create", "v1", T1, FakeSchema.Pod);
        Assert.Equal(Managed(stored)!.ToJsonString(), Managed(same)!.ToJsonString());
        var other = FieldManager.UpdateManagedFields(stored, stored.DeepClone().AsObject(), "someone-else", "v1", T1, FakeSchema.Pod);
        Assert.Equal(["kubectl-create/Update"], Managers(other));
    }

    [Fact]
    public void TheSameManagerAtTheSameVersionSharesOneEntryAndItsTimeMoves()
    {
        var stored = Create();
        var updated = FieldManager.UpdateManagedFields(stored, Patched(stored, """{"metadata":{"labels":{"tier":"x"}}}"""), "kubectl-create", "v1", T1, FakeSchema.Pod);
        Assert.Equal(["kubectl-create/Update"], Managers(updated));
        Assert.Equal("2025-01-02T03:05:05Z", Entry(updated, "kubectl-create")["time"]!.GetValue<string>());
        Assert.Contains("\"f:tier\"", Fields(updated, "kubectl-create"));
    }

    [Fact]
    public void StatusChangesOnTheMainResourceAreNotTrackedButOnTheStatusSubresourceTheyAre()
    {
        var stored = Create();
        var main = FieldManager.UpdateManagedFields(stored, Patched(stored, """{"status":{"phase":"Running"}}"""), "ctl", "v1", T1, FakeSchema.Pod);
        Assert.Equal(["kubectl-create/Update"], Managers(main));

        var status = FieldManager.UpdateManagedFields(stored, Patched(stored, """{"status":{"phase":"Running","podIP":"10.0.0.5"}}"""), "kubelet", "v1", T1, FakeSchema.Pod, subresource: "status");
        var entry = Entry(status, "kubelet");
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
        Assert.Equal("""{"f:status":{"f:phase":{},"f:podIP":{}}}""", entry["fieldsV1"]!.ToJsonString());
        Assert.Equal(["kubectl-create/Update", "kubelet/Update/status"], Managers(status));
    }

    [Fact]
    public void AnExistingObjectWithoutManagedFieldsStaysUntracked()
    {
        var stored = Stored(Obj(PodJson));
        var updated = FieldManager.UpdateManagedFields(stored, Patched(stored, """{"metadata":{"labels":{"app":"x"}}}"""), "m", "v1", T1, FakeSchema.Pod);
        Assert.Null(Managed(updated));
    }

    public static TheoryData<string, string, string[]> RequestManagedFields => new()
    {
        // what the request carries in metadata.managedFields → the managers afterwards
        { "absent: the live entries are kept", "", ["kubectl-create/Update"] },
        { "null: the live entries are kept", "null", ["kubectl-create/Update"] },
        { "an empty list resets tracking", "[]", [] },
        { "one empty entry resets tracking", "[{}]", [] },
        { "garbage is ignored and the live entries kept", """[{"manager":"x","operation":"Bogus","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{}}]""", ["kubectl-create/Update"] },
        { "an entry without fieldsType is garbage", """[{"manager":"x","operation":"Update","apiVersion":"v1","fieldsV1":{"f:spec":{}}}]""", ["kubectl-create/Update"] },
        { "unparseable fieldsV1 is garbage", """[{"manager":"x","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"k:{":{}}}]""", ["kubectl-create/Update"] },
        {
            "valid entries replace the live ones as written",
            """[{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2024-05-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}},{"manager":"kubectl-last-applied","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}}]""",
            ["kubectl-last-applied/Apply", "kubectl/Apply"]
        },
    };

    [Theory]
    [MemberData(nameof(RequestManagedFields))]
    public void ManagedFieldsWrittenByTheClient(string because, string requested, string[] managers)
    {
        var stored = Create();
        var request = stored.DeepClone().AsObject();
        if (requested.Length > 0) request["metadata"]!["managedFields"] = JsonNode.Parse(requested);
        else request["metadata"]!.AsObject().Remove("managedFields");
        var updated = FieldManager.UpdateManagedFields(stored, request, "kubectl", "v1", T1, FakeSchema.Pod);
        Assert.True(managers.SequenceEqual(Managers(updated)), $"{because}: {string.Join(",", Managers(updated))}");
    }

    [Fact]
    public void OnASubresourceTheRequestsManagedFieldsAreIgnored()
    {
        var stored = Create();
        var request = Patched(stored, """{"status":{"phase":"Running"}}""");
        request["metadata"]!["managedFields"] = new JsonArray();
        var updated = FieldManager.UpdateManagedFields(stored, request, "kubelet", "v1", T1, FakeSchema.Pod, subresource: "status");
        Assert.Equal(["kubectl-create/Update", "kubelet/Update/status"], Managers(updated));
    }

    [Fact]
    public void ElevenUpdatersAreCappedIntoAncientChanges()
    {
        var obj = Stored(FieldManager.UpdateManagedFields(null, Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k0":"v"}}"""), "m0", "v1", T0, FakeSchema.ConfigMap));
        for (int i = 1; i <= 10; i++)
        {
            var next = obj.DeepClone().AsObject();
            next["data"]![$"k{i}"] = "v";
            obj = FieldManager.UpdateManagedFields(obj, next, $"m{i}", "v1", T0.AddMinutes(i), FakeSchema.ConfigMap);
        }
        var managers = Managers(obj);
        Assert.Equal(10, managers.Length);
        Assert.Contains("ancient-changes/Update", managers);
        Assert.DoesNotContain("m0/Update", managers);
        Assert.DoesNotContain("m1/Update", managers);
        Assert.Equal("""{"f:data":{".":{},"f:k0":{},"f:k1":{}}}""", Fields(obj, "ancient-changes"));
    }
}
