using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Validation;
using MiniApiServer.Schema;

namespace MiniApiServer.Tests.Validation;

/// <summary>The strict JSON decoding of sigs.k8s.io/json (UnmarshalStrict) that kube-apiserver applies to bodies.</summary>
public class StrictJsonDecoderTests
{
    static StrictJsonDecoder.Result Decode<T>(string json) => StrictJsonDecoder.Decode(Encoding.UTF8.GetBytes(json), ModelSchema.For(typeof(T)));

    public static TheoryData<string, string[], string> Pods => new()
    {
        // body, strict errors in document order, the decoded object
        { """{"spec":{"containers":[{"name":"c"}]}}""", [], """{"spec":{"containers":[{"name":"c"}]}}""" },
        { """{"bogus":1}""", ["unknown field \"bogus\""], "{}" },
        { """{"spec":{"containers":[{"name":"a"},{"name":"b","bogus":{"x":1,"x":2}}]}}""",
            ["unknown field \"spec.containers[1].bogus\""], """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""" },
        { """{"spec":{"nodeName":"a","nodeName":"b"}}""", ["duplicate field \"spec.nodeName\""], """{"spec":{"nodeName":"b"}}""" },
        // map keys join with '.' like struct fields
        { """{"metadata":{"labels":{"app":"x","app":"y"}}}""", ["duplicate field \"metadata.labels.app\""], """{"metadata":{"labels":{"app":"y"}}}""" },
        // the same error twice is reported once
        { """{"x":1,"x":2}""", ["unknown field \"x\""], "{}" },
        { """{"x":1,"spec":{"y":1,"nodeName":"n","nodeName":"m"},"z":1}""",
            ["unknown field \"x\"", "unknown field \"spec.y\"", "duplicate field \"spec.nodeName\"", "unknown field \"z\""], """{"spec":{"nodeName":"m"}}""" },
        // a repeated struct field is decoded into the first; a repeated list or map entry is replaced
        { """{"metadata":{"name":"a","labels":{"k":"1"}},"metadata":{"labels":{"j":"2"}}}""",
            ["duplicate field \"metadata\""], """{"metadata":{"name":"a","labels":{"k":"1","j":"2"}}}""" },
        { """{"spec":{"containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"c"}]}}""",
            ["duplicate field \"spec.containers\""], """{"spec":{"containers":[{"name":"c"}]}}""" },
        { """{"metadata":{"annotations":{"k":"1"}},"metadata":{"annotations":{"k":"2"}}}""",
            ["duplicate field \"metadata\""], """{"metadata":{"annotations":{"k":"2"}}}""" },
    };

    [Theory, MemberData(nameof(Pods))]
    public void ReportsUnknownAndDuplicateFieldsInDocumentOrder(string json, string[] errors, string decoded)
    {
        var result = Decode<V1Pod>(json);
        Assert.Equal(errors, result.StrictErrors);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(decoded), result.Value), result.Value?.ToJsonString());
    }

    [Fact]
    public void NumbersAndStringsKeepTheirText()
    {
        var result = Decode<V1Pod>("""{"spec":{"activeDeadlineSeconds":10,"containers":[{"name":"\u00e9\"q"}]}}""");
        Assert.Equal("""{"spec":{"activeDeadlineSeconds":10,"containers":[{"name":"é\"q"}]}}""", result.Value!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public void AWrongTypeIsLeftForTheSchemaCheck()
    {
        var result = Decode<V1ConfigMap>("""{"data":{"k":1},"metadata":"x"}""");
        Assert.Empty(result.StrictErrors);
        Assert.Equal(2, SchemaCheck.CheckAndPrune(result.Value!.AsObject(), ModelSchema.For(typeof(V1ConfigMap))).TypeErrors.Count);
    }

    [Theory]
    [InlineData("""{"a":""")]
    [InlineData("""{} {}""")]
    [InlineData("""{"a":1,}""")]
    public void MalformedJsonIsBadRequest(string json)
    {
        var e = Assert.Throws<ApiException>(() => Decode<V1ConfigMap>(json));
        Assert.Equal(400, e.Code);
        Assert.StartsWith("couldn't get version/kind; json parse error: ", e.Status.Message);
    }
}
