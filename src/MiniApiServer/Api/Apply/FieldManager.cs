using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// <c>metadata.managedFields</c> and server-side apply, as kube-apiserver's field manager
/// (apimachinery <c>pkg/util/managedfields</c> over structured-merge-diff) does them.
/// <list type="bullet">
/// <item><see cref="UpdateManagedFields"/> after every create, update and non-apply patch: the
/// manager's Update entry gains what it changed, others lose it.</item>
/// <item><see cref="Apply"/> for <c>PATCH</c> with <c>application/apply-patch+yaml</c>: merges the applied
/// configuration into the live object (or an empty one for a create) and returns the new object, or
/// throws the 409 Conflict kube answers.</item>
/// </list>
/// Inputs are never changed; the result is a new object carrying its managedFields (or none).
/// The caller runs its strategy (defaults, validation, status reset) on the result as for any write.
/// </summary>
public static class FieldManager
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>kube's DefaultMaxUpdateManagers: beyond ten Update entries the oldest are merged into
    /// "ancient-changes" entries, one per apiVersion.</summary>
    public const int MaxUpdateManagers = 10;

    /// <summary>The manager that takes the fields of an object first applied to while untracked.</summary>
    public const string BeforeFirstApplyManager = "before-first-apply";

    /// <summary>Fields never tracked (kube's stripMetaManager): the type, the object's identity and
    /// bookkeeping. Everything else in metadata (labels, annotations, finalizers, ownerReferences…) is.</summary>
    public static readonly FieldSet StrippedFields = FieldSet.Of(
        FieldPath.Of("apiVersion"), FieldPath.Of("kind"), FieldPath.Of("metadata"),
        FieldPath.Of("metadata", "name"), FieldPath.Of("metadata", "namespace"),
        FieldPath.Of("metadata", "creationTimestamp"), FieldPath.Of("metadata", "selfLink"),
        FieldPath.Of("metadata", "uid"), FieldPath.Of("metadata", "clusterName"),
        FieldPath.Of("metadata", "generation"), FieldPath.Of("metadata", "managedFields"),
        FieldPath.Of("metadata", "resourceVersion"));

    /// <summary>
    /// The reset fields of the registry strategies (<c>GetResetFields</c>) kube excludes from
    /// ownership: a write to the main resource never owns <c>status</c>, a write to <c>/status</c>
    /// never owns <c>spec</c>. A strategy with a longer list (pods/status also resets
    /// metadata.deletionTimestamp and ownerReferences) passes its own set.
    /// </summary>
    public static FieldSet DefaultResetFields(string? subresource) => subresource switch
    {
        null or "" => FieldSet.Of(FieldPath.Of("status")),
        "status" => FieldSet.Of(FieldPath.Of("spec")),
        _ => FieldSet.Empty,
    };

    /// <summary>
    /// Sets <c>metadata.managedFields</c> on the object a create (<paramref name="oldObj"/> null),
    /// update or patch is about to store. As kube's <c>FieldManager.Update</c>:
    /// <list type="bullet">
    /// <item>managedFields sent in the request are taken as they are when valid (this is how kubectl's
    /// client-side-to-server-side apply migration rewrites them); when absent, empty or invalid the live
    /// object's are kept; <c>[]</c> or <c>[{}]</c> clears them; on a subresource the request's are ignored;</item>
    /// <item>an existing object without managedFields stays untracked; a create starts tracking;</item>
    /// <item>the manager's entry (manager, Update, apiVersion, subresource) gains every field this write
    /// added or changed and gets the time <paramref name="now"/>; an entry that gains nothing keeps its time;
    /// other managers lose the fields changed or removed; empty entries disappear.</item>
    /// </list>
    /// </summary>
    public static JsonObject UpdateManagedFields(JsonObject? oldObj, JsonObject newObj, string manager, string apiVersion,
        DateTimeOffset now, ISchemaNode schema, string? subresource = null, FieldSet? resetFields = null)
    {
        var isSubresource = !string.IsNullOrEmpty(subresource);
        var result = WithoutManagedFields(newObj);
        var managed = DecodeLiveOrNew(oldObj, newObj, isSubresource);

        // skipNonAppliedManager: an existing object nobody tracks stays untracked until applied to;
        // kube starts tracking on create (the live object has no uid yet).
        var isCreate = oldObj is null || string.IsNullOrEmpty(Text(oldObj["metadata"]?["uid"]));
        if (managed.IsEmpty && !isCreate) return result;

        var live = oldObj is null ? GoZeroObject.For(schema) : WithoutManagedFields(oldObj);
        var id = ManagerId.For(manager.Length == 0 ? "unknown" : manager, ManagerId.Update, apiVersion, subresource);
        try
        {
            managed = TrackUpdate(live, result, managed, id, apiVersion, now, schema, resetFields ?? DefaultResetFields(subresource));
        }
        catch (TypedValueException)
        {
            // UpdateNoErrors: a failed tracking never fails the write; the live entries are kept.
            SetManagedFields(result, oldObj?["metadata"]?["managedFields"]?.DeepClone());
            return result;
        }
        CapUpdateManagers(managed);
        SetManagedFields(result, managed.Encode());
        return result;
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> by <paramref name="manager"/> to
    /// <paramref name="live"/> (null: the object does not exist and the apply creates it). Returns the
    /// merged object with managedFields; throws <see cref="ApiException"/> 409 Conflict when the
    /// configuration changes fields other managers own and <paramref name="force"/> is false (with force
    /// those fields move to the applier), 400 for a configuration carrying managedFields or of another
    /// apiVersion/kind. Fields the manager applied before and omits now are removed unless another
    /// manager owns them. With manager "kubectl", conflicts on fields recorded unchanged in the
    /// last-applied-configuration annotation are allowed (the upgrade from client-side apply), and that
    /// annotation, when present, is rewritten to the applied configuration.
    /// </summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, string apiVersion,
        DateTimeOffset now, ISchemaNode schema, string? subresource = null, FieldSet? resetFields = null, string? kind = null)
    {
        var appliedVersion = Text(applied["apiVersion"]);
        var appliedKind = Text(applied["kind"]);
        if (kind is not null && (appliedVersion != apiVersion || appliedKind != kind))
            throw StatusErrors.BadRequest($"invalid object type: {GroupVersionKind(appliedVersion, appliedKind)}");

        ManagedFieldSets managed;
        try
        {
            managed = ManagedFieldSets.Decode(live?["metadata"]?["managedFields"]);
        }
        catch (FormatException e)
        {
            throw Unknown($"failed to decode managed fields: {e.Message}");
        }

        var ignore = resetFields ?? DefaultResetFields(subresource);
        var liveObj = live is null ? new JsonObject() : WithoutManagedFields(live);
        if (managed.IsEmpty && live is not null)
        {
            // skipNonAppliedManager: the fields already there belong to "before-first-apply".
            var before = ManagerId.For(BeforeFirstApplyManager, ManagerId.Update, apiVersion, subresource);
            try
            {
                managed = TrackUpdate(GoZeroObject.For(schema), liveObj, managed, before, apiVersion, now, schema, ignore);
            }
            catch (TypedValueException e)
            {
                throw Unknown($"failed to create manager for existing fields: {e.Message}");
            }
        }

        if (appliedVersion != apiVersion)
            throw StatusErrors.BadRequest($"Incorrect version specified in apply patch. Specified patch version: {appliedVersion}, expected: {apiVersion}");
        if (applied["metadata"] is JsonObject meta && meta.TryGetPropertyValue("managedFields", out var mf) && mf is not null)
            throw StatusErrors.BadRequest("metadata.managedFields must be nil");
        try
        {
            TypedObjects.ToFieldSet(applied, schema, allowDuplicates: false);
        }
        catch (TypedValueException e)
        {
            throw Unknown($"failed to create typed patch object ({ObjectGvkNn(applied, appliedVersion, appliedKind)}): {e.Message}");
        }

        var id = ManagerId.For(manager.Length == 0 ? "unknown" : manager, ManagerId.Apply, apiVersion, subresource);
        var run = new ApplyRun(liveObj, applied, id, apiVersion, now, schema, ignore);
        (JsonObject Object, ManagedFieldSets Managed) outcome;
        try
        {
            outcome = run.Execute(managed, force);
        }
        catch (ApplyConflictsException e) when (manager == "kubectl")
        {
            // lastAppliedManager: fields kubectl client-side applied and left unchanged are kubectl's to take.
            var allowed = LastAppliedConfiguration.AllowedConflicts(live, apiVersion, schema);
            if (allowed is null) throw e.ToApiException();
            var remaining = e.Conflicts.Where(c => !allowed.Has(c.Path)).ToList();
            if (remaining.Count > 0) throw new ApplyConflictsException(remaining).ToApiException();
            outcome = run.Execute(managed, force: true);
        }
        catch (ApplyConflictsException e)
        {
            throw e.ToApiException();
        }
        catch (TypedValueException e)
        {
            throw Unknown($"failed to apply ({ObjectGvkNn(applied, appliedVersion, appliedKind)}): {e.Message}");
        }

        var result = outcome.Object;
        if (manager == "kubectl" && LastAppliedConfiguration.Has(result))
            LastAppliedConfiguration.Set(result, LastAppliedConfiguration.Build(applied));
        SetManagedFields(result, outcome.Managed.Encode());
        return result;
    }

    // ---- the Update pipeline ----------------------------------------------------------------

    static ManagedFieldSets DecodeLiveOrNew(JsonObject? oldObj, JsonObject newObj, bool isSubresource)
    {
        var liveFields = oldObj?["metadata"]?["managedFields"];
        if (!isSubresource)
        {
            var requested = newObj["metadata"] is JsonObject m && m.TryGetPropertyValue("managedFields", out var r) ? r : null;
            if (ManagedFieldSets.IsReset(requested)) return new ManagedFieldSets();
            var fromRequest = TryDecode(requested);
            if (fromRequest is { IsEmpty: false }) return fromRequest;
        }
        return TryDecode(liveFields) ?? new ManagedFieldSets();
    }

    static ManagedFieldSets? TryDecode(JsonNode? managedFields)
    {
        try
        {
            return ManagedFieldSets.Decode(managedFields);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// SMD's <c>Updater.Update</c> under kube's managedFieldsUpdater and stripMetaManager: compare, take
    /// changed fields from the others, and give what changed to the manager's entry.
    /// </summary>
    static ManagedFieldSets TrackUpdate(JsonObject live, JsonObject updated, ManagedFieldSets managed, ManagerId id,
        string apiVersion, DateTimeOffset now, ISchemaNode schema, FieldSet ignore)
    {
        var managers = Reconcile(managed, apiVersion);
        var compare = TypedObjects.Compare(live, updated, schema).Exclude(ignore);
        var changed = compare.Modified.Union(compare.Added);
        foreach (var (other, entry) in managers.Entries.ToList())
        {
            var kept = entry.Set.Difference(changed).Difference(compare.Removed);
            if (kept.IsEmpty) managers.Entries.Remove(other);
            else managers.Entries[other] = entry with { Set = kept };
        }
        var taken = changed.RecursiveDifference(ignore).Difference(StrippedFields);
        if (!taken.IsEmpty)
        {
            var previous = managers.Entries.GetValueOrDefault(id)?.Set ?? FieldSet.Empty;
            managers.Entries[id] = new ManagedEntry(taken.Union(previous), apiVersion, ManagedFieldSets.Truncate(now));
        }
        return managers;
    }

    /// <summary>Entries recorded at an apiVersion this kind is not served at cannot be converted and are
    /// dropped, as SMD does for a missing version.</summary>
    internal static ManagedFieldSets Reconcile(ManagedFieldSets managed, string apiVersion)
    {
        var r = new ManagedFieldSets();
        foreach (var (id, entry) in managed.Entries)
            if (entry.ApiVersion == apiVersion) r.Entries[id] = entry;
        return r;
    }

    /// <summary>kube's capManagersManager: merge the oldest Update entries per apiVersion into
    /// "ancient-changes" until at most <see cref="MaxUpdateManagers"/> remain.</summary>
    static void CapUpdateManagers(ManagedFieldSets managed)
    {
        var updaters = managed.Entries.Where(e => !e.Key.IsApply).Select(e => e.Key)
            .OrderBy(id => managed.Entries[id].Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(id => id.Json, StringComparer.Ordinal)
            .ToList();
        var length = updaters.Count;
        var firstOfVersion = new Dictionary<string, ManagerId>();
        for (int i = 0; i < updaters.Count && length > MaxUpdateManagers; i++)
        {
            var id = updaters[i];
            var entry = managed.Entries[id];
            var bucket = ManagerId.For("ancient-changes", ManagerId.Update, entry.ApiVersion, null);
            if (!firstOfVersion.TryGetValue(entry.ApiVersion, out var first))
            {
                firstOfVersion[entry.ApiVersion] = id;
                continue;
            }
            if (id == bucket) continue;
            if (!managed.Entries.ContainsKey(bucket))
            {
                managed.Entries[bucket] = managed.Entries[first];
                managed.Entries.Remove(first);
            }
            managed.Entries[bucket] = new ManagedEntry(entry.Set.Union(managed.Entries[bucket].Set), entry.ApiVersion, entry.Time);
            managed.Entries.Remove(id);
            length--;
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    static string Text(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "";

    static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    static void SetManagedFields(JsonObject obj, JsonNode? managedFields)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            if (managedFields is null) return;
            obj["metadata"] = meta = new JsonObject();
        }
        if (managedFields is null) meta.Remove("managedFields");
        else meta["managedFields"] = managedFields;
    }

    /// <summary>apimachinery's GroupVersionKind.String(): "/v1, Kind=Pod", "rbac.authorization.k8s.io/v1, Kind=Role".</summary>
    static string GroupVersionKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return $"{group}/{version}, Kind={kind}";
    }

    static string ObjectGvkNn(JsonObject obj, string apiVersion, string kind)
    {
        var ns = Text(obj["metadata"]?["namespace"]);
        var name = Text(obj["metadata"]?["name"]);
        return $"{ns}/{name}; {GroupVersionKind(apiVersion, kind)}";
    }

    /// <summary>An error kube returns as a plain Go error: 500 with no reason, the text as message.</summary>
    static ApiException Unknown(string message) => new(StatusErrors.Failure(500, "", message));
}
