using System.Text.Json.Nodes;
using MiniApiServer.Api.Patch;
using static MiniApiServer.Tests.Patch.JsonAssert;

namespace MiniApiServer.Tests.Patch;

/// <summary>application/json-patch+json: RFC 6902 with kube's (evanphx/json-patch v4) choices and status codes.</summary>
public class JsonPatchTests
{
    const string Doc = """{"metadata":{"name":"web","labels":{"app":"web","a/b":"slash","m~n":"tilde"}},"spec":{"containers":[{"name":"main","image":"nginx"}],"ports":[80,443]}}""";

    [Theory]
    // add: new member, existing member replaced, array insert, "-" appends, negative index (kube's json-patch allows it)
    [InlineData("""[{"op":"add","path":"/metadata/labels/tier","value":"x"}]""", "/metadata/labels", """{"app":"web","a/b":"slash","m~n":"tilde","tier":"x"}""")]
    [InlineData("""[{"op":"add","path":"/metadata/name","value":"other"}]""", "/metadata/name", "\"other\"")]
    [InlineData("""[{"op":"add","path":"/spec/ports/0","value":8080}]""", "/spec/ports", "[8080,80,443]")]
    [InlineData("""[{"op":"add","path":"/spec/ports/2","value":8080}]""", "/spec/ports", "[80,443,8080]")]
    [InlineData("""[{"op":"add","path":"/spec/ports/-","value":8080}]""", "/spec/ports", "[80,443,8080]")]
    [InlineData("""[{"op":"add","path":"/spec/ports/-1","value":8080}]""", "/spec/ports", "[80,443,8080]")]
    [InlineData("""[{"op":"add","path":"/spec/x","value":{"deep":[1,{"a":null}]}}]""", "/spec/x", """{"deep":[1,{"a":null}]}""")]
    // remove, with ~1 and ~0 escapes (RFC 6901 §4)
    [InlineData("""[{"op":"remove","path":"/metadata/labels/a~1b"},{"op":"remove","path":"/metadata/labels/m~0n"}]""", "/metadata/labels", """{"app":"web"}""")]
    [InlineData("""[{"op":"remove","path":"/spec/ports/0"}]""", "/spec/ports", "[443]")]
    [InlineData("""[{"op":"remove","path":"/spec/ports/-1"}]""", "/spec/ports", "[80]")]
    // replace
    [InlineData("""[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:2"}]""", "/spec/containers", """[{"name":"main","image":"nginx:2"}]""")]
    [InlineData("""[{"op":"replace","path":"/spec/ports","value":[]}]""", "/spec/ports", "[]")]
    // move and copy
    [InlineData("""[{"op":"move","from":"/metadata/labels/app","path":"/metadata/labels/name"}]""", "/metadata/labels", """{"name":"web","a/b":"slash","m~n":"tilde"}""")]
    [InlineData("""[{"op":"move","from":"/spec/ports/0","path":"/spec/ports/-"}]""", "/spec/ports", "[443,80]")]
    [InlineData("""[{"op":"copy","from":"/spec/containers/0","path":"/spec/containers/-"},{"op":"replace","path":"/spec/containers/1/name","value":"side"}]""",
        "/spec/containers", """[{"name":"main","image":"nginx"},{"name":"side","image":"nginx"}]""")]
    // test passes: objects compare unordered, numbers by value; then the next op runs
    [InlineData("""[{"op":"test","path":"/metadata/labels","value":{"m~n":"tilde","app":"web","a/b":"slash"}},{"op":"add","path":"/t","value":1}]""", "/t", "1")]
    [InlineData("""[{"op":"test","path":"/spec/ports/1","value":443.0},{"op":"add","path":"/t","value":1}]""", "/t", "1")]
    // the member named "" is addressed by "/"
    [InlineData("""[{"op":"add","path":"/","value":"empty"}]""", "/", "\"empty\"")]
    public void Operations_apply_in_order(string patch, string pointer, string expected)
    {
        var result = Patches.ApplyJsonPatch(Obj(Doc), Node(patch));
        Equal(expected, Resolve(result, pointer));
    }

    [Fact]
    public void Test_with_null_matches_a_null_member()
    {
        var result = Patches.ApplyJsonPatch(Obj("""{"a":null}"""), Node("""[{"op":"test","path":"/a","value":null},{"op":"add","path":"/b","value":2}]"""));
        Equal("""{"a":null,"b":2}""", result);
    }

    [Fact]
    public void Json_null_is_an_empty_patch() =>
        Equal(Doc, Patches.ApplyJsonPatch(Obj(Doc), null));

    [Fact]
    public void The_original_and_the_patch_are_not_modified()
    {
        var original = Obj(Doc);
        var patch = Node("""[{"op":"add","path":"/spec/containers/-","value":{"name":"side"}},{"op":"remove","path":"/metadata"}]""");
        var before = (original.ToJsonString(), patch!.ToJsonString());

        var result = Patches.ApplyJsonPatch(original, patch);

        Assert.Equal(before, (original.ToJsonString(), patch.ToJsonString()));
        Assert.False(result.ContainsKey("metadata"));
    }

    [Theory]
    [InlineData("""[{"op":"test","path":"/metadata/name","value":"db"}]""", "testing value /metadata/name failed: test failed")]
    [InlineData("""[{"op":"test","path":"/spec/ports","value":[443,80]}]""", "testing value /spec/ports failed: test failed")]
    [InlineData("""[{"op":"test","path":"/spec/ports/0","value":"80"}]""", "testing value /spec/ports/0 failed: test failed")]
    [InlineData("""[{"op":"test","path":"/metadata/missing","value":null}]""", "unable to get nonexistent key: /metadata/missing")]
    [InlineData("""[{"op":"test","path":"/metadata/name"}]""", "testing value /metadata/name failed: test failed")]
    [InlineData("""[{"op":"remove","path":"/metadata/labels/nope"}]""", "Unable to remove nonexistent key: nope")]
    [InlineData("""[{"op":"remove","path":"/nope/deeper"}]""", "doc is missing path: \"/nope/deeper\"")]
    [InlineData("""[{"op":"replace","path":"/metadata/nope","value":1}]""", "replace operation does not apply: doc is missing key: /metadata/nope")]
    [InlineData("""[{"op":"add","path":"/nope/x","value":1}]""", "doc is missing path: \"/nope/x\"")]
    [InlineData("""[{"op":"add","path":"/spec/ports/3","value":1}]""", "Unable to access invalid index: 3")]
    [InlineData("""[{"op":"add","path":"/spec/ports/01","value":1}]""", "Unable to access invalid index: 01")]
    [InlineData("""[{"op":"replace","path":"/spec/ports/2","value":1}]""", "Unable to access invalid index: 2")]
    [InlineData("""[{"op":"remove","path":"/spec/ports/x"}]""", "Unable to access invalid index: x")]
    [InlineData("""[{"op":"move","from":"/metadata","path":"/metadata/inner"}]""", "doc is missing path: \"/metadata/inner\"")]
    [InlineData("""[{"op":"copy","from":"/nope","path":"/x"}]""", "unable to get nonexistent key: /nope")]
    [InlineData("""[{"op":"add","path":"","value":{}}]""", "doc is missing path: \"\"")]
    [InlineData("""[{"op":"add","path":"metadata","value":{}}]""", "doc is missing path: \"metadata\"")]
    [InlineData("""[{"op":"add","value":1}]""", "add operation failed to decode path")]
    [InlineData("""[{"op":"move","path":"/x"}]""", "move operation failed to decode from")]
    [InlineData("""[{"op":"frobnicate","path":"/x"}]""", "Unexpected kind: frobnicate")]
    [InlineData("""[{"path":"/x","value":1}]""", "Unexpected kind: unknown")]
    public void An_operation_that_does_not_apply_is_kubes_bare_422(string patch, string reason)
    {
        var failure = Assert.Throws<JsonPatchFailure>(() => JsonPatch.ApplyOrFail(Obj(Doc), Node(patch)));
        Assert.Equal(reason, failure.Message);

        var ex = Fails(422, "Invalid", "the server rejected our request due to an error in our request",
            () => Patches.ApplyJsonPatch(Obj(Doc), Node(patch)));
        Assert.NotNull(ex.Status.Details);
        Assert.Null(ex.Status.Details.Causes);
    }

    [Fact]
    public void A_failing_operation_discards_the_earlier_ones()
    {
        var original = Obj(Doc);
        Assert.Throws<JsonPatchFailure>(() => JsonPatch.ApplyOrFail(original,
            Node("""[{"op":"remove","path":"/metadata"},{"op":"test","path":"/kind","value":"Pod"}]""")));
        Assert.True(original.ContainsKey("metadata"));
    }

    [Theory]
    [InlineData("""{"op":"add","path":"/a","value":1}""", "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp")]
    [InlineData("\"add\"", "error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp")]
    [InlineData("""["add"]""", "error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp")]
    [InlineData("""[{"op":"add","path":3,"value":1}]""", "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string")]
    [InlineData("""[{"op":["add"],"path":"/a"}]""", "error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.op of type string")]
    public void A_body_that_is_not_a_list_of_operations_is_400(string patch, string message) =>
        Fails(400, "BadRequest", message, () => Patches.ApplyJsonPatch(Obj(Doc), Node(patch)));

    [Fact]
    public void More_than_ten_thousand_operations_is_413()
    {
        var ops = new JsonArray([.. Enumerable.Range(0, 10001).Select(_ => (JsonNode)new JsonObject { ["op"] = "test", ["path"] = "/kind", ["value"] = "Pod" })]);
        Fails(413, "RequestEntityTooLarge", "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001",
            () => Patches.ApplyJsonPatch(Obj("""{"kind":"Pod"}"""), ops));
    }

    [Fact]
    public void The_managed_fields_migration_patch_kubectl_sends_applies()
    {
        // kubectl.md §4: apply --server-side on an object last applied client-side.
        var live = Obj("""{"metadata":{"name":"demo","resourceVersion":"1009","managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update"}]}}""");
        var patch = Node("""[{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"kubectl","operation":"Apply"}]},{"op":"replace","path":"/metadata/resourceVersion","value":"1009"}]""");

        var result = Patches.ApplyJsonPatch(live, patch);

        Equal("""{"metadata":{"name":"demo","resourceVersion":"1009","managedFields":[{"manager":"kubectl","operation":"Apply"}]}}""", result);
    }

    [Fact]
    public void A_malformed_body_is_400() =>
        Assert.Equal(400, Assert.Throws<MiniApiServer.Api.Errors.ApiException>(() => Patches.ParseBody("[{\"op\":"u8)).Code);

    static JsonNode? Resolve(JsonObject doc, string pointer)
    {
        JsonNode? node = doc;
        foreach (var token in pointer[1..].Split('/'))
            node = node is JsonArray a ? a[int.Parse(token)] : node![token];
        return node;
    }
}
