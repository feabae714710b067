using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// kube's bridge between client-side apply's <c>kubectl.kubernetes.io/last-applied-configuration</c>
/// annotation and server-side apply, used only for the field manager "kubectl"
/// (lastAppliedManager and lastAppliedUpdater).
/// </summary>
internal static class LastAppliedConfiguration
{
    /// <summary>apimachinery's TotalAnnotationSizeLimitB: 256 KiB of keys and values together.</summary>
    const int TotalAnnotationSizeLimit = 256 * 1024;

    public static bool Has(JsonObject obj) =>
        obj["metadata"]?["annotations"]?[FieldManager.LastAppliedAnnotation] is JsonValue v
        && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0;

    /// <summary>
    /// The fields of the last-applied configuration that still hold the value it recorded: the
    /// conflicts an apply by "kubectl" may take over without force. Null when there is no usable
    /// annotation (missing, not JSON, another apiVersion, not fitting the schema).
    /// </summary>
    public static FieldSet? AllowedConflicts(JsonObject? live, string apiVersion, ISchemaNode schema)
    {
        if (live is null || !Has(live)) return null;
        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(live["metadata"]!["annotations"]![FieldManager.LastAppliedAnnotation]!.GetValue<string>()) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (lastApplied is null || lastApplied["apiVersion"] is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != apiVersion)
            return null;
        try
        {
            var set = TypedObjects.ToFieldSet(lastApplied, schema, allowDuplicates: false);
            var cmp = TypedObjects.Compare(lastApplied, live, schema);
            return set.Difference(cmp.Modified).Difference(cmp.Added).Difference(cmp.Removed);
        }
        catch (TypedValueException)
        {
            return null;
        }
    }

    /// <summary>The applied configuration without the annotation itself, as Go's JSON encoder writes it
    /// (sorted keys, trailing newline).</summary>
    public static string Build(JsonObject applied)
    {
        var copy = (JsonObject)applied.DeepClone();
        (copy["metadata"]?["annotations"] as JsonObject)?.Remove(FieldManager.LastAppliedAnnotation);
        var sb = new StringBuilder();
        JsonValues.WriteGoJson(sb, copy);
        return sb.Append('\n').ToString();
    }

    /// <summary>Sets the annotation, or drops it when the annotations would exceed their size limit.</summary>
    public static void Set(JsonObject obj, string value)
    {
        var meta = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        var annotations = meta["annotations"] as JsonObject ?? (JsonObject)(meta["annotations"] = new JsonObject());
        annotations[FieldManager.LastAppliedAnnotation] = value;
        var total = annotations.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : ""));
        if (total > TotalAnnotationSizeLimit) annotations.Remove(FieldManager.LastAppliedAnnotation);
    }
}
