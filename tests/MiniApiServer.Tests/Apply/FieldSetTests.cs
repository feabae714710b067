using System.Text.Json.Nodes;
using MiniApiServer.Api.Apply;

namespace MiniApiServer.Tests.Apply;

public class FieldSetTests
{
    static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static TheoryData<string, string, string> FieldSetsOfObjects => new()
    {
        {
            "nested maps: a map key is a member, a struct only through its contents",
            """{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"restartPolicy":"Always"}}""",
            """{"f:metadata":{"f:labels":{"f:app":{}},"f:name":{}},"f:spec":{"f:restartPolicy":{}}}"""
        },
        {
            "associative list: items by key with '.', keys sorted by name",
            """{"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}""",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}"""
        },
        {
            "a port without protocol is keyed by the schema default TCP",
            """{"spec":{"containers":[{"name":"web","ports":[{"containerPort":80}]}]}}""",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}"""
        },
        {
            "patch merge key without list-type: keyed by the merge key",
            """{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}""",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:name":{}}}}}"""
        },
        {
            "set list: items by value",
            """{"metadata":{"finalizers":["b.io/x","a.io/y"]}}""",
            """{"f:metadata":{"f:finalizers":{"v:\"a.io/y\"":{},"v:\"b.io/x\"":{}}}}"""
        },
        {
            "atomic list and atomic map are leaves",
            """{"spec":{"containers":[{"name":"web","args":["a","b"]}],"nodeSelector":{"disk":"ssd"},"tolerations":[{"key":"k"}]}}""",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:args":{},"f:name":{}}},"f:nodeSelector":{},"f:tolerations":{}}}"""
        },
        {
            "empty struct and null are members",
            """{"spec":{"containers":[{"name":"web","resources":{}}]},"status":null}""",
            """{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:resources":{}}}},"f:status":{}}"""
        },
        {
            "a field unknown to the schema is deduced: objects granular, lists atomic",
            """{"spec":{"extra":{"a":{"b":1},"l":[1,2]}}}""",
            """{"f:spec":{"f:extra":{".":{},"f:a":{".":{},"f:b":{}},"f:l":{}}}}"""
        },
    };

    [Theory]
    [MemberData(nameof(FieldSetsOfObjects))]
    public void FieldSetOfAnObjectIsWhatSmdComputes(string because, string obj, string fieldsV1)
    {
        var set = TypedObjects.ToFieldSet(Obj(obj), FakeSchema.Pod);
        Assert.True(fieldsV1 == set.ToFieldsV1String(), $"{because}: {set.ToFieldsV1String()}");
    }

    [Theory]
    [InlineData("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}""")]
    [InlineData("""{"f:metadata":{"f:finalizers":{"v:\"a\"":{}},"f:labels":{".":{},"f:app":{}}}}""")]
    [InlineData("""{}""")]
    public void FieldsV1RoundTrips(string fieldsV1) =>
        Assert.Equal(fieldsV1, FieldSet.FromFieldsV1(fieldsV1).ToFieldsV1String());

    [Fact]
    public void FieldsV1IsWrittenInSmdOrderWhateverTheInputOrder() =>
        Assert.Equal("""{"f:a":{},"f:b":{".":{},"f:c":{}},"k:{\"name\":\"x\"}":{}}""",
            FieldSet.FromFieldsV1("""{"k:{\"name\":\"x\"}":{},"f:b":{"f:c":{},".":{}},"f:a":{}}""").ToFieldsV1String());

    [Theory]
    [InlineData("""{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}""", ".spec.containers[name=\"web\"]|.spec.containers[name=\"web\"].image")]
    [InlineData("""{"f:metadata":{"f:finalizers":{"v:\"x\"":{}}}}""", ".metadata.finalizers[=\"x\"]")]
    [InlineData("""{"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{}}}}""", ".spec.ports[port=80,protocol=\"TCP\"]")]
    public void PathsPrintAsKubePrintsThemInConflicts(string fieldsV1, string paths) =>
        Assert.Equal(paths, string.Join("|", FieldSet.FromFieldsV1(fieldsV1).Paths.Select(p => p.ToString())));

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"f:a":"x"}""")]
    [InlineData("""{"k:notjson":{}}""")]
    [InlineData("""{"fa":{}}""")]
    public void MalformedFieldsV1IsRejected(string fieldsV1) =>
        Assert.Throws<FormatException>(() => FieldSet.FromFieldsV1(fieldsV1));

    [Fact]
    public void UnknownElementTypesAreSkippedAsSmdDoes() =>
        Assert.Equal("""{"f:a":{}}""", FieldSet.FromFieldsV1("""{"f:a":{},"z:future":{}}""").ToFieldsV1String());

    public static TheoryData<string, string, string, string, string> SetAlgebra => new()
    {
        // a, b, union, intersection, a − b
        { """{"f:a":{},"f:b":{"f:c":{}}}""", """{"f:b":{"f:c":{},"f:d":{}}}""", """{"f:a":{},"f:b":{"f:c":{},"f:d":{}}}""", """{"f:b":{"f:c":{}}}""", """{"f:a":{}}""" },
        { """{"f:b":{".":{},"f:c":{}}}""", """{"f:b":{}}""", """{"f:b":{".":{},"f:c":{}}}""", """{"f:b":{}}""", """{"f:b":{"f:c":{}}}""" },
    };

    [Theory]
    [MemberData(nameof(SetAlgebra))]
    public void UnionIntersectionDifference(string a, string b, string union, string intersection, string difference)
    {
        var sa = FieldSet.FromFieldsV1(a);
        var sb = FieldSet.FromFieldsV1(b);
        Assert.Equal(union, sa.Union(sb).ToFieldsV1String());
        Assert.Equal(intersection, sa.Intersection(sb).ToFieldsV1String());
        Assert.Equal(difference, sa.Difference(sb).ToFieldsV1String());
    }

    [Fact]
    public void RecursiveDifferenceDropsEverythingBelowAMember()
    {
        var s = FieldSet.FromFieldsV1("""{"f:spec":{"f:x":{}},"f:status":{"f:phase":{}}}""");
        Assert.Equal("""{"f:spec":{"f:x":{}}}""", s.RecursiveDifference(FieldSet.Of(FieldPath.Of("status"))).ToFieldsV1String());
        Assert.True(s.Has(FieldPath.Of("status", "phase")));
        Assert.False(s.Has(FieldPath.Of("status")));
    }
}
