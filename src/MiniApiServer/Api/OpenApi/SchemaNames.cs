using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.OpenApi;

/// <summary>
/// kube's OpenAPI component names (<c>io.k8s.api.core.v1.Pod</c>,
/// <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>) for k8s.Models types. The name is the Go package
/// path of the type reversed into a dotted prefix plus the Go type name.
/// </summary>
internal static partial class SchemaNames
{
    const string MetaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    // Kubernetes' scalar types live in apimachinery, not in any API group.
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string Time = MetaV1 + "Time";
    public const string Patch = MetaV1 + "Patch";

    /// <summary>Types of k8s.io/apimachinery/pkg/apis/meta/v1, shared by every group (some carry a core-looking [KubernetesEntity]).</summary>
    static readonly HashSet<Type> MetaV1Types =
    [
        typeof(V1ObjectMeta), typeof(V1ListMeta), typeof(V1OwnerReference), typeof(V1ManagedFieldsEntry),
        typeof(V1Status), typeof(V1StatusDetails), typeof(V1StatusCause), typeof(V1DeleteOptions),
        typeof(V1Preconditions), typeof(V1LabelSelector), typeof(V1LabelSelectorRequirement), typeof(V1Condition),
        typeof(V1WatchEvent), typeof(V1APIGroup), typeof(V1APIGroupList), typeof(V1APIResource),
        typeof(V1APIResourceList), typeof(V1APIVersions), typeof(V1GroupVersionForDiscovery),
        typeof(V1ServerAddressByClientCIDR), typeof(V1FieldSelectorRequirement),
    ];

    /// <summary>
    /// k8s.Models names a type by version and Go name (V1PodSpec, V1beta1Foo); when two groups share a Go
    /// name it prefixes the group's package (Corev1Event, Rbacv1Subject, Authenticationv1TokenRequest).
    /// </summary>
    [GeneratedRegex("^(?<package>[A-Z][a-z]+)?(?<version>[Vv][0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<name>[A-Z][A-Za-z0-9]*)$")]
    private static partial Regex ModelName();

    static readonly Lazy<IReadOnlyDictionary<Type, string>> HomeGroups = new(BuildHomeGroups);

    public static string For(Type type) => type switch
    {
        _ when type == typeof(IntOrString) => IntOrString,
        _ when type == typeof(ResourceQuantity) => Quantity,
        // metav1.Time and MicroTime both become DateTime in k8s.Models; Time is the common one.
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => Time,
        _ when MetaV1Types.Contains(type) => MetaV1 + GoName(type),
        _ => PackagePrefix(type) + GoName(type),
    };

    /// <summary>The group-version-kind of a top-level kind, from its [KubernetesEntity], else null.</summary>
    public static (string Group, string Version, string Kind)? Gvk(Type type) =>
        type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } kind } e
            ? (e.Group ?? "", e.ApiVersion, kind)
            : null;

    static string GoName(Type type)
    {
        var m = ModelName().Match(type.Name);
        return m.Success ? m.Groups["name"].Value : type.Name;
    }

    static string PackagePrefix(Type type)
    {
        var m = ModelName().Match(type.Name);
        var version = m.Success ? m.Groups["version"].Value.ToLowerInvariant() : "v1";
        string package;
        if (m.Success && m.Groups["package"].Success) package = m.Groups["package"].Value.ToLowerInvariant();
        else if (Gvk(type) is { } gvk) package = PackageOfGroup(gvk.Group);
        else package = PackageOfGroup(HomeGroups.Value.GetValueOrDefault(type, ""));
        return package switch
        {
            // Two groups are served by separate repositories with their own package paths.
            "apiextensions" => $"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.",
            "apiregistration" => $"io.k8s.kube-aggregator.pkg.apis.apiregistration.{version}.",
            _ => $"io.k8s.api.{package}.{version}.",
        };
    }

    /// <summary>k8s.io/api package of a group: "" is core, otherwise the first DNS label (rbac, certificates, …).</summary>
    static string PackageOfGroup(string group) => group switch
    {
        "" => "core",
        "internal.apiserver.k8s.io" => "apiserverinternal",
        _ => group.Split('.')[0],
    };

    /// <summary>
    /// The group a non-kind type (PodSpec, PolicyRule) belongs to: the group of the first kind that reaches
    /// it, visiting core kinds first — a type like PodTemplateSpec is core even though apps kinds embed it.
    /// </summary>
    static IReadOnlyDictionary<Type, string> BuildHomeGroups()
    {
        var homes = new Dictionary<Type, string>();
        var kinds = typeof(V1Pod).Assembly.GetExportedTypes()
            .Select(t => (Type: t, Gvk: Gvk(t)))
            .Where(x => x.Gvk is not null)
            .OrderBy(x => x.Gvk!.Value.Group.Length == 0 ? 0 : 1)
            .ThenBy(x => x.Gvk!.Value.Group, StringComparer.Ordinal)
            .ThenBy(x => x.Type.Name, StringComparer.Ordinal);
        foreach (var (kind, gvk) in kinds)
        {
            var pending = new Stack<ISchemaNode>([ModelSchema.For(kind)]);
            while (pending.TryPop(out var node))
            {
                foreach (var child in Children(node))
                {
                    if (child.Kind != SchemaKind.Object || Gvk(child.ClrType) is not null) continue;
                    if (homes.TryAdd(child.ClrType, gvk!.Value.Group)) pending.Push(child);
                }
            }
        }
        return homes;
    }

    static IEnumerable<ISchemaNode> Children(ISchemaNode node)
    {
        foreach (var name in node.PropertyNames)
        {
            var field = node.Property(name)!;
            var leaf = field;
            while (leaf.Kind is SchemaKind.List or SchemaKind.Map) leaf = leaf.Elements!;
            yield return ModelSchema.For(leaf.ClrType);
        }
    }
}
