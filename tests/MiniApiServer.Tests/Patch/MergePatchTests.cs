using MiniApiServer.Api.Patch;
using static MiniApiServer.Tests.Patch.JsonAssert;

namespace MiniApiServer.Tests.Patch;

/// <summary>application/merge-patch+json: RFC 7386, and the bodies kubectl label/annotate send.</summary>
public class MergePatchTests
{
    [Theory]
    // RFC 7386 Appendix A (the cases whose target and patch are objects)
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    // an object replaces a scalar, nulls inside it are dropped; lists are replaced whole, nulls in them kept
    [InlineData("""{"a":1}""", """{"a":{"x":1,"y":null}}""", """{"a":{"x":1}}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[null,{"k":null}]}""", """{"a":[null,{"k":null}]}""")]
    // kubectl label pod web a=b / a- ; kubectl annotate pod web note=hi (kubectl.md §4)
    [InlineData("""{"metadata":{"name":"web","labels":{"app":"web"}}}""", """{"metadata":{"labels":{"a":"b"}}}""", """{"metadata":{"name":"web","labels":{"app":"web","a":"b"}}}""")]
    [InlineData("""{"metadata":{"name":"web","labels":{"app":"web","a":"b"}}}""", """{"metadata":{"labels":{"a":null}}}""", """{"metadata":{"name":"web","labels":{"app":"web"}}}""")]
    [InlineData("""{"metadata":{"name":"web"}}""", """{"metadata":{"annotations":{"note":"hi"}}}""", """{"metadata":{"name":"web","annotations":{"note":"hi"}}}""")]
    public void Merges_as_rfc_7386(string original, string patch, string expected) =>
        Equal(expected, Patches.ApplyMergePatch(Obj(original), Node(patch)));

    [Fact]
    public void Member_order_of_the_live_object_is_kept()
    {
        var result = Patches.ApplyMergePatch(Obj("""{"a":{"x":1,"y":2},"b":3}"""), Node("""{"a":{"x":5}}"""));
        Assert.Equal("""{"a":{"x":5,"y":2},"b":3}""", result.ToJsonString());
    }

    [Fact]
    public void The_original_and_the_patch_are_not_modified()
    {
        var original = Obj("""{"a":{"b":1},"c":[1]}""");
        var patch = Node("""{"a":{"b":null,"d":{"e":1}},"c":[2]}""");
        var before = (original.ToJsonString(), patch!.ToJsonString());

        var result = Patches.ApplyMergePatch(original, patch);

        Assert.Equal(before, (original.ToJsonString(), patch.ToJsonString()));
        Equal("""{"a":{"d":{"e":1}},"c":[2]}""", result);
    }

    [Theory]
    // RFC 7386 allows these; kube decodes the body into map[string]interface{} first and refuses them
    [InlineData("""["c"]""", "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}")]
    [InlineData("\"bar\"", "error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}")]
    [InlineData("42", "error decoding patch: json: cannot unmarshal number into Go value of type map[string]interface {}")]
    [InlineData("null", "Invalid JSON Patch")]
    public void A_patch_that_is_not_an_object_is_400(string patch, string message) =>
        Fails(400, "BadRequest", message, () => Patches.ApplyMergePatch(Obj("""{"a":"foo"}"""), Node(patch)));
}
