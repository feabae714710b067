using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Tests.Patch;

internal static class JsonAssert
{
    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonNode? Node(string json) => JsonNode.Parse(json);

    /// <summary>Structural equality: object members unordered, array elements in order.</summary>
    public static void Equal(string expected, JsonNode? actual)
    {
        var e = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(e, actual), $"expected {e?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }

    /// <summary>The status code, reason and message of the kube error a patch must fail with.</summary>
    public static ApiException Fails(int code, string? reason, string message, Action apply)
    {
        var ex = Assert.Throws<ApiException>(apply);
        Assert.Equal(code, ex.Code);
        Assert.Equal(reason, ex.Status.Reason);
        Assert.Equal(message, ex.Status.Message);
        Assert.Equal("Failure", ex.Status.Status);
        Assert.Equal("Status", ex.Status.Kind);
        return ex;
    }
}
