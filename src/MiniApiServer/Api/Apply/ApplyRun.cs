using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// One server-side apply: SMD's <c>Updater.Apply</c> (merge, own, prune, take from others) under
/// kube's stripMetaManager and managedFieldsUpdater.
/// </summary>
internal sealed class ApplyRun(JsonObject live, JsonObject applied, ManagerId id, string apiVersion, DateTimeOffset now, ISchemaNode schema, FieldSet ignore)
{
    public (JsonObject Object, ManagedFieldSets Managed) Execute(ManagedFieldSets managed, bool force)
    {
        var managers = FieldManager.Reconcile(managed, apiVersion);
        var merged = (JsonObject)TypedObjects.Merge(live, applied, schema)!;
        var lastSet = managers.Entries.GetValueOrDefault(id);

        // The applier owns exactly what its configuration sets, whatever it owned before.
        var set = TypedObjects.ToFieldSet(applied, schema).RecursiveDifference(ignore);
        managers.Entries[id] = new ManagedEntry(set, apiVersion, lastSet?.Time);
        merged = Prune(merged, managers, lastSet?.Set);

        // Fields whose value this apply changes move to the applier; another manager owning one of
        // them is a conflict unless forced. Setting a field to the value it has is shared ownership.
        var compare = TypedObjects.Compare(live, merged, schema).Exclude(ignore);
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = new Dictionary<ManagerId, FieldSet>();
        foreach (var (other, entry) in managers.Entries)
        {
            if (other == id) continue;
            var c = entry.Set.Intersection(changed);
            if (!c.IsEmpty) conflicts[other] = c;
        }
        if (!force && conflicts.Count > 0) throw ApplyConflictsException.From(conflicts);
        foreach (var (other, entry) in managers.Entries.ToList())
        {
            if (other == id) continue;
            var kept = entry.Set.Difference(changed).Difference(compare.Removed);
            if (kept.IsEmpty) managers.Entries.Remove(other);
            else managers.Entries[other] = entry with { Set = kept };
        }

        var own = managers.Entries[id].Set.Difference(FieldManager.StrippedFields);
        var unchanged = JsonValues.DeepEquals(live, merged);
        if (own.IsEmpty) managers.Entries.Remove(id);
        else managers.Entries[id] = managers.Entries[id] with
        {
            Set = own,
            // managedFieldsUpdater: the applier's time moves only when the object changed.
            Time = unchanged ? managers.Entries[id].Time : ManagedFieldSets.Truncate(now),
        };
        return ((JsonObject)(unchanged ? live : merged).DeepClone(), managers);
    }

    /// <summary>
    /// SMD's prune: remove what the manager applied last time and not this time, unless some manager
    /// (this one's new configuration included) still owns it; fields nobody applied stay.
    /// </summary>
    JsonObject Prune(JsonObject merged, ManagedFieldSets managers, FieldSet? lastSet)
    {
        if (lastSet is null || lastSet.IsEmpty) return merged;
        FieldSet E(FieldSet s) => TypedObjects.EnsureNamedFieldsAreMembers(s, schema);
        FieldSet SetOf(JsonNode? o) => TypedObjects.ToFieldSet(o, schema);

        var last = E(lastSet);
        var pruned = TypedObjects.RemoveItems(merged, last, schema, dropEmptied: false);
        var mergedSet = E(SetOf(merged));
        var owned = managers.Entries.Values.Aggregate(FieldSet.Empty, (acc, e) => acc.Union(e.Set));
        // addBackOwnedItems: only remove what nobody owns.
        pruned = TypedObjects.RemoveItems(merged, mergedSet.Difference(E(SetOf(pruned)).Union(E(owned))), schema, dropEmptied: false);
        // addBackDanglingItems: and of that, only what this manager had applied.
        var toRemove = mergedSet.Difference(E(SetOf(pruned))).Intersection(last);
        return (JsonObject)TypedObjects.RemoveItems(merged, toRemove, schema, dropEmptied: true)!;
    }
}
