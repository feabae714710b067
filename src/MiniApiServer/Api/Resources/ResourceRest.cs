using System.Text.Json.Nodes;
using MiniApiServer.Admission;
using MiniApiServer.Api.Apply;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Patch;
using MiniApiServer.Api.Validation;
using MiniApiServer.Hosting;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Registry.Validation;
using MiniApiServer.Schema;
using MiniApiServer.Storage;

namespace MiniApiServer.Api.Resources;

/// <summary>
/// The generic registry store (kube's <c>registry/generic/registry.Store</c>): create, update, delete and read
/// any kind through its strategy, admission and the object store. The HTTP endpoints and the controllers
/// both write through here, so every write gets the same defaults, validation and bookkeeping.
/// </summary>
public sealed class ResourceRest(
    IObjectStore store,
    IEnumerable<IAdmissionPlugin> admission,
    TimeProvider time,
    IRandomSource random)
{
    readonly IAdmissionPlugin[] plugins = admission.ToArray();

    public IObjectStore Store => store;

    public static ObjectKey Key(ResourceDefinition def, string ns, string name) =>
        new(def.StorageResource, def.Namespaced ? ns : "", name);

    public JsonObject Get(ResourceDefinition def, string ns, string name) =>
        store.Get(Key(def, ns, name))?.Object.Clone() ?? throw StatusErrors.NotFound(def.Group, def.Plural, name);

    // ---------------------------------------------------------------- create

    public JsonObject Create(ResourceDefinition def, string ns, JsonObject obj, WriteOptions options, string? subresource = null) =>
        Create(def, ns, obj, options, subresource, managedFieldsDone: false);

    JsonObject Create(ResourceDefinition def, string ns, JsonObject obj, WriteOptions options, string? subresource, bool managedFieldsDone)
    {
        obj = obj.Clone();
        PrepareIncoming(def, ns, obj, options, isBody: true);
        var meta = obj.Metadata();
        var now = time.GetUtcNow();
        if (meta.Str("name") is null or "" && meta.Str("generateName") is { Length: > 0 } generateName)
            meta["name"] = new NameGenerator(random.Random).Generate(generateName);
        foreach (var f in new[] { "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
            meta.Remove(f);
        meta["uid"] = random.NewUid().ToString();
        meta["creationTimestamp"] = Obj.Rfc3339(now);
        if (def.Strategy.TracksGeneration) meta["generation"] = 1; else meta.Remove("generation");
        // As kube: decode and default, record who set which field, then the strategy and admission.
        def.Strategy.ApplyDefaults(obj);
        if (!managedFieldsDone)
            obj = FieldManager.UpdateManagedFields(null, obj, options.FieldManager, def.ApiVersion, now, ModelSchema.For(def.ModelType), subresource);
        var ctx = new OperationContext(now, ns, options.DryRun, subresource);
        def.Strategy.PrepareForCreate(obj, ctx);
        var name = obj.Name();
        var attrs = new AdmissionAttributes(def, AdmissionOperation.Create, def.Namespaced ? ns : "", name, subresource, obj, null, options.User, options.DryRun);
        foreach (var p in plugins) p.Admit(attrs);
        Validate(def, obj, def.Strategy.Validate(obj, ctx));
        foreach (var p in plugins) p.Validate(attrs);

        if (options.DryRun)
        {
            if (store.Get(Key(def, ns, name)) is not null) throw StatusErrors.AlreadyExists(def.Group, def.Plural, name);
            return obj;
        }
        try
        {
            return store.Create(Key(def, ns, name), obj).Object.Clone();
        }
        catch (KeyExistsException)
        {
            throw StatusErrors.AlreadyExists(def.Group, def.Plural, name);
        }
    }

    /// <summary>
    /// Everything a body goes through before any kind's logic: apiVersion/kind checked and set, the namespace
    /// reconciled with the request path, unknown fields dropped (reported per fieldValidation), types checked.
    /// <paramref name="isBody"/>: the object is a create or update body, whose strict errors kube words as a
    /// decoding failure.
    /// </summary>
    void PrepareIncoming(ResourceDefinition def, string ns, JsonObject obj, WriteOptions options, bool isBody = false)
    {
        var apiVersion = obj.Str("apiVersion");
        var kind = obj.Str("kind");
        if (!string.IsNullOrEmpty(kind) && kind != def.Kind || !string.IsNullOrEmpty(apiVersion) && apiVersion != def.ApiVersion)
            throw StatusErrors.BadRequest($"{kind} in version \"{apiVersion}\" cannot be handled as a {def.Kind}: the object provided is unrecognized (must be of type {def.Kind})");
        obj["apiVersion"] = def.ApiVersion;
        obj["kind"] = def.Kind;

        var check = SchemaCheck.CheckAndPrune(obj, ModelSchema.For(def.ModelType));
        if (check.TypeErrors.Count > 0)
            throw StatusErrors.BadRequest($"{def.Kind} in version \"{def.Version}\" cannot be handled as a {def.Kind}: {check.TypeErrors[0]}");
        var strictErrors = options.BodyStrictErrors.Concat(check.UnknownFields.Select(f => $"unknown field \"{f}\"")).ToList();
        if (strictErrors.Count > 0)
        {
            var error = "strict decoding error: " + string.Join(", ", strictErrors);
            // A create or update body fails in kube's decoder, whose error transformDecodeError words as
            // `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: …`.
            if (options.FieldValidation == FieldValidation.Strict)
                throw StatusErrors.BadRequest(isBody ? $"{def.Kind} in version \"{def.Version}\" cannot be handled as a {def.Kind}: {error}" : error);
            if (options.FieldValidation == FieldValidation.Warn) options.Warnings.AddRange(strictErrors);
        }

        var meta = obj.Metadata();
        if (def.Namespaced)
        {
            var bodyNs = meta.Str("namespace");
            if (string.IsNullOrEmpty(bodyNs)) meta["namespace"] = ns;
            else if (bodyNs != ns)
                throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        else meta.Remove("namespace");
    }

    static void Validate(ResourceDefinition def, JsonObject obj, IEnumerable<FieldError> errors)
    {
        var list = errors.ToList();
        if (list.Count > 0) throw StatusErrors.Invalid(def.Group, def.Kind, obj.Name(), list);
    }

    // ---------------------------------------------------------------- update and patch

    /// <summary>A PUT: replaces the object, with optimistic concurrency on metadata.resourceVersion.</summary>
    public JsonObject Update(ResourceDefinition def, string ns, string name, JsonObject obj, WriteOptions options, string? subresource = null)
    {
        obj = obj.Clone();
        PrepareIncoming(def, ns, obj, options, isBody: true);
        if (obj.Name() is { Length: > 0 } bodyName && bodyName != name)
            throw StatusErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        obj.Metadata()["name"] = name;
        return Write(def, ns, name, options, subresource, current =>
        {
            if (current is null) throw StatusErrors.NotFound(def.Group, def.Plural, name);
            return obj;
        });
    }

    /// <summary>A PATCH of any client patch type; server-side apply creates the object when it is missing.</summary>
    public (JsonObject Object, bool Created) Patch(ResourceDefinition def, string ns, string name, string contentType, JsonNode patch, WriteOptions options, string? subresource = null)
    {
        var created = false;
        var schema = ModelSchema.For(def.ModelType);
        if (contentType == PatchTypes.Apply)
        {
            if (patch is not JsonObject applied) throw StatusErrors.BadRequest("error decoding YAML: the apply configuration must be an object");
            applied = applied.Clone();
            PrepareIncoming(def, ns, applied, options);
            if (applied.Name() is { Length: > 0 } appliedName && appliedName != name)
                throw StatusErrors.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
            applied.Metadata()["name"] = name;
            if (store.Get(Key(def, ns, name)) is null && subresource is null)
            {
                created = true;
                var now = time.GetUtcNow();
                var fresh = FieldManager.Apply(null, applied, options.FieldManager, options.Force, def.ApiVersion, now, schema, kind: def.Kind);
                return (Create(def, ns, fresh, options, subresource, managedFieldsDone: true), created);
            }
            return (Write(def, ns, name, options, subresource, current =>
            {
                if (current is null) throw StatusErrors.NotFound(def.Group, def.Plural, name);
                return FieldManager.Apply(current, applied, options.FieldManager, options.Force, def.ApiVersion, time.GetUtcNow(), schema, subresource, kind: def.Kind);
            }, managedFieldsDone: true), created);
        }

        return (Write(def, ns, name, options, subresource, current =>
        {
            if (current is null) throw StatusErrors.NotFound(def.Group, def.Plural, name);
            var patched = contentType switch
            {
                PatchTypes.Json => Patches.ApplyJsonPatch(current, patch),
                PatchTypes.Merge => Patches.ApplyMergePatch(current, patch),
                PatchTypes.StrategicMerge when patch is JsonObject p => Patches.ApplyStrategicMergePatch(current, p, schema),
                PatchTypes.StrategicMerge => throw StatusErrors.BadRequest("strategic merge patch must be a JSON object"),
                _ => throw PatchTypes.Unsupported(),
            };
            // A patch that does not name a resourceVersion is unconditional.
            if (patched.ResourceVersion() is { Length: > 0 } rv && rv != current.ResourceVersion())
                throw StatusErrors.Conflict(def.Group, def.Plural, name, StatusErrors.OptimisticLockMessage);
            patched.Metadata()["resourceVersion"] = current.ResourceVersion();
            PrepareIncoming(def, ns, patched, options);
            return patched;
        }), created);
    }

    /// <summary>
    /// The update road shared by PUT, PATCH and controllers: compute the new object from the current one,
    /// check the resourceVersion precondition, keep system fields, run the strategy, admission, validation
    /// and managedFields, then store atomically (or only compute, for a dry run).
    /// </summary>
    public JsonObject Write(ResourceDefinition def, string ns, string name, WriteOptions options, string? subresource,
        Func<JsonObject?, JsonObject> compute, bool managedFieldsDone = false)
    {
        JsonObject Next(JsonObject? current)
        {
            var obj = compute(current?.Clone());
            if (current is null) return obj;
            var meta = obj.Metadata();
            var oldMeta = current.Metadata();
            var rv = meta.Str("resourceVersion");
            if (string.IsNullOrEmpty(rv))
            {
                if (!def.Strategy.AllowUnconditionalUpdate)
                    throw StatusErrors.Invalid(def.Group, def.Kind, name, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
                // kube's store: an unconditional update takes the stored object's resourceVersion.
                meta["resourceVersion"] = current.ResourceVersion();
            }
            else if (rv != current.ResourceVersion())
                throw StatusErrors.Conflict(def.Group, def.Plural, name, StatusErrors.OptimisticLockMessage);
            if (meta.Str("uid") is { Length: > 0 } uid && uid != current.Uid())
                throw StatusErrors.Conflict(def.Group, def.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
            // System fields are the store's, never the client's.
            foreach (var f in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "selfLink" })
            {
                if (oldMeta[f] is { } v) meta[f] = v.DeepClone(); else meta.Remove(f);
            }
            if (!def.Namespaced) meta.Remove("namespace");
            var now = time.GetUtcNow();
            def.Strategy.ApplyDefaults(obj);
            if (!managedFieldsDone)
                obj = FieldManager.UpdateManagedFields(current, obj, options.FieldManager, def.ApiVersion, now, ModelSchema.For(def.ModelType), subresource);
            meta = obj.Metadata();
            var ctx = new OperationContext(now, ns, options.DryRun, subresource);
            def.Strategy.PrepareForUpdate(obj, current, ctx);
            if (def.Strategy.TracksGeneration && subresource is null && !JsonNode.DeepEquals(obj["spec"], current["spec"]))
                meta["generation"] = (current.Long("metadata", "generation") ?? 1) + 1;
            var attrs = new AdmissionAttributes(def, AdmissionOperation.Update, def.Namespaced ? ns : "", name, subresource, obj, current, options.User, options.DryRun);
            foreach (var p in plugins) p.Admit(attrs);
            Validate(def, obj, def.Strategy.ValidateUpdate(obj, current, ctx));
            foreach (var p in plugins) p.Validate(attrs);
            obj.Metadata()["resourceVersion"] = current.ResourceVersion();
            return obj;
        }

        var key = Key(def, ns, name);
        if (options.DryRun)
            return Next(store.Get(key)?.Object);
        try
        {
            var stored = store.Update(key, cur => Next(cur));
            var result = stored.Object;
            // An object waiting for its last finalizer is deleted once none remain.
            if (result.IsDeleting() && ReadyToDelete(def, result))
                return store.Delete(key).Object.Clone();
            return result.Clone();
        }
        catch (KeyNotFoundStorageException)
        {
            throw StatusErrors.NotFound(def.Group, def.Plural, name);
        }
    }

    static bool ReadyToDelete(ResourceDefinition def, JsonObject obj) =>
        obj.Strings("metadata", "finalizers").Count == 0
        && (def.Kind != "Namespace" || obj.Strings("spec", "finalizers").Count == 0)
        && (def.Kind != "Pod" || obj.Long("metadata", "deletionGracePeriodSeconds") is null or 0);

    // ---------------------------------------------------------------- delete

    /// <summary>
    /// kube's generic delete: preconditions, then graceful deletion (pods on a node get deletionTimestamp
    /// and a grace period; the simulated kubelet finishes them), finalizers (the object waits with a
    /// deletionTimestamp), or removal. Returns the object's last state and whether it is gone.
    /// </summary>
    public (JsonObject Object, bool Deleted) Delete(ResourceDefinition def, string ns, string name, DeleteOptionsInput options)
    {
        var key = Key(def, ns, name);
        var current = store.Get(key)?.Object ?? throw StatusErrors.NotFound(def.Group, def.Plural, name);
        CheckPreconditions(def, name, current, options);
        var attrs = new AdmissionAttributes(def, AdmissionOperation.Delete, def.Namespaced ? ns : "", name, null, null, current, options.User, options.DryRun);
        foreach (var p in plugins) { p.Admit(attrs); p.Validate(attrs); }

        var now = time.GetUtcNow();
        var grace = GracePeriod(def, current, options);
        var pendingFinalizers = current.Strings("metadata", "finalizers").Count > 0
            || def.Kind == "Namespace" && current.Strings("spec", "finalizers").Count > 0;
        if (grace is null or 0 && !pendingFinalizers)
        {
            if (options.DryRun) return (current.Clone(), true);
            try
            {
                return (store.Delete(key, s => CheckPreconditions(def, name, s.Object, options)).Object.Clone(), true);
            }
            catch (KeyNotFoundStorageException) { throw StatusErrors.NotFound(def.Group, def.Plural, name); }
        }

        JsonObject MarkDeleting(JsonObject? cur)
        {
            if (cur is null) throw StatusErrors.NotFound(def.Group, def.Plural, name);
            CheckPreconditions(def, name, cur, options);
            var obj = cur.Clone();
            var meta = obj.Metadata();
            var g = grace ?? 0;
            var existing = obj.Time("metadata", "deletionTimestamp");
            // A second delete may shorten a pending grace period, never lengthen it.
            var deadline = now.AddSeconds(g);
            if (existing is null || deadline < existing)
            {
                meta["deletionTimestamp"] = Obj.Rfc3339(deadline);
                meta["deletionGracePeriodSeconds"] = g;
            }
            if (def.Kind == "Namespace") obj.Ensure("status")["phase"] = "Terminating";
            return obj;
        }

        if (options.DryRun) return (MarkDeleting(current), false);
        try
        {
            var stored = store.Update(key, MarkDeleting);
            return (stored.Object.Clone(), false);
        }
        catch (KeyNotFoundStorageException) { throw StatusErrors.NotFound(def.Group, def.Plural, name); }
    }

    static void CheckPreconditions(ResourceDefinition def, string name, JsonObject current, DeleteOptionsInput options)
    {
        if (options.PreconditionUid is { Length: > 0 } uid && uid != current.Uid())
            throw StatusErrors.Conflict(def.Group, def.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
        if (options.PreconditionResourceVersion is { Length: > 0 } rv && rv != current.ResourceVersion())
            throw StatusErrors.Conflict(def.Group, def.Plural, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion()}");
    }

    /// <summary>
    /// Only pods delete gracefully (kube's pod strategy CheckGracefulDelete): the grace period is the
    /// request's, else the pod's terminationGracePeriodSeconds; a pod never scheduled, or already
    /// finished, goes at once.
    /// </summary>
    static long? GracePeriod(ResourceDefinition def, JsonObject current, DeleteOptionsInput options)
    {
        if (def.Kind != "Pod") return null;
        if (string.IsNullOrEmpty(current.Str("spec", "nodeName"))) return 0;
        if (current.Str("status", "phase") is "Succeeded" or "Failed") return 0;
        var g = options.GracePeriodSeconds ?? current.Long("spec", "terminationGracePeriodSeconds") ?? PodStrategy.DefaultGracePeriodSeconds;
        return Math.Max(0, g);
    }
}

/// <summary>The PATCH content types kube-apiserver accepts.</summary>
public static class PatchTypes
{
    public const string Json = "application/json-patch+json";
    public const string Merge = "application/merge-patch+json";
    public const string StrategicMerge = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";
    public const string ApplyCbor = "application/apply-patch+cbor";

    /// <summary>What a built-in kind's PATCH route accepts, in installer.go's order (apply+cbor only with the
    /// CBORServingAndStorage gate, alpha and off in 1.32).</summary>
    public static readonly IReadOnlyList<string> Supported = [Json, Merge, StrategicMerge, Apply];

    public static bool IsSupported(string mediaType) => Supported.Contains(mediaType);

    /// <summary>negotiation.NewUnsupportedMediaTypeError(patchTypes): a PATCH's 415 lists the patch types.</summary>
    public static ApiException Unsupported() => new(StatusErrors.Failure(415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: " + string.Join(", ", Supported)));
}
