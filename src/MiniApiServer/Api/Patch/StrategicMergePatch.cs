using System.Text.Json.Nodes;
using MiniApiServer.Schema;
using static MiniApiServer.Api.Patch.SmpDirectives;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// <c>application/strategic-merge-patch+json</c> on maps, following apimachinery's
/// <c>StrategicMergeMapPatch</c> with the server's options (MergeParallelList, IgnoreUnmatchedNulls):
/// <list type="bullet">
/// <item><c>$patch: replace</c> makes the patch map the result, <c>$patch: delete</c> an empty map; any other
/// <c>$patch</c> on a map (even "merge") is the error "unknown patch type".</item>
/// <item><c>$retainKeys</c> drops live keys not listed; a patch key outside the list is a 400.</item>
/// <item><c>$setElementOrder/&lt;list&gt;</c> merges that list and orders it (<see cref="StrategicListMerge"/>).</item>
/// <item><c>$deleteFromPrimitiveList/&lt;list&gt;</c> removes values from a live list of primitives.</item>
/// <item>null deletes; maps merge recursively unless the schema's patch strategy is "replace"; lists merge
/// when the schema says "merge", else the patch list replaces; everything else replaces.</item>
/// </list>
/// A field the schema does not know gets the same treatment with no strategy, i.e. JSON merge patch
/// semantics. (kube itself fails such a field with "unable to find api field", but a typed live object
/// never holds one, so there it only ever takes the patch value, as we do.)
/// </summary>
internal static class StrategicMergePatch
{
    public static JsonObject Apply(JsonObject original, JsonObject patch, ISchemaNode schema) =>
        MergeMap((JsonObject)original.DeepClone(), (JsonObject)patch.DeepClone(), schema);

    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/> (both owned, modified) and returns the result.</summary>
    internal static JsonObject MergeMap(JsonObject original, JsonObject patch, ISchemaNode? schema)
    {
        if (patch.TryGetPropertyValue(SmpDirectives.Patch, out var directive))
        {
            switch (PatchDirective(patch))
            {
                case SmpDirectives.Replace:
                    patch.Remove(SmpDirectives.Patch);
                    TryClean(patch, out var replaced);
                    return (JsonObject)replaced!;
                case SmpDirectives.Delete:
                    return [];
                default:
                    throw PatchErrors.BadPatchType(directive, patch);
            }
        }

        ApplyRetainKeys(original, patch);
        StrategicListMerge.ApplySetElementOrder(original, patch, schema);

        // Deletions from primitive lists go last so that they see the list after the patch's additions.
        var deletions = new List<(string List, JsonNode? Values)>();
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
                deletions.Add((ExtractKey(key, DeleteFromPrimitiveListPrefix), value));
            else
                MergeField(original, key, value, Child(schema, key));
        }
        foreach (var (list, values) in deletions)
            StrategicListMerge.DeleteFromPrimitiveList(original, list, values);
        return original;
    }

    static void MergeField(JsonObject original, string key, JsonNode? patchValue, ISchemaNode? fieldSchema)
    {
        if (patchValue is null)
        {
            original.Remove(key);
            return;
        }

        original.TryGetPropertyValue(key, out var current);
        switch (current, patchValue)
        {
            case (JsonObject currentMap, JsonObject patchMap):
                if (HasStrategy(fieldSchema, SmpDirectives.Replace))
                    SetCleaned(original, key, patchMap);
                else
                {
                    var merged = MergeMap(currentMap, patchMap, fieldSchema);
                    if (!ReferenceEquals(merged, currentMap)) original[key] = merged;
                }
                break;
            case (JsonArray currentList, JsonArray patchList):
                original[key] = StrategicListMerge.MergeList(currentList, patchList, fieldSchema);
                break;
            default:
                // Absent, null or of another JSON type in the live object: the (cleaned) patch value wins.
                SetCleaned(original, key, patchValue);
                break;
        }
    }

    static void SetCleaned(JsonObject original, string key, JsonNode value)
    {
        if (TryClean(value, out var cleaned)) original[key] = cleaned;
        else original.Remove(key);
    }

    /// <summary>
    /// patch.go applyRetainKeysDirective: every non-null patch key (directives aside) must be listed,
    /// else 400 "invalid patch format of retainKeys"; live keys that are not listed are cleared.
    /// </summary>
    static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.Remove(RetainKeys, out var retain)) return;
        if (retain is not JsonArray list) throw PatchErrors.BadPatchFormatForRetainKeys();

        var keep = list.OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is null || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
                continue;
            if (!keep.Contains(key)) throw PatchErrors.BadPatchFormatForRetainKeys();
        }
        foreach (var key in original.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            original.Remove(key);
    }
}
