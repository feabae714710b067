using System.Text.Json.Serialization;

namespace MiniApiServer.Api.Types;

/// <summary>apidiscovery.k8s.io/v2 APIGroupDiscoveryList: aggregated discovery (one request for every group).</summary>
public sealed class ApiGroupDiscoveryList
{
    [JsonPropertyName("kind")] public string Kind { get; init; } = "APIGroupDiscoveryList";
    [JsonPropertyName("apiVersion")] public required string ApiVersion { get; init; }
    [JsonPropertyName("metadata")] public ListMeta Metadata { get; init; } = new();
    [JsonPropertyName("items")] public required IReadOnlyList<ApiGroupDiscovery> Items { get; init; }
}

public sealed class ApiGroupDiscovery
{
    [JsonPropertyName("metadata")] public required DiscoveryObjectMeta Metadata { get; init; }
    [JsonPropertyName("versions")] public required IReadOnlyList<ApiVersionDiscovery> Versions { get; init; }
}

public sealed class DiscoveryObjectMeta
{
    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyName("creationTimestamp")] public string? CreationTimestamp { get; init; }
}

public sealed class ApiVersionDiscovery
{
    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("resources")] public required IReadOnlyList<ApiResourceDiscovery> Resources { get; init; }
    [JsonPropertyName("freshness")] public string Freshness { get; init; } = "Current";
}

public sealed class ApiResourceDiscovery
{
    [JsonPropertyName("resource")] public required string Resource { get; init; }
    [JsonPropertyName("responseKind")] public required GroupVersionKind ResponseKind { get; init; }
    [JsonPropertyName("scope")] public required string Scope { get; init; }
    [JsonPropertyName("singularResource")] public required string SingularResource { get; init; }
    [JsonPropertyName("verbs")] public required IReadOnlyList<string> Verbs { get; init; }
    [JsonPropertyName("shortNames"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? ShortNames { get; init; }
    [JsonPropertyName("categories"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Categories { get; init; }
    [JsonPropertyName("subresources"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<ApiSubresourceDiscovery>? Subresources { get; init; }
}

public sealed class ApiSubresourceDiscovery
{
    [JsonPropertyName("subresource")] public required string Subresource { get; init; }
    [JsonPropertyName("responseKind")] public required GroupVersionKind ResponseKind { get; init; }
    [JsonPropertyName("verbs")] public required IReadOnlyList<string> Verbs { get; init; }
}

public sealed record GroupVersionKind(
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("kind")] string Kind);
