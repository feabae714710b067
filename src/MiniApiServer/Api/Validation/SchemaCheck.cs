using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Validation;

/// <summary>
/// What kube-apiserver's decoder finds in a request body against the kind's schema: fields the type does not
/// have (reported by fieldValidation=Strict/Warn, and always dropped, as the typed decoder drops them) and
/// values of the wrong JSON type (always a 400, as Go's json.Unmarshal fails on them).
/// </summary>
public static class SchemaCheck
{
    public sealed record Result(IReadOnlyList<string> UnknownFields, IReadOnlyList<string> TypeErrors);

    /// <summary>Checks <paramref name="obj"/> and removes unknown fields from it in place.</summary>
    public static Result CheckAndPrune(JsonObject obj, ISchemaNode schema)
    {
        var unknown = new List<string>();
        var errors = new List<string>();
        Walk(obj, schema, "", unknown, errors);
        return new Result(unknown, errors);
    }

    static void Walk(JsonNode? node, ISchemaNode schema, string path, List<string> unknown, List<string> errors)
    {
        if (node is null) return; // null is "unset" for every field
        switch (schema.Kind)
        {
            case SchemaKind.Object:
                if (node is not JsonObject o) { errors.Add(TypeError(path, node, "object")); return; }
                foreach (var (key, value) in o.ToList())
                {
                    var child = schema.Property(key);
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (child is null)
                    {
                        unknown.Add(childPath);
                        o.Remove(key);
                        continue;
                    }
                    Walk(value, child, childPath, unknown, errors);
                }
                break;
            case SchemaKind.Map:
                if (node is not JsonObject m) { errors.Add(TypeError(path, node, "map")); return; }
                if (schema.Elements is { } valueSchema)
                    // sigs.k8s.io/json joins map keys with '.' as it does struct fields ("metadata.labels.app").
                    foreach (var (key, value) in m.ToList()) Walk(value, valueSchema, path.Length == 0 ? key : $"{path}.{key}", unknown, errors);
                break;
            case SchemaKind.List:
                if (node is not JsonArray a) { errors.Add(TypeError(path, node, "array")); return; }
                if (schema.Elements is { } itemSchema)
                    for (var i = 0; i < a.Count; i++) Walk(a[i], itemSchema, $"{path}[{i}]", unknown, errors);
                break;
            case SchemaKind.String or SchemaKind.Bytes or SchemaKind.Time:
                if (node.GetValueKind() != JsonValueKind.String) errors.Add(TypeError(path, node, "string"));
                break;
            case SchemaKind.Integer:
                if (node.GetValueKind() != JsonValueKind.Number || !IsIntegral(node))
                    errors.Add(TypeError(path, node, "integer"));
                break;
            case SchemaKind.Number:
                if (node.GetValueKind() != JsonValueKind.Number) errors.Add(TypeError(path, node, "number"));
                break;
            case SchemaKind.Boolean:
                if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) errors.Add(TypeError(path, node, "boolean"));
                break;
            case SchemaKind.IntOrString or SchemaKind.Quantity:
                if (node.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number)) errors.Add(TypeError(path, node, "string or number"));
                break;
        }
    }

    /// <summary>Whether a JSON number is whole (however the node holds it: parsed text, int, long or double).</summary>
    static bool IsIntegral(JsonNode node) =>
        decimal.TryParse(node.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && decimal.Truncate(d) == d;

    static string TypeError(string path, JsonNode node, string expected)
    {
        var actual = node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Array => "array",
            JsonValueKind.Object => "object",
            _ => "value",
        };
        return $"json: cannot unmarshal {actual} into Go value of type {expected} at \"{path}\"";
    }
}
