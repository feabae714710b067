using System.Text.Json.Nodes;
using MiniApiServer.Api.Apply;
using MiniApiServer.Api.Errors;
using static MiniApiServer.Tests.Apply.ManagedFieldsUpdateTests;

namespace MiniApiServer.Tests.Apply;

/// <summary>
/// kubectl's upgrade of a client-side-applied object to server-side apply (kubectl.md §4): SSA as
/// "kubectl", SSA of the annotation as "kubectl-last-applied", a JSON patch rewriting
/// metadata.managedFields, then SSA again.
/// </summary>
public class ClientSideApplyMigrationTests
{
    const string Manifest = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default","labels":{"app":"web"}},"data":{"a":"1"}}""";

    static JsonObject Stored(JsonObject o, int rv)
    {
        var c = o.DeepClone().AsObject();
        c["metadata"]!["uid"] = "u1";
        c["metadata"]!["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return c;
    }

    /// <summary>`kubectl apply` (client side) of the manifest: POST with the last-applied annotation.</summary>
    static JsonObject ClientSideApplied()
    {
        var body = Obj(Manifest);
        body["metadata"]!["annotations"] = new JsonObject { [FieldManager.LastAppliedAnnotation] = Manifest + "\n" };
        return Stored(FieldManager.UpdateManagedFields(null, body, "kubectl-client-side-apply", "v1", T0, FakeSchema.ConfigMap), 1);
    }

    static JsonObject Ssa(JsonObject live, string applied, string manager) =>
        FieldManager.Apply(live, Obj(applied), manager, false, "v1", T1, FakeSchema.ConfigMap, kind: "ConfigMap");

    [Fact]
    public void KubectlTakesOverFieldsItClientSideAppliedWithoutConflict()
    {
        var live = ClientSideApplied();
        var changed = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"api"}},"data":{"a":"2"}}""";

        // Any other manager conflicts with the client-side apply entry.
        var e = Assert.Throws<ApiException>(() => Ssa(live, changed, "someone"));
        Assert.StartsWith("Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using v1:", e.Status.Message);

        // "kubectl" may take the fields recorded unchanged in last-applied, and the annotation follows the new configuration.
        var step1 = Stored(Ssa(live, changed, "kubectl"), 2);
        Assert.Equal("api", step1["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal("""{"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}""", Fields(step1, "kubectl"));
        Assert.Equal("""{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"labels":{"app":"api"},"name":"c"}}""" + "\n",
            step1["metadata"]!["annotations"]![FieldManager.LastAppliedAnnotation]!.GetValue<string>());

        // The annotation's own SSA manager.
        var annotationOnly = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = "c",
                ["annotations"] = new JsonObject { [FieldManager.LastAppliedAnnotation] = step1["metadata"]!["annotations"]![FieldManager.LastAppliedAnnotation]!.GetValue<string>() },
            },
        };
        var step2 = Stored(FieldManager.Apply(step1, annotationOnly, "kubectl-last-applied", false, "v1", T1, FakeSchema.ConfigMap), 3);
        Assert.Contains("kubectl-last-applied/Apply", Managers(step2));

        // The JSON patch replacing managedFields (an update by "kubectl"): valid entries are stored as written.
        var rewritten = JsonNode.Parse("""
            [{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2025-01-02T03:05:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:a":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}},
             {"manager":"kubectl-last-applied","operation":"Apply","apiVersion":"v1","time":"2025-01-02T03:05:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}}]
            """)!;
        var patched = step2.DeepClone().AsObject();
        patched["metadata"]!["managedFields"] = rewritten.DeepClone();
        var step3 = Stored(FieldManager.UpdateManagedFields(step2, patched, "kubectl", "v1", T1, FakeSchema.ConfigMap), 4);
        Assert.True(JsonNode.DeepEquals(rewritten, step3["metadata"]!["managedFields"]), Json(step3["metadata"]!["managedFields"]));

        // Later server-side applies by kubectl meet no conflict and prune as usual.
        var step4 = Ssa(step3, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"3"}}""", "kubectl");
        Assert.Equal("3", step4["data"]!["a"]!.GetValue<string>());
        Assert.Null(step4["metadata"]!["labels"]);
    }

    [Fact]
    public void AFieldChangedSinceTheClientSideApplyStillConflictsForKubectl()
    {
        var live = ClientSideApplied();
        var edited = live.DeepClone().AsObject();
        edited["data"]!["a"] = "edited";
        live = Stored(FieldManager.UpdateManagedFields(live, edited, "kubectl-client-side-apply", "v1", T1, FakeSchema.ConfigMap), 2);

        var e = Assert.Throws<ApiException>(() => Ssa(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"api"}},"data":{"a":"2"}}""", "kubectl"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.a", e.Status.Message);
    }
}
