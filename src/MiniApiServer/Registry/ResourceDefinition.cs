namespace MiniApiServer.Registry;

/// <summary>A subresource served under a resource, e.g. pods/status, pods/exec, serviceaccounts/token.</summary>
public sealed record SubresourceDefinition(
    string Name,
    string Kind,
    IReadOnlyList<string> Verbs,
    Type? ModelType = null,
    string? Group = null,
    string? Version = null);

/// <summary>
/// Everything the generic machinery needs to serve one kind (kube's APIResource plus its registry
/// strategy): discovery, routing, storage key, OpenAPI, tables. Adding a kind is adding one of these.
/// </summary>
public sealed class ResourceDefinition
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    /// <summary>The k8s.Models type of one object, e.g. typeof(V1Pod).</summary>
    public required Type ModelType { get; init; }
    /// <summary>The k8s.Models list type, e.g. typeof(V1PodList).</summary>
    public required Type ListModelType { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;
    public IReadOnlyList<SubresourceDefinition> Subresources { get; init; } = [];
    /// <summary>The kind's rules (defaults, validation, table, selectable fields).</summary>
    public IResourceStrategy Strategy { get; init; } = new GenericStrategy(namespaced: true);

    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    public static readonly IReadOnlyList<string> ReadOnlyVerbs = ["get", "list", "watch"];

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ApiVersion => GroupVersion;
    /// <summary>The storage resource name: "pods", "roles.rbac.authorization.k8s.io".</summary>
    public string StorageResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
    public string ListKind => Kind + "List";
    public bool Supports(string verb) => Verbs.Contains(verb);
    public override string ToString() => $"{GroupVersion}, Resource={Plural}";
}
