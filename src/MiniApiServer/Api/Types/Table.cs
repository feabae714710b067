using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MiniApiServer.Api.Types;

// The few meta.k8s.io and apidiscovery.k8s.io types that k8s.Models does not have, written minimally.
// Property order follows Kubernetes' own JSON.

/// <summary>meta.k8s.io/v1 Table: what <c>kubectl get</c> prints.</summary>
public sealed class Table
{
    [JsonPropertyName("kind")] public string Kind { get; init; } = "Table";
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; init; } = "meta.k8s.io/v1";
    [JsonPropertyName("metadata")] public ListMeta Metadata { get; init; } = new();
    [JsonPropertyName("columnDefinitions")] public IReadOnlyList<TableColumnDefinition> ColumnDefinitions { get; init; } = [];
    [JsonPropertyName("rows")] public IReadOnlyList<TableRow> Rows { get; init; } = [];
}

public sealed class ListMeta
{
    [JsonPropertyName("resourceVersion"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ResourceVersion { get; init; }
    [JsonPropertyName("continue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Continue { get; init; }
    [JsonPropertyName("remainingItemCount"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? RemainingItemCount { get; init; }
}

public sealed record TableColumnDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("priority")] int Priority);

public sealed class TableRow
{
    [JsonPropertyName("cells")] public required IReadOnlyList<object?> Cells { get; init; }
    [JsonPropertyName("object"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonObject? Object { get; init; }
}
