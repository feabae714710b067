using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// Prints decoded JSON the way Go's <c>fmt</c> prints <c>map[string]interface{}</c> values, because
/// kube's strategic-merge-patch error messages embed values with <c>%v</c> ("map[name:x]", "[a b]").
/// </summary>
internal static class GoText
{
    /// <summary>Go's <c>%v</c>: maps as <c>map[k:v ...]</c> with sorted keys, slices as <c>[a b]</c>, nil as <c>&lt;nil&gt;</c>.</summary>
    public static string Format(JsonNode? node)
    {
        var sb = new StringBuilder();
        Append(sb, node);
        return sb.ToString();
    }

    public static string Format(IEnumerable<JsonNode?> list) => "[" + string.Join(" ", list.Select(Format)) + "]";

    static void Append(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("<nil>");
                break;
            case JsonObject o:
                sb.Append("map[");
                var first = true;
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(' ');
                    first = false;
                    sb.Append(k).Append(':');
                    Append(sb, v);
                }
                sb.Append(']');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(' ');
                    Append(sb, a[i]);
                }
                sb.Append(']');
                break;
            default:
                sb.Append(node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString());
                break;
        }
    }

    /// <summary>The Go type a JSON value decodes to (<c>reflect.TypeOf</c>), as mergepatch.ErrBadArgType prints it.</summary>
    public static string TypeName(JsonNode? node) => node switch
    {
        null => "%!s(<nil>)",
        JsonObject => "map[string]interface {}",
        JsonArray => "[]interface {}",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "bool",
            // kube decodes patches with UnmarshalCaseSensitivePreserveInts: integers are int64.
            JsonValueKind.Number => node.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "int64" : "float64",
            _ => "interface {}",
        },
    };

    /// <summary>The JSON kind word of encoding/json's UnmarshalTypeError ("object", "array", "string", "number", "bool").</summary>
    public static string JsonKindWord(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => "null",
        },
    };
}
