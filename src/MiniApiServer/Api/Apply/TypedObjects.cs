using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>What changed between two objects, as SMD's <c>typed.Comparison</c>: no path is in two sets.</summary>
internal sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;

    public Comparison Exclude(FieldSet? ignored) => ignored is null || ignored.IsEmpty
        ? this
        : new(Added.RecursiveDifference(ignored), Modified.RecursiveDifference(ignored), Removed.RecursiveDifference(ignored));
}

/// <summary>
/// The schema-aware operations of structured-merge-diff's <c>typed</c> package on JSON objects:
/// the field set of an object, the comparison of two objects, the merge of an applied
/// configuration into a live object, and the removal of fields.
/// </summary>
internal static class TypedObjects
{
    // ---- ToFieldSet -------------------------------------------------------------------------

    /// <summary>
    /// The fields an object sets (SMD <c>ToFieldSet</c>): every scalar and atomic value; every map key
    /// (labels.app) and every associative-list item (<c>k:{…}</c> with its ".") as members; struct
    /// fields only through their contents, unless null or an empty object. With
    /// <paramref name="allowDuplicates"/> false, a repeated list key is an error (an applied configuration
    /// may not have one); otherwise the duplicated item is owned as a whole.
    /// </summary>
    public static FieldSet ToFieldSet(JsonNode? value, ISchemaNode? schema, bool allowDuplicates = true)
    {
        var set = FieldSet.Empty;
        WalkFields(set, [], value, schema, allowDuplicates);
        return set;
    }

    static void WalkFields(FieldSet set, List<PathElement> path, JsonNode? value, ISchemaNode? schema, bool allowDuplicates)
    {
        var shape = TypeShape.Of(schema, value);
        switch (shape.Kind)
        {
            case ShapeKind.Leaf:
                set.Insert(path, 0);
                return;
            case ShapeKind.Struct or ShapeKind.Map:
                if (value is not JsonObject o) return;
                foreach (var (key, child) in o)
                {
                    var pe = PathElement.Field(key);
                    path.Add(pe);
                    WalkFields(set, path, child, shape.ChildSchema(pe), allowDuplicates);
                    if (child is null || child is JsonObject { Count: 0 } || !shape.DeclaresField(key)) set.Insert(path, 0);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            default:
                if (value is not JsonArray a) return;
                var pes = ItemElements(shape, a, path);
                var seen = new HashSet<PathElement>();
                var duplicates = new HashSet<PathElement>();
                foreach (var pe in pes)
                    if (!seen.Add(pe))
                    {
                        if (!allowDuplicates) throw new TypedValueException(PathString(path), $"duplicate entries for key {pe}");
                        duplicates.Add(pe);
                    }
                for (int i = 0; i < a.Count; i++)
                {
                    path.Add(pes[i]);
                    if (!duplicates.Contains(pes[i])) WalkFields(set, path, a[i], shape.ChildSchema(pes[i]), allowDuplicates);
                    set.Insert(path, 0);
                    path.RemoveAt(path.Count - 1);
                }
                return;
        }
    }

    static List<PathElement> ItemElements(TypeShape shape, JsonArray a, List<PathElement> path)
    {
        var pes = new List<PathElement>(a.Count);
        for (int i = 0; i < a.Count; i++) pes.Add(shape.ItemElement(a[i], PathString(path), i));
        return pes;
    }

    static string PathString(List<PathElement> path) => string.Concat(path.Select(p => p.ToString()));

    // ---- Compare ----------------------------------------------------------------------------

    /// <summary>
    /// SMD <c>Compare</c>: leaves (scalars, atomic values, empty maps and lists) are added, removed or
    /// modified; a granular node that appears or disappears is itself added or removed, so a new
    /// labels map yields both <c>.metadata.labels</c> and <c>.metadata.labels.app</c>.
    /// </summary>
    public static Comparison Compare(JsonNode? lhs, JsonNode? rhs, ISchemaNode? schema)
    {
        var c = new Comparison(FieldSet.Empty, FieldSet.Empty, FieldSet.Empty);
        CompareNode(c, [], true, lhs, true, rhs, schema);
        return c;
    }

    static TypeShape ShapeOf(ISchemaNode? schema, bool lHas, JsonNode? l, bool rHas, JsonNode? r)
    {
        var ls = TypeShape.Of(schema, l);
        var rs = TypeShape.Of(schema, r);
        if (!rHas) return ls;
        if (!lHas) return rs;
        return ls.Kind == rs.Kind ? rs : rs with { Kind = ShapeKind.Leaf };
    }

    static void CompareNode(Comparison c, List<PathElement> path, bool lHas, JsonNode? l, bool rHas, JsonNode? r, ISchemaNode? schema)
    {
        var shape = ShapeOf(schema, lHas, l, rHas, r);
        var leaf = shape.Kind == ShapeKind.Leaf;
        if (shape.IsGranularObject)
        {
            var lo = l as JsonObject;
            var ro = r as JsonObject;
            if ((lo is null || lo.Count == 0) && (ro is null || ro.Count == 0)) leaf = true;
            else
                foreach (var key in Keys(lo, ro))
                {
                    var pe = PathElement.Field(key);
                    JsonNode? lv = null, rv = null;
                    var lh = lo is not null && lo.TryGetPropertyValue(key, out lv);
                    var rh = ro is not null && ro.TryGetPropertyValue(key, out rv);
                    path.Add(pe);
                    CompareNode(c, path, lh, lv, rh, rv, shape.ChildSchema(pe));
                    path.RemoveAt(path.Count - 1);
                }
        }
        else if (shape.IsAssociativeList)
        {
            var la = l as JsonArray;
            var ra = r as JsonArray;
            if ((la is null || la.Count == 0) && (ra is null || ra.Count == 0)) leaf = true;
            else CompareListItems(c, path, shape, la, ra);
        }

        if (leaf)
        {
            if (!lHas) c.Added.Insert(path, 0);
            else if (!rHas) c.Removed.Insert(path, 0);
            else if (!JsonValues.DeepEquals(l, r)) c.Modified.Insert(path, 0);
        }
        else if (!lHas) c.Added.Insert(path, 0);
        else if (!rHas) c.Removed.Insert(path, 0);
    }

    static IEnumerable<string> Keys(JsonObject? lo, JsonObject? ro)
    {
        var keys = new List<string>();
        if (lo is not null) keys.AddRange(lo.Select(p => p.Key));
        if (ro is not null) keys.AddRange(ro.Select(p => p.Key).Where(k => lo is null || !lo.ContainsKey(k)));
        return keys;
    }

    static void CompareListItems(Comparison c, List<PathElement> path, TypeShape shape, JsonArray? la, JsonArray? ra)
    {
        var order = new List<PathElement>();
        var lItems = Group(shape, la, path, order);
        var rItems = Group(shape, ra, path, order);
        foreach (var pe in order)
        {
            var lList = lItems.GetValueOrDefault(pe) ?? [];
            var rList = rItems.GetValueOrDefault(pe) ?? [];
            var child = shape.ChildSchema(pe);
            path.Add(pe);
            if (lList.Count <= 1 && rList.Count <= 1)
                CompareNode(c, path, lList.Count == 1, lList.FirstOrDefault(), rList.Count == 1, rList.FirstOrDefault(), child);
            else if (lList.Count >= 2 && rList.Count >= 2)
            {
                // Duplicates before and after: compared as one atomic value.
                if (lList.Count != rList.Count || lList.Zip(rList).Any(p => !JsonValues.DeepEquals(p.First, p.Second))) c.Modified.Insert(path, 0);
            }
            else if (lList.Count >= 2)
            {
                if (rList.Count == 1) CompareNode(c, path, false, null, true, rList[0], child);
                c.Removed.Insert(path, 0);
            }
            else
            {
                if (lList.Count == 1) CompareNode(c, path, true, lList[0], false, null, child);
                c.Added.Insert(path, 0);
            }
            path.RemoveAt(path.Count - 1);
        }
    }

    static Dictionary<PathElement, List<JsonNode?>> Group(TypeShape shape, JsonArray? a, List<PathElement> path, List<PathElement> order)
    {
        var d = new Dictionary<PathElement, List<JsonNode?>>();
        if (a is null) return d;
        var pes = ItemElements(shape, a, path);
        for (int i = 0; i < a.Count; i++)
        {
            if (!d.TryGetValue(pes[i], out var list))
            {
                d[pes[i]] = list = [];
                if (!order.Contains(pes[i])) order.Add(pes[i]);
            }
            list.Add(a[i]);
        }
        return d;
    }

    // ---- Merge ------------------------------------------------------------------------------

    /// <summary>
    /// SMD <c>Merge</c> of an applied configuration (rhs) into the live object (lhs): scalars and
    /// atomic values are replaced; granular maps and structs merged key by key; associative lists
    /// merged by key, the applied items in the applied order and live-only items kept in place.
    /// </summary>
    public static JsonNode? Merge(JsonNode? lhs, JsonNode? rhs, ISchemaNode? schema) =>
        MergeNode([], true, lhs, true, rhs, schema).Value;

    static (bool Has, JsonNode? Value) MergeNode(List<PathElement> path, bool lHas, JsonNode? l, bool rHas, JsonNode? r, ISchemaNode? schema)
    {
        if (!rHas) return (lHas, l?.DeepClone());
        if (!lHas) return (true, r?.DeepClone());
        var shape = ShapeOf(schema, true, l, true, r);
        if (shape.IsGranularObject && (l is JsonObject { Count: > 0 } || r is JsonObject { Count: > 0 }) && r is JsonObject ro)
        {
            var lo = l as JsonObject;
            var result = new JsonObject();
            foreach (var key in Keys(lo, ro))
            {
                var pe = PathElement.Field(key);
                JsonNode? lv = null, rv = null;
                var lh = lo is not null && lo.TryGetPropertyValue(key, out lv);
                var rh = ro.TryGetPropertyValue(key, out rv);
                path.Add(pe);
                var (has, merged) = MergeNode(path, lh, lv, rh, rv, shape.ChildSchema(pe));
                path.RemoveAt(path.Count - 1);
                if (has) result[key] = merged;
            }
            return (true, result);
        }
        if (shape.IsAssociativeList && (l is JsonArray { Count: > 0 } || r is JsonArray { Count: > 0 }) && r is JsonArray ra)
            return (true, MergeListItems(path, shape, l as JsonArray, ra));
        return (true, r?.DeepClone());
    }

    // SMD's visitListItems for merging: walk live and applied items together; items of both sides
    // are merged in the applied order, live-only items stay where they were relative to them.
    static JsonArray MergeListItems(List<PathElement> path, TypeShape shape, JsonArray? la, JsonArray ra)
    {
        var rPes = ItemElements(shape, ra, path);
        var rObserved = new Dictionary<PathElement, JsonNode?>();
        for (int i = 0; i < ra.Count; i++)
            if (!rObserved.TryAdd(rPes[i], ra[i]))
                throw new TypedValueException(PathString(path), $"duplicate entries for key {rPes[i]}");
        var lPes = la is null ? [] : ItemElements(shape, la, path);
        var lObserved = new Dictionary<PathElement, (bool Duplicate, JsonNode? Item)>();
        for (int i = 0; i < lPes.Count; i++)
            lObserved[lPes[i]] = lObserved.ContainsKey(lPes[i]) ? (true, null) : (false, la![i]);

        var shared = new Queue<PathElement>(rPes.Where(lObserved.ContainsKey));
        PathElement? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        var mergedRhs = new HashSet<PathElement>();
        var output = new JsonArray();

        void Emit(PathElement pe, bool lHas, JsonNode? lItem, bool rHas, JsonNode? rItem)
        {
            path.Add(pe);
            var (has, merged) = MergeNode(path, lHas, lItem, rHas, rItem, shape.ChildSchema(pe));
            path.RemoveAt(path.Count - 1);
            if (has) output.Add(merged);
        }
        (bool, JsonNode?) Live(PathElement pe) =>
            lObserved.TryGetValue(pe, out var o) ? (true, o.Duplicate ? null : o.Item) : (false, null);

        for (int li = 0, ri = 0; li < lPes.Count || ri < rPes.Count;)
        {
            if (li < lPes.Count && ri < rPes.Count)
            {
                var pe = lPes[li];
                if (pe.Equals(rPes[ri]))
                {
                    mergedRhs.Add(pe);
                    var (lh, lItem) = Live(pe);
                    Emit(pe, lh, lItem, true, rObserved[pe]);
                    li++;
                    ri++;
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    continue;
                }
                if (rObserved.ContainsKey(pe) && nextShared is not null && !nextShared.Equals(pe))
                {
                    li++;
                    continue;
                }
            }
            if (li < lPes.Count)
            {
                var pe = lPes[li];
                if (!rObserved.ContainsKey(pe))
                {
                    Emit(pe, true, la![li], false, null);
                    li++;
                    continue;
                }
                if (mergedRhs.Contains(pe)) li++;
            }
            if (ri < rPes.Count)
            {
                var pe = rPes[ri];
                mergedRhs.Add(pe);
                var (lh, lItem) = Live(pe);
                Emit(pe, lh, lItem, true, rObserved[pe]);
                ri++;
                if (nextShared is not null && nextShared.Equals(pe)) nextShared = shared.Count > 0 ? shared.Dequeue() : null;
            }
        }
        return output;
    }

    // ---- RemoveItems ------------------------------------------------------------------------

    /// <summary>
    /// SMD <c>RemoveItems</c>: drops every field, map key or list item whose path is a member of
    /// <paramref name="toRemove"/>, and descends where the set has paths below. SMD leaves a map
    /// emptied by the removal as null in its parent, which the prune steps rely on; with
    /// <paramref name="dropEmptied"/> the field disappears instead, as kube's typed round trip of the
    /// final object makes it.
    /// </summary>
    public static JsonNode? RemoveItems(JsonNode? value, FieldSet toRemove, ISchemaNode? schema, bool dropEmptied) =>
        toRemove.IsEmpty ? value?.DeepClone() : Remove([], value, toRemove, schema, dropEmptied).Value ?? new JsonObject();

    static (bool Has, JsonNode? Value) Remove(List<PathElement> path, JsonNode? value, FieldSet toRemove, ISchemaNode? schema, bool dropEmptied)
    {
        var shape = TypeShape.Of(schema, value);
        if (shape.IsGranularObject && value is JsonObject o)
        {
            var result = new JsonObject();
            foreach (var (key, child) in o)
            {
                var pe = PathElement.Field(key);
                if (toRemove.HasMember(pe)) continue;
                var sub = toRemove.WithPrefix(pe);
                if (sub.IsEmpty) { result[key] = child?.DeepClone(); continue; }
                path.Add(pe);
                var (has, kept) = Remove(path, child, sub, shape.ChildSchema(pe), dropEmptied);
                path.RemoveAt(path.Count - 1);
                if (has || !dropEmptied) result[key] = kept;
            }
            return result.Count > 0 ? (true, result) : (false, null);
        }
        if (shape.IsAssociativeList && value is JsonArray a)
        {
            var pes = ItemElements(shape, a, path);
            var result = new JsonArray();
            for (int i = 0; i < a.Count; i++)
            {
                if (toRemove.HasMember(pes[i])) continue;
                var sub = toRemove.WithPrefix(pes[i]);
                if (sub.IsEmpty) { result.Add(a[i]?.DeepClone()); continue; }
                path.Add(pes[i]);
                var (has, kept) = Remove(path, a[i], sub, shape.ChildSchema(pes[i]), dropEmptied);
                path.RemoveAt(path.Count - 1);
                if (has) result.Add(kept);
            }
            return result.Count > 0 ? (true, result) : (false, null);
        }
        return (true, value?.DeepClone());
    }

    // ---- EnsureNamedFieldsAreMembers -------------------------------------------------------

    /// <summary>SMD <c>EnsureNamedFieldsAreMembers</c>: a struct field with paths below it becomes a
    /// member too (owning <c>.spec.replicas</c> makes <c>.spec</c> owned), map keys do not.</summary>
    public static FieldSet EnsureNamedFieldsAreMembers(FieldSet set, ISchemaNode? schema)
    {
        var shape = TypeShape.Of(schema, null);
        var members = set.Members.ToList();
        var children = new List<KeyValuePair<PathElement, FieldSet>>();
        foreach (var (pe, child) in set.Children)
        {
            if (pe.FieldName is { } f && shape.DeclaresField(f)) members.Add(pe);
            children.Add(new(pe, EnsureNamedFieldsAreMembers(child, shape.ChildSchema(pe))));
        }
        return FieldSet.Build(members, children);
    }
}
