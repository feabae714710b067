using MiniApiServer.Registry.Core;

namespace MiniApiServer.Registry;

/// <summary>Every kind the server serves, found by group, version and plural (or short name for discovery).</summary>
public sealed class ResourceRegistry(IEnumerable<ResourceDefinition> definitions)
{
    public IReadOnlyList<ResourceDefinition> All { get; } = definitions.ToList();

    /// <summary>The kinds of this core surface.</summary>
    public static IReadOnlyList<ResourceDefinition> Core { get; } =
    [
        NamespaceStrategy.Definition,
        PodStrategy.Definition,
        SecretStrategy.Definition,
        ServiceAccountStrategy.Definition,
        ConfigMapStrategy.Definition,
        NodeStrategy.Definition,
        EventStrategy.Definition,
    ];

    public ResourceDefinition? Find(string group, string version, string plural) =>
        All.FirstOrDefault(d => d.Group == group && d.Version == version && d.Plural == plural);

    public ResourceDefinition? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(d => d.ApiVersion == apiVersion && d.Kind == kind);

    /// <summary>The group-versions served, core "v1" first, then groups by name.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions() =>
        All.Select(d => (d.Group, d.Version)).Distinct().OrderBy(g => g.Group.Length == 0 ? 0 : 1).ThenBy(g => g.Group, StringComparer.Ordinal);
}
