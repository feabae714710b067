using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Registry.Validation;

/// <summary>
/// The object-metadata checks every kind shares: apimachinery <c>pkg/api/validation/objectmeta.go</c>
/// (<c>ValidateObjectMetaAccessor</c>, <c>ValidateObjectMetaAccessorUpdate</c>) and the label and
/// label-selector checks of <c>pkg/apis/meta/v1/validation</c>, in kube's order and with its messages.
/// Metadata arrives as the JSON object of the request body.
/// </summary>
public static class MetadataValidation
{
    /// <summary>objectmeta.go FieldImmutableErrorMsg.</summary>
    public const string FieldImmutableMessage = "field is immutable";
    /// <summary>Annotations may hold 256 KiB in total, keys and values counted in bytes.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;
    /// <summary>metav1.FinalizerOrphanDependents and metav1.FinalizerDeleteDependents.</summary>
    public const string FinalizerOrphanDependents = "orphan", FinalizerDeleteDependents = "foregroundDeletion";
    const int FieldManagerMaxLength = 128, MaxSubresourceNameLength = 256;

    /// <summary>
    /// Create-time metadata validation. <paramref name="nameValidator"/> is the kind's name rule
    /// (e.g. <see cref="NameValidation.NameIsDnsSubdomain"/>); <paramref name="namespaced"/> is the kind's scope.
    /// The caller generates the name from generateName first, as kube does before validating.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateObjectMeta(JsonObject metadata, bool namespaced, ValidateNameFunc nameValidator, string path = "metadata")
    {
        var errs = new List<FieldError>();
        var generateName = Str(metadata["generateName"]);
        var name = Str(metadata["name"]);
        var ns = Str(metadata["namespace"]);

        if (!string.IsNullOrEmpty(generateName))
            errs.AddRange(nameValidator(generateName, true).Select(m => FieldError.Invalid(path + ".generateName", generateName, m)));
        if (string.IsNullOrEmpty(name))
            errs.Add(FieldError.Required(path + ".name", "name or generateName is required"));
        else
            errs.AddRange(nameValidator(name, false).Select(m => FieldError.Invalid(path + ".name", name, m)));

        if (namespaced)
        {
            if (string.IsNullOrEmpty(ns)) errs.Add(FieldError.Required(path + ".namespace"));
            else errs.AddRange(NameValidation.ValidateNamespaceName(ns, false).Select(m => FieldError.Invalid(path + ".namespace", ns, m)));
        }
        else if (!string.IsNullOrEmpty(ns))
        {
            errs.Add(FieldError.Forbidden(path + ".namespace", "not allowed on this type"));
        }

        if (Int(metadata["generation"]) is < 0 and var generation)
            errs.Add(FieldError.Invalid(path + ".generation", generation, "must be greater than or equal to 0"));
        errs.AddRange(ValidateLabels(metadata["labels"] as JsonObject, path + ".labels"));
        errs.AddRange(ValidateAnnotations(metadata["annotations"] as JsonObject, path + ".annotations"));
        errs.AddRange(ValidateOwnerReferences(metadata["ownerReferences"] as JsonArray, path + ".ownerReferences"));
        errs.AddRange(ValidateFinalizers(Strings(metadata["finalizers"]), path + ".finalizers"));
        errs.AddRange(ValidateManagedFields(metadata["managedFields"] as JsonArray, path + ".managedFields"));
        return errs;
    }

    /// <summary>
    /// Update-time metadata validation: name, namespace, uid, creationTimestamp, deletionTimestamp and
    /// deletionGracePeriodSeconds may not change ("field is immutable"), resourceVersion must be sent,
    /// generation may not go down, and no finalizer may be added once deletion has started.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateObjectMetaUpdate(JsonObject newMeta, JsonObject oldMeta, string path = "metadata")
    {
        var errs = new List<FieldError>();
        if (Time(oldMeta["deletionTimestamp"]) is not null)
            errs.AddRange(ValidateNoNewFinalizers(Strings(newMeta["finalizers"]), Strings(oldMeta["finalizers"]), path + ".finalizers"));

        var resourceVersion = Str(newMeta["resourceVersion"]) ?? "";
        if (resourceVersion.Length == 0)
            errs.Add(FieldError.Invalid(path + ".resourceVersion", resourceVersion, "must be specified for an update"));
        var newGeneration = Int(newMeta["generation"]) ?? 0;
        if (newGeneration < (Int(oldMeta["generation"]) ?? 0))
            errs.Add(FieldError.Invalid(path + ".generation", newGeneration, "must not be decremented"));

        ImmutableString("name");
        ImmutableString("namespace");
        ImmutableString("uid");
        ImmutableTime("creationTimestamp", zeroWhenAbsent: true);
        ImmutableTime("deletionTimestamp", zeroWhenAbsent: false);
        var newGrace = Int(newMeta["deletionGracePeriodSeconds"]);
        if (newGrace != Int(oldMeta["deletionGracePeriodSeconds"]))
            errs.Add(FieldError.Invalid(path + ".deletionGracePeriodSeconds", newGrace, FieldImmutableMessage));

        errs.AddRange(ValidateLabels(newMeta["labels"] as JsonObject, path + ".labels"));
        errs.AddRange(ValidateAnnotations(newMeta["annotations"] as JsonObject, path + ".annotations"));
        errs.AddRange(ValidateOwnerReferences(newMeta["ownerReferences"] as JsonArray, path + ".ownerReferences"));
        errs.AddRange(ValidateManagedFields(newMeta["managedFields"] as JsonArray, path + ".managedFields"));
        return errs;

        void ImmutableString(string field)
        {
            // An absent string field is Go's "" on both sides.
            var now = Str(newMeta[field]) ?? "";
            if (now != (Str(oldMeta[field]) ?? ""))
                errs.Add(FieldError.Invalid($"{path}.{field}", now, FieldImmutableMessage));
        }

        void ImmutableTime(string field, bool zeroWhenAbsent)
        {
            // creationTimestamp is a metav1.Time value (absent = the zero time); deletionTimestamp a pointer (absent = null).
            var now = Time(newMeta[field]);
            if (now == Time(oldMeta[field])) return;
            object? shown = now is { } t ? GoValue.Time(t) : zeroWhenAbsent ? GoValue.Time(DateTimeOffset.MinValue) : null;
            errs.Add(FieldError.Invalid($"{path}.{field}", shown, FieldImmutableMessage));
        }
    }

    /// <summary>Label keys are qualified names, values valid label values; errors sit at the map's path, unkeyed.</summary>
    public static IEnumerable<FieldError> ValidateLabels(JsonObject? labels, string path)
    {
        if (labels is null) yield break;
        foreach (var (key, node) in labels)
        {
            foreach (var msg in NameValidation.IsQualifiedName(key)) yield return FieldError.Invalid(path, key, msg);
            var value = Str(node) ?? "";
            foreach (var msg in NameValidation.IsValidLabelValue(value)) yield return FieldError.Invalid(path, value, msg);
        }
    }

    /// <summary>
    /// Annotation keys are qualified names (checked lower-cased, so upper case is allowed), and keys plus
    /// values may total at most 256 KiB.
    /// </summary>
    public static IEnumerable<FieldError> ValidateAnnotations(JsonObject? annotations, string path)
    {
        if (annotations is null) yield break;
        long total = 0;
        foreach (var (key, node) in annotations)
        {
            foreach (var msg in NameValidation.IsQualifiedName(key.ToLowerInvariant())) yield return FieldError.Invalid(path, key, msg);
            total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(Str(node) ?? "");
        }
        if (total > TotalAnnotationSizeLimitBytes) yield return FieldError.TooLong(path, null, TotalAnnotationSizeLimitBytes);
    }

    /// <summary>Finalizers are qualified names; "orphan" and "foregroundDeletion" exclude each other.</summary>
    public static IEnumerable<FieldError> ValidateFinalizers(IReadOnlyList<string> finalizers, string path)
    {
        foreach (var f in finalizers)
            foreach (var msg in NameValidation.IsQualifiedName(f)) yield return FieldError.Invalid(path, f, msg);
        if (finalizers.Contains(FinalizerOrphanDependents) && finalizers.Contains(FinalizerDeleteDependents))
            yield return FieldError.Invalid(path, GoValue.StringSlice(finalizers),
                $"finalizer {FinalizerOrphanDependents} and {FinalizerDeleteDependents} cannot be both set");
    }

    /// <summary>While an object is being deleted, an update may remove finalizers but not add any.</summary>
    public static IEnumerable<FieldError> ValidateNoNewFinalizers(IReadOnlyList<string> newFinalizers, IReadOnlyList<string> oldFinalizers, string path)
    {
        var extra = newFinalizers.Except(oldFinalizers).Distinct().Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            yield return FieldError.Forbidden(path, "no new finalizers can be added if the object is being deleted, found new finalizers " + GoValue.StringSlice(extra));
    }

    /// <summary>
    /// Owner references need apiVersion (with a version), kind, name and uid; an Event may not own anything;
    /// at most one reference may be the controller.
    /// </summary>
    public static IEnumerable<FieldError> ValidateOwnerReferences(JsonArray? refs, string path)
    {
        if (refs is null) yield break;
        string? firstController = null;
        foreach (var item in refs)
        {
            var r = item as JsonObject ?? new JsonObject();
            var apiVersion = Str(r["apiVersion"]) ?? "";
            var kind = Str(r["kind"]) ?? "";
            var name = Str(r["name"]) ?? "";
            var (group, version) = ParseGroupVersion(apiVersion);
            if (version.Length == 0) yield return FieldError.Invalid(path + ".apiVersion", apiVersion, "version must not be empty");
            if (kind.Length == 0) yield return FieldError.Invalid(path + ".kind", kind, "kind must not be empty");
            if (name.Length == 0) yield return FieldError.Invalid(path + ".name", name, "name must not be empty");
            var uid = Str(r["uid"]) ?? "";
            if (uid.Length == 0) yield return FieldError.Invalid(path + ".uid", uid, "uid must not be empty");
            // BannedOwners: core/v1 Event. schema.GroupVersionKind prints as "group/version, Kind=kind".
            if (group == "" && version == "v1" && kind == "Event")
                yield return FieldError.Invalid(path, GoOwnerReference(r), $"{group}/{version}, Kind={kind} is disallowed from being an owner");
            if (r["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController)
            {
                var current = kind + "/" + name;
                if (firstController is null) firstController = current;
                else yield return FieldError.Invalid(path, new GoValue("[]v1.OwnerReference{" + string.Join(", ", refs.Select(x => GoOwnerReference(x as JsonObject ?? new JsonObject()).Text)) + "}"),
                    $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}");
            }
        }
    }

    /// <summary>managedFields entries: operation Apply or Update, fieldsType FieldsV1, a printable manager of at most 128 bytes.</summary>
    public static IEnumerable<FieldError> ValidateManagedFields(JsonArray? entries, string path)
    {
        if (entries is null) yield break;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i] as JsonObject ?? new JsonObject();
            var p = $"{path}[{i}]";
            var operation = Str(e["operation"]) ?? "";
            if (operation is not ("Apply" or "Update"))
                yield return FieldError.Invalid(p + ".operation", operation, "must be `Apply` or `Update`");
            var fieldsType = Str(e["fieldsType"]) ?? "";
            if (fieldsType.Length > 0 && fieldsType != "FieldsV1")
                yield return FieldError.Invalid(p + ".fieldsType", fieldsType, "must be `FieldsV1`");
            var manager = Str(e["manager"]) ?? "";
            if (Encoding.UTF8.GetByteCount(manager) > FieldManagerMaxLength)
                yield return FieldError.TooLong(p + ".manager", null, FieldManagerMaxLength);
            var bytePosition = 0;
            foreach (var rune in manager.EnumerateRunes())
            {
                if (!IsGoPrintable(rune))
                    yield return FieldError.Invalid(p + ".manager", manager, $"invalid character U+{rune.Value:X4} (at position {bytePosition})");
                bytePosition += rune.Utf8SequenceLength;
            }
            if (Encoding.UTF8.GetByteCount(Str(e["subresource"]) ?? "") > MaxSubresourceNameLength)
                yield return FieldError.TooLong(p + ".subresource", null, MaxSubresourceNameLength);
        }
    }

    /// <summary>
    /// A metav1.LabelSelector in an object (RBAC aggregation rules): In/NotIn need values, Exists/DoesNotExist
    /// forbid them, keys are qualified names, values label values. <c>ValidateLabelSelector</c> with default options.
    /// </summary>
    public static IEnumerable<FieldError> ValidateLabelSelector(JsonObject? selector, string path)
    {
        if (selector is null) yield break;
        foreach (var e in ValidateLabels(selector["matchLabels"] as JsonObject, path + ".matchLabels")) yield return e;
        if (selector["matchExpressions"] is not JsonArray expressions) yield break;
        for (var i = 0; i < expressions.Count; i++)
        {
            var expr = expressions[i] as JsonObject ?? new JsonObject();
            var p = $"{path}.matchExpressions[{i}]";
            var op = Str(expr["operator"]) ?? "";
            var values = Strings(expr["values"]);
            switch (op)
            {
                case "In" or "NotIn" when values.Count == 0:
                    yield return FieldError.Required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                    break;
                case "Exists" or "DoesNotExist" when values.Count > 0:
                    yield return FieldError.Forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    yield return FieldError.Invalid(p + ".operator", op, "not a valid selector operator");
                    break;
            }
            var key = Str(expr["key"]) ?? "";
            foreach (var msg in NameValidation.IsQualifiedName(key)) yield return FieldError.Invalid(p + ".key", key, msg);
            for (var v = 0; v < values.Count; v++)
                foreach (var msg in NameValidation.IsValidLabelValue(values[v])) yield return FieldError.Invalid($"{p}.values[{v}]", values[v], msg);
        }
    }

    // ---- JSON access: metadata has passed schema decoding, so fields have their declared JSON types ----

    static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    static long? Int(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) ? l : null;

    static IReadOnlyList<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(x => Str(x) ?? "").ToList() : [];

    static DateTimeOffset? Time(JsonNode? n) =>
        Str(n) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>schema.ParseGroupVersion: "" and "v1" have no group, "g/v" splits, anything else is unparsable (no version).</summary>
    static (string Group, string Version) ParseGroupVersion(string apiVersion)
    {
        var parts = apiVersion.Split('/');
        return parts.Length switch
        {
            1 => ("", parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
    }

    /// <summary>
    /// Go's %#v of a metav1.OwnerReference. Go prints set pointer fields as their memory address, which differs
    /// on every request; here a set pointer prints the fixed address 0xc000000000.
    /// </summary>
    static GoValue GoOwnerReference(JsonObject r)
    {
        static string BoolPtr(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out _) ? "(*bool)(0xc000000000)" : "(*bool)(nil)";
        return new GoValue("v1.OwnerReference{" +
            $"APIVersion:{GoValue.Quote(Str(r["apiVersion"]) ?? "")}, Kind:{GoValue.Quote(Str(r["kind"]) ?? "")}, " +
            $"Name:{GoValue.Quote(Str(r["name"]) ?? "")}, UID:{GoValue.Quote(Str(r["uid"]) ?? "")}, " +
            $"Controller:{BoolPtr(r["controller"])}, BlockOwnerDeletion:{BoolPtr(r["blockOwnerDeletion"])}}}");
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    static bool IsGoPrintable(Rune r) => r.Value == ' ' || Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };
}
