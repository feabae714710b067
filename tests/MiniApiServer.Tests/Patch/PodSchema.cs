using MiniApiServer.Schema;

namespace MiniApiServer.Tests.Patch;

/// <summary>
/// A hand-built <see cref="ISchemaNode"/> with the patch metadata of core/v1 Pod that the strategic
/// merge tests need (the real one comes from k8s.Models). The strategies and merge keys are those of
/// k8s.io/api core/v1 types.go: containers, env, volumes, imagePullSecrets by name; ports by
/// containerPort; finalizers merge as a set; volumes also retainKeys; tolerations and args atomic.
/// </summary>
internal sealed class FakeSchema : ISchemaNode
{
    public SchemaKind Kind { get; init; }
    public Type ClrType { get; init; } = typeof(object);
    public Dictionary<string, ISchemaNode> Properties { get; init; } = [];
    public ISchemaNode? Property(string jsonName) => Properties.GetValueOrDefault(jsonName);
    public IReadOnlyList<string> PropertyNames => [.. Properties.Keys];
    public ISchemaNode? Elements { get; init; }
    public string? PatchMergeKey { get; init; }
    public string? PatchStrategy { get; init; }
    public string? ListType { get; init; }
    public IReadOnlyList<string> ListMapKeys { get; init; } = [];
    public string? MapType { get; init; }
    public string? Description => null;

    public static FakeSchema Str => new() { Kind = SchemaKind.String, ClrType = typeof(string) };
    public static FakeSchema Int => new() { Kind = SchemaKind.Integer, ClrType = typeof(int) };

    public static FakeSchema Object(string name, params (string Name, ISchemaNode Schema)[] properties) => new()
    {
        Kind = SchemaKind.Object,
        ClrType = typeof(object),
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
    };

    public static FakeSchema MapOf(ISchemaNode values) => new() { Kind = SchemaKind.Map, Elements = values };

    public static FakeSchema ListOf(ISchemaNode elements, string? strategy = null, string? mergeKey = null) => new()
    {
        Kind = SchemaKind.List,
        Elements = elements,
        PatchStrategy = strategy,
        PatchMergeKey = mergeKey,
        ListType = strategy is null ? "atomic" : mergeKey is null ? "set" : "map",
        ListMapKeys = mergeKey is null ? [] : [mergeKey],
    };
}

internal static class PodSchema
{
    static readonly FakeSchema EnvVar = FakeSchema.Object("EnvVar",
        ("name", FakeSchema.Str), ("value", FakeSchema.Str),
        ("valueFrom", FakeSchema.Object("EnvVarSource", ("fieldRef", FakeSchema.Object("ObjectFieldSelector", ("fieldPath", FakeSchema.Str))))));

    static readonly FakeSchema ContainerPort = FakeSchema.Object("ContainerPort",
        ("containerPort", FakeSchema.Int), ("name", FakeSchema.Str), ("protocol", FakeSchema.Str));

    static readonly FakeSchema Container = FakeSchema.Object("Container",
        ("name", FakeSchema.Str),
        ("image", FakeSchema.Str),
        ("args", FakeSchema.ListOf(FakeSchema.Str)),
        ("env", FakeSchema.ListOf(EnvVar, "merge", "name")),
        ("ports", FakeSchema.ListOf(ContainerPort, "merge", "containerPort")),
        ("resources", FakeSchema.Object("ResourceRequirements",
            ("limits", FakeSchema.MapOf(FakeSchema.Str)), ("requests", FakeSchema.MapOf(FakeSchema.Str)))));

    static readonly FakeSchema Volume = FakeSchema.Object("Volume",
        ("name", FakeSchema.Str),
        ("emptyDir", FakeSchema.Object("EmptyDirVolumeSource", ("medium", FakeSchema.Str))),
        ("configMap", FakeSchema.Object("ConfigMapVolumeSource", ("name", FakeSchema.Str))),
        ("secret", FakeSchema.Object("SecretVolumeSource", ("secretName", FakeSchema.Str))));

    static readonly FakeSchema Toleration = FakeSchema.Object("Toleration",
        ("key", FakeSchema.Str), ("operator", FakeSchema.Str), ("effect", FakeSchema.Str));

    public static readonly FakeSchema Pod = FakeSchema.Object("Pod",
        ("apiVersion", FakeSchema.Str),
        ("kind", FakeSchema.Str),
        ("metadata", FakeSchema.Object("ObjectMeta",
            ("name", FakeSchema.Str),
            ("namespace", FakeSchema.Str),
            ("labels", FakeSchema.MapOf(FakeSchema.Str)),
            ("annotations", FakeSchema.MapOf(FakeSchema.Str)),
            ("finalizers", FakeSchema.ListOf(FakeSchema.Str, "merge")))),
        ("spec", FakeSchema.Object("PodSpec",
            ("containers", FakeSchema.ListOf(Container, "merge", "name")),
            ("initContainers", FakeSchema.ListOf(Container, "merge", "name")),
            ("volumes", FakeSchema.ListOf(Volume, "merge,retainKeys", "name")),
            ("tolerations", FakeSchema.ListOf(Toleration)),
            ("nodeSelector", FakeSchema.MapOf(FakeSchema.Str)),
            ("serviceAccountName", FakeSchema.Str))),
        ("status", FakeSchema.Object("PodStatus", ("phase", FakeSchema.Str))));
}
