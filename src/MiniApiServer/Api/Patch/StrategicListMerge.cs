using System.Text.Json.Nodes;
using MiniApiServer.Schema;
using static MiniApiServer.Api.Patch.SmpDirectives;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// Strategic merge of lists (apimachinery <c>strategicpatch/patch.go</c> mergeSlice and
/// mergePatchIntoOriginal). Lists whose patch strategy is "merge" merge: maps by their patch merge key,
/// primitives as a set; other lists are replaced by the patch. Ordering follows kube:
/// <c>$setElementOrder</c> first, then the order of the patch list, then the live order.
/// </summary>
internal static class StrategicListMerge
{
    const string GoMapType = "map[string]interface {}";
    const string GoSliceType = "[]interface {}";

    /// <summary>A list field present in both the live object and the patch.</summary>
    public static JsonArray MergeList(JsonArray current, JsonArray patch, ISchemaNode? listSchema)
    {
        if (!HasStrategy(listSchema, SmpDirectives.Merge))
            return CleanList(patch);
        var merged = MergeSlice(Copy(current), Copy(patch), listSchema!.Elements, listSchema.PatchMergeKey ?? "");
        return new JsonArray([.. merged]);
    }

    /// <summary>
    /// <c>$deleteFromPrimitiveList/&lt;list&gt;: [values]</c> removes those values from the live list
    /// (patch.go deleteFromSlice); nothing happens when the live object has no such list.
    /// </summary>
    public static void DeleteFromPrimitiveList(JsonObject original, string listKey, JsonNode? values)
    {
        if (values is not JsonArray toDelete) throw PatchErrors.BadPatchFormatForPrimitiveList();
        if (!original.TryGetPropertyValue(listKey, out var current) || current is not JsonArray list) return;
        var kept = list.Where(item => !toDelete.Any(d => JsonNode.DeepEquals(d, item))).Select(i => i?.DeepClone());
        original[listKey] = new JsonArray([.. kept]);
    }

    static List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, ISchemaNode? elementSchema, string mergeKey)
    {
        if (original.Count == 0 && patch.Count == 0) return original;

        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        if (kind != ElementKinds.Map)
        {
            // Primitives merge as a set: live values, then new patch values, without duplicates.
            merged = [];
            foreach (var v in original.Concat(patch))
                if (!merged.Any(m => JsonNode.DeepEquals(m, v)))
                    merged.Add(v?.DeepClone());
        }
        else
        {
            if (mergeKey.Length == 0)
                throw PatchErrors.Unknown($"cannot merge lists without merge key for {elementSchema?.ClrType.Name ?? "list"}");
            (original, patch) = ApplySpecialElements(original, patch, mergeKey);
            merged = MergeMapsByKey(original, patch, mergeKey, elementSchema);
        }

        var (patchItems, serverOnly) = Partition(merged, patch, mergeKey, kind);
        return NormalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
    }

    /// <summary>
    /// patch.go mergeSliceWithSpecialElements: <c>{"$patch":"delete", key: v}</c> removes every live element
    /// with that key; <c>{"$patch":"replace"}</c> makes the patch's other elements the whole list;
    /// <c>$patch: merge</c> is refused ("merging lists cannot yet be specified in the patch").
    /// </summary>
    static (List<JsonNode?> Original, List<JsonNode?> Patch) ApplySpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var rest = new List<JsonNode?>();
        var replace = false;
        foreach (var element in patch)
        {
            var map = (JsonObject)element!;
            if (!map.TryGetPropertyValue(SmpDirectives.Patch, out var directive))
            {
                rest.Add(element);
                continue;
            }
            switch (PatchDirective(map))
            {
                case SmpDirectives.Delete:
                    if (!map.TryGetPropertyValue(mergeKey, out var key)) throw PatchErrors.NoMergeKey(map, mergeKey);
                    original = original.Where(o => !(o is JsonObject om && om.TryGetPropertyValue(mergeKey, out var ok) && JsonNode.DeepEquals(ok, key))).ToList();
                    break;
                case SmpDirectives.Replace:
                    replace = true;
                    break;
                case SmpDirectives.Merge:
                    throw PatchErrors.Unknown("merging lists cannot yet be specified in the patch");
                default:
                    throw PatchErrors.BadPatchType(directive, map);
            }
        }
        return replace ? ([.. CleanList(rest)], []) : (original, rest);
    }

    /// <summary>patch.go mergeSliceWithoutSpecialElements: a patch map merges into the live map with the same key, or is appended.</summary>
    static List<JsonNode?> MergeMapsByKey(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, ISchemaNode? elementSchema)
    {
        var merged = original.Select(o => o?.DeepClone()).ToList();
        foreach (var element in patch)
        {
            var map = (JsonObject)element!;
            if (!map.TryGetPropertyValue(mergeKey, out var key)) throw PatchErrors.NoMergeKey(map, mergeKey);
            var at = merged.FindIndex(m => m is JsonObject mm && mm.TryGetPropertyValue(mergeKey, out var mk) && JsonNode.DeepEquals(mk, key));
            if (at >= 0)
                merged[at] = StrategicMergePatch.MergeMap((JsonObject)merged[at]!, (JsonObject)map.DeepClone(), elementSchema);
            else if (TryClean(map, out var added))
                merged.Add(added);
        }
        return merged;
    }

    /// <summary>
    /// patch.go mergePatchIntoOriginal: for each <c>$setElementOrder/&lt;list&gt;</c>, check that the patch
    /// list follows that order, merge the list (or take it, or keep the live one), then order it:
    /// elements named in the directive in its order, live-only elements keeping their relative places.
    /// </summary>
    public static void ApplySetElementOrder(JsonObject original, JsonObject patch, ISchemaNode? schema)
    {
        foreach (var directiveKey in patch.Select(p => p.Key).Where(k => k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            patch.Remove(directiveKey, out var orderNode);
            if (orderNode is not JsonArray orderArray) throw PatchErrors.BadArgType(GoSliceType, orderNode);
            var listKey = ExtractKey(directiveKey, SetElementOrderPrefix);

            var foundOriginal = original.TryGetPropertyValue(listKey, out var originalNode);
            var foundPatch = patch.TryGetPropertyValue(listKey, out var patchNode);
            if (foundOriginal && originalNode is not JsonArray) throw PatchErrors.BadArgType(GoSliceType, originalNode);
            if (foundPatch && patchNode is not JsonArray) throw PatchErrors.BadArgType(GoSliceType, patchNode);
            var originalList = foundOriginal ? Copy((JsonArray)originalNode!) : [];
            var patchList = foundPatch ? Copy((JsonArray)patchNode!) : [];
            var order = Copy(orderArray);

            var listSchema = Child(schema, listKey);
            var mergeKey = listSchema?.PatchMergeKey ?? "";
            ValidatePatchWithSetOrderList(patchList, order, mergeKey);

            List<JsonNode?> merged;
            if (foundOriginal && foundPatch) merged = [.. MergeList((JsonArray)originalNode!, (JsonArray)patchNode!, listSchema).Select(n => n?.DeepClone())];
            else if (foundPatch) merged = [.. CleanList(patchList).Select(n => n?.DeepClone())];
            else if (foundOriginal) merged = originalList;
            else continue;

            patch.Remove(listKey);
            var kind = ElementKind(originalList, patchList);
            if (kind == ElementKinds.None)
            {
                original[listKey] = new JsonArray([.. merged.Select(n => n?.DeepClone())]);
                continue;
            }
            var (inOrder, serverOnly) = Partition(merged, order, mergeKey, kind);
            var ordered = NormalizeElementOrder(inOrder, serverOnly, order, originalList, mergeKey, kind);
            original[listKey] = new JsonArray([.. ordered.Select(n => n?.DeepClone())]);
        }
    }

    /// <summary>
    /// patch.go validatePatchWithSetOrderList: the patch list's elements (deletions aside) must appear in
    /// the same relative order in <c>$setElementOrder</c>.
    /// </summary>
    static void ValidatePatchWithSetOrderList(List<JsonNode?> patchList, List<JsonNode?> order, string mergeKey)
    {
        if (order.Count == 0 || patchList.Count == 0) return;
        var nonDelete = patchList;
        if (mergeKey.Length > 0)
        {
            foreach (var item in patchList)
                if (item is not JsonObject) throw PatchErrors.BadArgType(GoMapType, item);
            nonDelete = patchList.Where(i => PatchDirective((JsonObject)i!) != SmpDirectives.Delete).ToList();
        }

        int p = 0, o = 0;
        while (p < nonDelete.Count && o < order.Count)
        {
            if (HasPatchDirective(nonDelete[p])) { p++; continue; }
            if (MergeKeyValueEqual(nonDelete[p], order[o], mergeKey)) p++;
            o++;
        }
        if (p < nonDelete.Count && o >= order.Count)
            throw PatchErrors.Unknown($"the order in patch list:\n{GoText.Format(patchList)}\n doesn't match {SetElementOrderPrefix} list:\n{GoText.Format(order)}");
    }

    static bool MergeKeyValueEqual(JsonNode? left, JsonNode? right, string mergeKey)
    {
        if (mergeKey.Length == 0) return JsonNode.DeepEquals(left, right);
        var l = left as JsonObject ?? throw PatchErrors.BadArgType(GoMapType, left);
        var r = right as JsonObject ?? throw PatchErrors.BadArgType(GoMapType, right);
        if (!l.TryGetPropertyValue(mergeKey, out var lk)) throw PatchErrors.NoMergeKey(l, mergeKey);
        if (!r.TryGetPropertyValue(mergeKey, out var rk)) throw PatchErrors.NoMergeKey(r, mergeKey);
        return JsonNode.DeepEquals(lk, rk);
    }

    /// <summary>Splits <paramref name="items"/> into those present in <paramref name="by"/> (by merge key, or by value) and the rest.</summary>
    static (List<JsonNode?> In, List<JsonNode?> Out) Partition(List<JsonNode?> items, List<JsonNode?> by, string mergeKey, ElementKinds kind)
    {
        var byKey = mergeKey.Length > 0 && kind == ElementKinds.Map;
        if (byKey)
            foreach (var b in by)
                if (b is not JsonObject) throw PatchErrors.Unknown($"value for key {by.IndexOf(b)} is not a map.");
        List<JsonNode?> inList = [], outList = [];
        foreach (var item in items)
        {
            bool present;
            if (byKey)
            {
                if (item is not JsonObject map) throw PatchErrors.BadArgType(GoMapType, item);
                if (!map.TryGetPropertyValue(mergeKey, out var key)) throw PatchErrors.NoMergeKey(map, mergeKey);
                present = by.Any(b => ((JsonObject)b!).TryGetPropertyValue(mergeKey, out var bk) && JsonNode.DeepEquals(bk, key));
            }
            else
                present = by.Any(b => JsonNode.DeepEquals(b, item));
            (present ? inList : outList).Add(item);
        }
        return (inList, outList);
    }

    /// <summary>
    /// patch.go normalizeElementOrder: sort the patch items by <paramref name="patchOrder"/> and the
    /// server-only items by <paramref name="serverOrder"/>, then interleave them (mergeSortedSlice): a
    /// server-only item goes first only while the live order puts it before the next patch item.
    /// </summary>
    static List<JsonNode?> NormalizeElementOrder(List<JsonNode?> patchItems, List<JsonNode?> serverOnly,
        List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string mergeKey, ElementKinds kind)
    {
        var left = SortByOrder(serverOnly, serverOrder, mergeKey, kind);
        var right = SortByOrder(patchItems, patchOrder, mergeKey, kind);
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (i >= left.Count) { result.Add(right[j++]); continue; }
            if (j >= right.Count) { result.Add(left[i++]); continue; }
            var li = IndexIn(serverOrder, left[i], mergeKey, kind);
            var ri = IndexIn(serverOrder, right[j], mergeKey, kind);
            if (li >= 0 && ri >= 0 && li < ri) result.Add(left[i++]);
            else result.Add(right[j++]);
        }
        return result;
    }

    /// <summary>patch.go normalizeSliceOrder: a stable sort by position in <paramref name="order"/>; <c>$patch: delete</c> maps go last.</summary>
    static List<JsonNode?> SortByOrder(List<JsonNode?> toSort, List<JsonNode?> order, string mergeKey, ElementKinds kind)
    {
        var byKey = mergeKey.Length > 0 && kind == ElementKinds.Map;
        if (!byKey)
            return [.. toSort.OrderBy(item => Position(order, item, mergeKey, kind))];
        foreach (var item in toSort.Concat(order))
        {
            if (item is not JsonObject map) throw PatchErrors.BadArgType(GoMapType, item);
            if (!map.ContainsKey(mergeKey)) throw PatchErrors.NoMergeKey(map, mergeKey);
        }
        var deletes = toSort.Where(i => PatchDirective((JsonObject)i!) == SmpDirectives.Delete).ToList();
        var sorted = toSort.Except(deletes).OrderBy(item => Position(order, item, mergeKey, kind)).ToList();
        return [.. sorted, .. deletes];
    }

    static int Position(List<JsonNode?> order, JsonNode? item, string mergeKey, ElementKinds kind)
    {
        var i = IndexIn(order, item, mergeKey, kind);
        return i < 0 ? int.MaxValue : i;
    }

    /// <summary>patch.go index: position of an element in a list, maps compared by merge-key value.</summary>
    static int IndexIn(List<JsonNode?> list, JsonNode? item, string mergeKey, ElementKinds kind)
    {
        if (kind != ElementKinds.Map || mergeKey.Length == 0)
            return list.FindIndex(v => JsonNode.DeepEquals(v, item));
        var key = KeyOf(item, mergeKey);
        return list.FindIndex(v => JsonNode.DeepEquals(KeyOf(v, mergeKey), key));
    }

    static JsonNode? KeyOf(JsonNode? item, string mergeKey) =>
        item is JsonObject o && o.TryGetPropertyValue(mergeKey, out var k) ? k : null;

    enum ElementKinds { None, Map, List, String, Number, Bool, Null }

    /// <summary>
    /// patch.go sliceElementType: all elements of the given lists must be of one JSON type; a list of
    /// lists is 422 "lists of lists are not supported", mixed types a plain error.
    /// </summary>
    static ElementKinds ElementKind(params List<JsonNode?>[] lists)
    {
        var kind = ElementKinds.None;
        foreach (var item in lists.SelectMany(l => l))
        {
            var k = KindOf(item);
            if (kind == ElementKinds.None)
            {
                if (k == ElementKinds.List) throw PatchErrors.NoListOfLists();
                kind = k;
            }
            else if (k != kind)
                throw PatchErrors.Unknown($"list element types are not identical: [{string.Join(" ", lists.Select(GoText.Format))}]");
        }
        return kind;
    }

    static ElementKinds KindOf(JsonNode? node) => node switch
    {
        null => ElementKinds.Null,
        JsonObject => ElementKinds.Map,
        JsonArray => ElementKinds.List,
        _ => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => ElementKinds.String,
            System.Text.Json.JsonValueKind.Number => ElementKinds.Number,
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => ElementKinds.Bool,
            _ => ElementKinds.Null,
        },
    };

    static List<JsonNode?> Copy(JsonArray array) => [.. array.Select(n => n?.DeepClone())];
}
