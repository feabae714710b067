using System.Text.Json.Nodes;
using MiniApiServer.Api.Patch;
using static MiniApiServer.Tests.Patch.JsonAssert;

namespace MiniApiServer.Tests.Patch;

/// <summary>
/// application/strategic-merge-patch+json on a Pod-like schema. Expected results follow apimachinery's
/// strategicpatch (patch.go and its test cases) and the bodies real kubectl 1.32 sends (kubectl.md §4).
/// </summary>
public class StrategicMergePatchTests
{
    const string Live = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"demo2","namespace":"default","labels":{"app":"demo"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"},"finalizers":["a","b","c"]},
         "spec":{"containers":[
                   {"name":"main","image":"nginx:1","args":["-x","-y"],
                    "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                    "ports":[{"containerPort":80,"name":"http"}]},
                   {"name":"side","image":"busybox","args":["sleep"]}],
                 "volumes":[{"name":"data","emptyDir":{}}],
                 "tolerations":[{"key":"k1","operator":"Exists"}],
                 "nodeSelector":{"disk":"hdd","zone":"a"},
                 "serviceAccountName":"default",
                 "extra":{"a":0,"b":2,"c":[1]}},
         "status":{"phase":"Running"}}
        """;

    static JsonObject Apply(string patch, string live = Live) =>
        Patches.ApplyStrategicMergePatch(Obj(live), Obj(patch), PodSchema.Pod);

    [Theory]
    // kubectl apply (changed annotation and labels): maps merge key by key
    [InlineData("""{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"},"labels":{"tier":"x"}}}""",
        "/metadata", """{"name":"demo2","namespace":"default","labels":{"app":"demo","tier":"x"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"},"finalizers":["a","b","c"]}""")]
    // kubectl edit
    [InlineData("""{"metadata":{"labels":{"edited":"yes"}}}""", "/metadata/labels", """{"app":"demo","edited":"yes"}""")]
    // kubectl apply removing a container: the exact shape of kubectl.md §4
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"main"},{"name":"side"}],"containers":[{"image":"nginx:2","name":"main"},{"$patch":"delete","name":"side"}]}}""",
        "/spec/containers", """[{"name":"main","image":"nginx:2","args":["-x","-y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80,"name":"http"}]}]""")]
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"$patch":"delete","name":"side"}]}}""",
        "/spec/containers/0/name", "\"main\"")]
    // env merges by name: B changes, C is added after the live-only A
    [InlineData("""{"spec":{"containers":[{"name":"main","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}""",
        "/spec/containers/0/env", """[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]""")]
    [InlineData("""{"spec":{"containers":[{"name":"main","$setElementOrder/env":[{"name":"B"}],"env":[{"$patch":"delete","name":"A"}]}]}}""",
        "/spec/containers/0/env", """[{"name":"B","value":"2"}]""")]
    [InlineData("""{"spec":{"containers":[{"name":"main","env":[{"name":"A","value":null,"valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}]}}""",
        "/spec/containers/0/env", """[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"B","value":"2"}]""")]
    // ports merge by containerPort (an integer key)
    [InlineData("""{"spec":{"containers":[{"name":"main","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}}""",
        "/spec/containers/0/ports", """[{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}]""")]
    // nested maps inside a merged element merge too
    [InlineData("""{"spec":{"containers":[{"name":"side","resources":{"limits":{"cpu":"1"}}}]}}""",
        "/spec/containers/1", """{"name":"side","image":"busybox","args":["sleep"],"resources":{"limits":{"cpu":"1"}}}""")]
    // a list of primitives with strategy merge is a set; patch order wins over live order (kube test
    // "preserve the order from the patch in a merging int list")
    [InlineData("""{"metadata":{"finalizers":["c","d"]}}""", "/metadata/finalizers", """["a","b","c","d"]""")]
    [InlineData("""{"metadata":{"finalizers":["c","a"]}}""", "/metadata/finalizers", """["b","c","a"]""")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}}""", "/metadata/finalizers", """["a","c"]""")]
    [InlineData("""{"metadata":{"$setElementOrder/finalizers":["b","c","d"],"finalizers":["d"],"$deleteFromPrimitiveList/finalizers":["a"]}}""",
        "/metadata/finalizers", """["b","c","d"]""")]
    [InlineData("""{"metadata":{"$setElementOrder/finalizers":["c","b","a"]}}""", "/metadata/finalizers", """["c","b","a"]""")]
    // lists without a patch strategy are replaced whole
    [InlineData("""{"spec":{"containers":[{"name":"main","args":["-z"]}]}}""", "/spec/containers/0/args", """["-z"]""")]
    [InlineData("""{"spec":{"tolerations":[{"key":"k2","operator":"Equal","effect":"NoSchedule"}]}}""",
        "/spec/tolerations", """[{"key":"k2","operator":"Equal","effect":"NoSchedule"}]""")]
    // $retainKeys: switching a volume's source drops the old one
    [InlineData("""{"spec":{"$setElementOrder/volumes":[{"name":"data"}],"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"name":"data"}]}}""",
        "/spec/volumes", """[{"name":"data","configMap":{"name":"cm"}}]""")]
    // $patch on maps
    [InlineData("""{"spec":{"nodeSelector":{"$patch":"replace","disk":"ssd"}}}""", "/spec/nodeSelector", """{"disk":"ssd"}""")]
    [InlineData("""{"metadata":{"labels":{"$patch":"delete"}}}""", "/metadata/labels", "{}")]
    [InlineData("""{"$patch":"replace","kind":"Pod","metadata":{"name":"x","labels":null}}""", "", """{"kind":"Pod","metadata":{"name":"x"}}""")]
    // $patch: replace inside a merging list
    [InlineData("""{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}""", "/spec/containers", """[{"name":"only","image":"x"}]""")]
    // null deletes
    [InlineData("""{"metadata":{"labels":{"app":null}}}""", "/metadata/labels", "{}")]
    [InlineData("""{"spec":{"nodeSelector":null,"serviceAccountName":null,"notThere":null}}""", "/spec",
        """{"containers":[{"name":"main","image":"nginx:1","args":["-x","-y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80,"name":"http"}]},{"name":"side","image":"busybox","args":["sleep"]}],"volumes":[{"name":"data","emptyDir":{}}],"tolerations":[{"key":"k1","operator":"Exists"}],"extra":{"a":0,"b":2,"c":[1]}}""")]
    // a field the live object lacks takes the patch value, without nulls and directive elements
    [InlineData("""{"spec":{"initContainers":[{"name":"init","image":"alpine","env":[{"name":"X","value":null}]},{"$patch":"delete","name":"gone"}]}}""",
        "/spec/initContainers", """[{"name":"init","image":"alpine","env":[{"name":"X"}]}]""")]
    // a field the schema does not know merges like JSON merge patch
    [InlineData("""{"spec":{"extra":{"a":1,"b":null,"c":[2],"d":{"e":null}}}}""", "/spec/extra", """{"a":1,"c":[2],"d":{}}""")]
    // a value of another JSON type replaces
    [InlineData("""{"spec":{"nodeSelector":"weird"}}""", "/spec/nodeSelector", "\"weird\"")]
    // an unknown "$" key is kept as a field, as kube does; strict decoding of the result reports it
    [InlineData("""{"spec":{"$foo":1}}""", "/spec/$foo", "1")]
    public void Patches_merge_as_kube_does(string patch, string pointer, string expected) =>
        Equal(expected, Resolve(Apply(patch), pointer));

    [Theory]
    // kube test "preserve the order from the patch in a merging list 2"
    [InlineData("""{"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}}""", "2 3 1")]
    [InlineData("""{"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"},{"name":"2","image":"x"}]}}""", "3 1 2")]
    // $setElementOrder puts new and existing elements where kubectl wants them
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"0"},{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"0","image":"z"}]}}""", "0 1 2 3")]
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"1"},{"name":"4"},{"name":"2"},{"name":"3"}],"containers":[{"name":"4","image":"z"}]}}""", "1 4 2 3")]
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"3"},{"name":"2"},{"name":"1"}]}}""", "3 2 1")]
    // elements missing from $setElementOrder keep their live place
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"3"},{"name":"1"}],"containers":[{"name":"3","image":"z"}]}}""", "2 3 1")]
    // without $setElementOrder a new element goes before the live elements it does not follow (kube's mergeSortedSlice)
    [InlineData("""{"spec":{"containers":[{"name":"4","image":"z"}]}}""", "4 1 2 3")]
    [InlineData("""{"spec":{"containers":[{"name":"2","image":"y"},{"name":"4","image":"z"}]}}""", "1 2 4 3")]
    public void Merged_lists_are_ordered_as_kube_orders_them(string patch, string names)
    {
        const string live = """{"spec":{"containers":[{"name":"1","image":"a"},{"name":"2","image":"b"},{"name":"3","image":"c"}]}}""";
        var containers = Apply(patch, live)["spec"]!["containers"]!.AsArray();
        Assert.Equal(names, string.Join(" ", containers.Select(c => (string)c!["name"]!)));
    }

    [Theory]
    [InlineData("""{"spec":{"containers":[{"$patch":"foo","name":"side"}]}}""", 500, null, "unknown patch type: foo in map: map[$patch:foo name:side]")]
    [InlineData("""{"spec":{"containers":[{"$patch":"merge","name":"side"}]}}""", 500, null, "merging lists cannot yet be specified in the patch")]
    [InlineData("""{"spec":{"containers":[{"image":"x"}]}}""", 500, null, "map: map[image:x] does not contain declared merge key: name")]
    [InlineData("""{"spec":{"containers":[{"$patch":"delete"}]}}""", 500, null, "map: map[$patch:delete] does not contain declared merge key: name")]
    [InlineData("""{"metadata":{"labels":{"$patch":"merge"}}}""", 500, null, "unknown patch type: merge in map: map[$patch:merge]")]
    [InlineData("""{"metadata":{"finalizers":[1]}}""", 500, null, "list element types are not identical: [[a b c] [1]]")]
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"name":"main"},{"name":"side"}],"containers":[{"name":"side","image":"x"},{"name":"main","image":"y"}]}}""", 500, null,
        "the order in patch list:\n[map[image:x name:side] map[image:y name:main]]\n doesn't match $setElementOrder list:\n[map[name:main] map[name:side]]")]
    [InlineData("""{"spec":{"$setElementOrder/containers":[{"image":"x"}]}}""", 500, null, "map: map[image:x] does not contain declared merge key: name")]
    [InlineData("""{"spec":{"$setElementOrder/containers":{"name":"main"}}}""", 500, null, "expected a []interface {}, but received a map[string]interface {}")]
    [InlineData("""{"spec":{"$setElementOrder":[{"name":"main"}]}}""", 400, "BadRequest", "invalid patch format of setElementOrder list")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList":["a"]}}""", 400, "BadRequest", "invalid patch format of primitive list")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}}""", 400, "BadRequest", "invalid patch format of primitive list")]
    [InlineData("""{"spec":{"volumes":[{"name":"data","$retainKeys":["name"],"configMap":{"name":"cm"}}]}}""", 400, "BadRequest", "invalid patch format of retainKeys")]
    [InlineData("""{"spec":{"$retainKeys":"containers"}}""", 400, "BadRequest", "invalid patch format of retainKeys")]
    [InlineData("""{"metadata":{"finalizers":[["x"]]}}""", 422, "Invalid", "the server rejected our request due to an error in our request")]
    public void Malformed_patches_fail_with_kubes_code_and_message(string patch, int code, string? reason, string message)
    {
        var live = patch.Contains("[[") ? """{"metadata":{"finalizers":[]}}""" : Live;
        Fails(code, reason, message, () => Apply(patch, live));
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("\"x\"", "string")]
    public void A_body_that_is_not_an_object_is_400(string body, string kind) =>
        Fails(400, "BadRequest", $"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}",
            () => Patches.ApplyStrategicMergePatch(Obj(Live), Node(body), PodSchema.Pod));

    [Fact]
    public void A_null_body_changes_nothing() =>
        Equal(Live, Patches.ApplyStrategicMergePatch(Obj(Live), (JsonNode?)null, PodSchema.Pod));

    [Fact]
    public void The_original_and_the_patch_are_not_modified()
    {
        var original = Obj(Live);
        var patch = Obj("""{"metadata":{"$retainKeys":["name","labels"],"labels":{"$patch":"replace","x":"y"}},"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"name":"main","env":[{"$patch":"delete","name":"A"}]},{"$patch":"delete","name":"side"}]}}""");
        var before = (original.ToJsonString(), patch.ToJsonString());

        var result = Patches.ApplyStrategicMergePatch(original, patch, PodSchema.Pod);

        Assert.Equal(before, (original.ToJsonString(), patch.ToJsonString()));
        Equal("""{"name":"demo2","labels":{"x":"y"}}""", result["metadata"]);
        Equal("""[{"name":"B","value":"2"}]""", result["spec"]!["containers"]![0]!["env"]);
    }

    static JsonNode? Resolve(JsonObject doc, string pointer)
    {
        JsonNode? node = doc;
        if (pointer.Length == 0) return node;
        foreach (var token in pointer[1..].Split('/'))
            node = node is JsonArray a ? a[int.Parse(token)] : node![token];
        return node;
    }
}
