using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// The three client patch types of kube-apiserver's PATCH verb, applied to the JSON form of an object.
/// None of them modifies <c>original</c> or <c>patch</c>; each returns a new object. A bad patch throws
/// <see cref="ApiException"/> with the code kube answers (see <see cref="PatchErrors"/>):
/// <list type="bullet">
/// <item>body that does not decode into the patch's shape: 400 BadRequest;</item>
/// <item>JSON patch operation that does not apply (failed test, missing path, bad index, unknown op): 422 Invalid
/// with kube's generic message "the server rejected our request due to an error in our request";</item>
/// <item>more than 10000 JSON patch operations: 413;</item>
/// <item>strategic merge patch: malformed <c>$retainKeys</c>, <c>$setElementOrder</c> or
/// <c>$deleteFromPrimitiveList</c> directive 400; list of lists 422; other errors (unknown <c>$patch</c>,
/// missing merge key, order mismatch) 500 with no reason and kube's message.</item>
/// </list>
/// The caller still decodes the result into the typed object and validates it (kube's strict decoding
/// reports unknown fields, e.g. an unknown "$foo" key left in a merged object, after this step).
/// </summary>
public static class Patches
{
    /// <summary><c>application/json-patch+json</c> (RFC 6902). JSON null is an empty patch.</summary>
    public static JsonObject ApplyJsonPatch(JsonObject original, JsonNode? patch) => JsonPatch.Apply(original, patch);

    /// <summary><c>application/merge-patch+json</c> (RFC 7386); the patch must be an object.</summary>
    public static JsonObject ApplyMergePatch(JsonObject original, JsonNode? patch) => MergePatch.Apply(original, patch);

    /// <summary><c>application/strategic-merge-patch+json</c>, driven by the schema of the object's type.</summary>
    public static JsonObject ApplyStrategicMergePatch(JsonObject original, JsonObject patch, ISchemaNode schema) =>
        StrategicMergePatch.Apply(original, patch, schema);

    /// <summary>
    /// A strategic merge patch body as decoded JSON: null changes nothing; anything but an object is the
    /// 400 that kube's decoding into <c>map[string]interface{}</c> gives.
    /// </summary>
    public static JsonObject ApplyStrategicMergePatch(JsonObject original, JsonNode? patch, ISchemaNode schema) => patch switch
    {
        null => (JsonObject)original.DeepClone(),
        JsonObject o => StrategicMergePatch.Apply(original, o, schema),
        _ => throw PatchErrors.BadRequest($"json: cannot unmarshal {GoText.JsonKindWord(patch)} into Go value of type map[string]interface {{}}"),
    };

    /// <summary>
    /// Parses a PATCH body. Malformed JSON is a 400 like kube's "error decoding patch: …"
    /// (the detail is System.Text.Json's, not Go's).
    /// </summary>
    public static JsonNode? ParseBody(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw PatchErrors.BadRequest($"error decoding patch: {e.Message}");
        }
    }
}
