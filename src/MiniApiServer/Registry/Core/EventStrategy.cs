using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Registry.Core;

/// <summary>core/v1 Events, served read-only: written by the simulated scheduler and kubelet, read by <c>kubectl describe</c>.</summary>
public sealed class EventStrategy() : GenericStrategy(namespaced: true)
{
    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
        ModelType = typeof(Corev1Event), ListModelType = typeof(Corev1EventList), ShortNames = ["ev"],
        Verbs = ResourceDefinition.ReadOnlyVerbs,
        Strategy = new EventStrategy(),
    };

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Column("Last Seen", "string", "The last time this event was observed."),
        TableColumns.Column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
        TableColumns.Column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        TableColumns.Column("Object", "string", "The object that this event is about."),
        TableColumns.Column("Subobject", "string", "The subobject that this event is about.", 1),
        TableColumns.Column("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
        TableColumns.Column("Message", "string", "A human-readable description of the status of this operation."),
        TableColumns.Column("First Seen", "string", "The first time this event was observed.", 1),
        TableColumns.Column("Count", "string", "The number of times this event has occurred.", 1),
        TableColumns.Column("Name", "string", "Name must be unique within a namespace.", 1, "name"),
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now)
    {
        var last = obj.Time("lastTimestamp") ?? obj.Time("eventTime") ?? obj.Time("metadata", "creationTimestamp");
        var first = obj.Time("firstTimestamp") ?? obj.Time("eventTime") ?? obj.Time("metadata", "creationTimestamp");
        var kind = obj.Str("involvedObject", "kind") ?? "";
        var target = $"{kind.ToLowerInvariant()}/{obj.Str("involvedObject", "name")}";
        var source = obj.Str("source", "component") ?? obj.Str("reportingComponent") ?? "";
        if (obj.Str("source", "host") is { Length: > 0 } host) source += ", " + host;
        return
        [
            TableColumns.Since(last, now), obj.Str("type") ?? "", obj.Str("reason") ?? "", target,
            obj.Str("involvedObject", "fieldPath") ?? "", source, obj.Str("message") ?? "",
            TableColumns.Since(first, now), (obj.Long("count") ?? 1).ToString(CultureInfo.InvariantCulture), obj.Name(),
        ];
    }

    public override FieldLabelSet FieldLabels => FieldLabelSet.Event;

    public override string? FieldValue(JsonObject obj, string field) => field switch
    {
        "source" => obj.Str("source", "component") ?? "",
        "reason" or "reportingComponent" or "type" => obj.Str(field) ?? "",
        _ when field.StartsWith("involvedObject.", StringComparison.Ordinal) => obj.Str("involvedObject", field["involvedObject.".Length..]) ?? "",
        _ => base.FieldValue(obj, field),
    };
}
