using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// The directive keys of strategic merge patch (apimachinery <c>pkg/util/strategicpatch/patch.go</c>)
/// and the small helpers the map and list merges share.
/// </summary>
internal static class SmpDirectives
{
    public const string Patch = "$patch";
    public const string Delete = "delete";
    public const string Replace = "replace";
    public const string Merge = "merge";
    public const string RetainKeys = "$retainKeys";
    public const string SetElementOrderPrefix = "$setElementOrder";
    public const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";

    /// <summary>The <c>$patch</c> value as a string, or null when absent or not a string.</summary>
    public static string? PatchDirective(JsonObject map) =>
        map.TryGetPropertyValue(Patch, out var d) && d is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool HasPatchDirective(JsonNode? node) => node is JsonObject o && o.ContainsKey(Patch);

    /// <summary>
    /// "$setElementOrder/containers" → "containers" (patch.go extractKey). Anything else that starts with
    /// the prefix is a malformed directive and a 400.
    /// </summary>
    public static string ExtractKey(string key, string prefix)
    {
        var slash = key.IndexOf('/');
        if (slash >= 0 && key[..slash] == prefix) return key[(slash + 1)..];
        throw prefix == DeleteFromPrimitiveListPrefix
            ? PatchErrors.BadPatchFormatForPrimitiveList()
            : PatchErrors.BadPatchFormatForSetElementOrderList();
    }

    /// <summary>
    /// A patch value that lands where the live object has nothing to merge with. kube's mergeMap
    /// (discardNullValuesFromPatch + removeDirectives) drops null members and every map that carries
    /// <c>$patch</c>; we also drop the parallel-list and retainKeys directive keys, which have nothing
    /// to act on there. Returns false when the value itself is a directive map and must not be kept.
    /// </summary>
    public static bool TryClean(JsonNode? value, out JsonNode? cleaned)
    {
        switch (value)
        {
            case JsonObject o when o.ContainsKey(Patch):
                cleaned = null;
                return false;
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (k, v) in o)
                    if (v is not null && !IsParallelDirective(k) && TryClean(v, out var c))
                        result[k] = c;
                cleaned = result;
                return true;
            case JsonArray a:
                cleaned = CleanList(a);
                return true;
            default:
                cleaned = value?.DeepClone();
                return true;
        }
    }

    public static JsonArray CleanList(IEnumerable<JsonNode?> items)
    {
        var result = new JsonArray();
        foreach (var item in items)
            if (TryClean(item, out var c))
                result.Add(c);
        return result;
    }

    static bool IsParallelDirective(string key) =>
        key == RetainKeys || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);

    /// <summary>The schema of a member: an object's property, or a map's value schema; null when unknown.</summary>
    public static ISchemaNode? Child(ISchemaNode? schema, string key) => schema?.Kind switch
    {
        SchemaKind.Object => schema.Property(key),
        SchemaKind.Map => schema.Elements,
        _ => null,
    };

    /// <summary>x-kubernetes-patch-strategy lists "merge" (patch.go extractRetainKeysPatchStrategy).</summary>
    public static bool HasStrategy(ISchemaNode? schema, string strategy) =>
        schema?.PatchStrategy?.Split(',', StringSplitOptions.TrimEntries).Contains(strategy) == true;
}
