using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// <c>application/json-patch+json</c>: RFC 6902 operations applied in order to a copy of the object.
/// Written here rather than taken from Microsoft.AspNetCore.JsonPatch.SystemTextJson 10.0.15, which on a
/// JsonNode silently skips unknown ops (kube: 422), fails every <c>test</c> whose value is null
/// (RFC 6902 §4.6: null equals null), and throws ArgumentNullException for a missing path.
/// </summary>
internal static class JsonPatch
{
    sealed record Operation(string? Op, string? Path, string? From, bool HasValue, JsonNode? Value);

    /// <summary>Decodes, then applies; a failing operation becomes kube's bare 422.</summary>
    public static JsonObject Apply(JsonObject original, JsonNode? patch)
    {
        var operations = Decode(patch);
        try
        {
            return ApplyOperations(original, operations);
        }
        catch (JsonPatchFailure)
        {
            throw PatchErrors.Unprocessable();
        }
    }

    /// <summary>Applies and reports the exact reason an operation fails (for tests and logs).</summary>
    internal static JsonObject ApplyOrFail(JsonObject original, JsonNode? patch) => ApplyOperations(original, Decode(patch));

    static JsonObject ApplyOperations(JsonObject original, IReadOnlyList<Operation> operations)
    {
        var doc = (JsonObject)original.DeepClone();
        foreach (var op in operations) ApplyOne(doc, op);
        return doc;
    }

    /// <summary>
    /// kube first decodes the body strictly into <c>[]handlers.jsonPatchOp</c> (op, path, from: strings;
    /// value: anything); a body of the wrong shape is a 400 "error decoding patch: …" with Go's wording.
    /// JSON null is an empty patch. More than 10000 operations is a 413.
    /// </summary>
    static List<Operation> Decode(JsonNode? patch)
    {
        if (patch is null) return [];
        if (patch is not JsonArray array)
            throw DecodeError($"cannot unmarshal {GoText.JsonKindWord(patch)} into Go value of type []handlers.jsonPatchOp");
        if (array.Count > PatchErrors.MaxJsonPatchOperations)
            throw PatchErrors.TooManyOperations(array.Count);

        var ops = new List<Operation>(array.Count);
        foreach (var element in array)
        {
            if (element is null) { ops.Add(new Operation(null, null, null, false, null)); continue; }
            if (element is not JsonObject o)
                throw DecodeError($"cannot unmarshal {GoText.JsonKindWord(element)} into Go value of type handlers.jsonPatchOp");
            ops.Add(new Operation(StringField(o, "op"), StringField(o, "path"), StringField(o, "from"),
                o.TryGetPropertyValue("value", out var value), value));
        }
        return ops;
    }

    static string? StringField(JsonObject op, string name)
    {
        if (!op.TryGetPropertyValue(name, out var v) || v is null) return null;
        if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) return s;
        throw DecodeError($"cannot unmarshal {GoText.JsonKindWord(v)} into Go struct field jsonPatchOp.{name} of type string");
    }

    static Exception DecodeError(string goError) => PatchErrors.BadRequest($"error decoding patch: json: {goError}");

    static void ApplyOne(JsonObject doc, Operation op)
    {
        switch (op.Op)
        {
            case "add": Add(doc, Pointer(op.Path, op.Op), Value(op)); break;
            case "remove": Remove(doc, Pointer(op.Path, op.Op)); break;
            case "replace": Replace(doc, Pointer(op.Path, op.Op), Value(op)); break;
            case "move":
            {
                var from = Pointer(op.From, "move", "from");
                var path = Pointer(op.Path, op.Op);
                var moved = Remove(doc, from);
                Add(doc, path, moved);
                break;
            }
            case "copy":
            {
                var value = Get(doc, Pointer(op.From, "copy", "from"));
                Add(doc, Pointer(op.Path, op.Op), value?.DeepClone());
                break;
            }
            case "test": Test(doc, Pointer(op.Path, op.Op), op); break;
            default: throw new JsonPatchFailure($"Unexpected kind: {op.Op ?? "unknown"}");
        }
    }

    static JsonPointer Pointer(string? text, string? op, string field = "path") =>
        text is null ? throw new JsonPatchFailure($"{op} operation failed to decode {field}") : JsonPointer.Parse(text);

    /// <summary>A missing "value" member adds JSON null, as evanphx/json-patch does.</summary>
    static JsonNode? Value(Operation op) => op.HasValue ? op.Value?.DeepClone() : null;

    static void Add(JsonObject doc, JsonPointer pointer, JsonNode? value)
    {
        switch (pointer.ResolveParent(doc))
        {
            case JsonObject o:
                o[pointer.Last] = value; // RFC 6902 §4.1: an existing member is replaced
                break;
            case JsonArray a when pointer.Last == "-":
                a.Add(value);
                break;
            case JsonArray a:
                if (!JsonPointer.TryIndex(pointer.Last, a.Count + 1, out var i))
                    throw new JsonPatchFailure($"Unable to access invalid index: {pointer.Last}");
                a.Insert(i, value);
                break;
        }
    }

    static JsonNode? Remove(JsonObject doc, JsonPointer pointer)
    {
        switch (pointer.ResolveParent(doc))
        {
            case JsonObject o:
                if (!o.Remove(pointer.Last, out var removed))
                    throw new JsonPatchFailure($"Unable to remove nonexistent key: {pointer.Last}");
                return removed;
            case JsonArray a:
                if (!JsonPointer.TryIndex(pointer.Last, a.Count, out var i))
                    throw new JsonPatchFailure($"Unable to access invalid index: {pointer.Last}");
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw new JsonPatchFailure($"doc is missing path: \"{pointer.Text}\"");
        }
    }

    static void Replace(JsonObject doc, JsonPointer pointer, JsonNode? value)
    {
        switch (pointer.ResolveParent(doc))
        {
            case JsonObject o:
                // RFC 6902 §4.3 and json-patch v4.12: the target location must exist.
                if (!o.ContainsKey(pointer.Last))
                    throw new JsonPatchFailure($"replace operation does not apply: doc is missing key: {pointer.Text}");
                o[pointer.Last] = value;
                break;
            case JsonArray a:
                if (!JsonPointer.TryIndex(pointer.Last, a.Count, out var i))
                    throw new JsonPatchFailure($"Unable to access invalid index: {pointer.Last}");
                a[i] = value;
                break;
        }
    }

    static JsonNode? Get(JsonObject doc, JsonPointer pointer)
    {
        switch (pointer.ResolveParent(doc))
        {
            case JsonObject o when o.TryGetPropertyValue(pointer.Last, out var v):
                return v;
            case JsonArray a when JsonPointer.TryIndex(pointer.Last, a.Count, out var i):
                return a[i];
            default:
                throw new JsonPatchFailure($"unable to get nonexistent key: {pointer.Text}");
        }
    }

    /// <summary>RFC 6902 §4.6: the location must exist and its value equal "value" (objects unordered, numbers by value).</summary>
    static void Test(JsonObject doc, JsonPointer pointer, Operation op)
    {
        var actual = Get(doc, pointer);
        if (!op.HasValue || !JsonNode.DeepEquals(actual, op.Value))
            throw new JsonPatchFailure($"testing value {pointer.Text} failed: test failed");
    }
}
