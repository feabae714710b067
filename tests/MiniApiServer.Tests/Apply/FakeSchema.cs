using k8s.Models;
using MiniApiServer.Schema;

namespace MiniApiServer.Tests.Apply;

/// <summary>A hand-built <see cref="ISchemaNode"/> with just the list and map extensions the apply code reads.</summary>
sealed class FakeSchema : ISchemaNode
{
    readonly List<(string Name, ISchemaNode Node)> properties = [];

    public SchemaKind Kind { get; init; }
    public Type ClrType { get; init; } = typeof(string);
    public ISchemaNode? Elements { get; init; }
    public string? PatchMergeKey { get; init; }
    public string? PatchStrategy { get; init; }
    public string? ListType { get; init; }
    public IReadOnlyList<string> ListMapKeys { get; init; } = [];
    public string? MapType { get; init; }
    public string? Description => null;
    public IReadOnlyList<string> PropertyNames => properties.Select(p => p.Name).ToList();
    public ISchemaNode? Property(string jsonName) => properties.FirstOrDefault(p => p.Name == jsonName).Node;

    static FakeSchema Struct(Type clr, params (string, ISchemaNode)[] props)
    {
        var s = new FakeSchema { Kind = SchemaKind.Object, ClrType = clr };
        s.properties.AddRange(props);
        return s;
    }

    static readonly FakeSchema Str = new() { Kind = SchemaKind.String };
    static readonly FakeSchema Int = new() { Kind = SchemaKind.Integer, ClrType = typeof(int) };
    static readonly FakeSchema Bool = new() { Kind = SchemaKind.Boolean, ClrType = typeof(bool) };
    static FakeSchema MapOf(ISchemaNode v, string? mapType = null) => new() { Kind = SchemaKind.Map, Elements = v, MapType = mapType, ClrType = typeof(IDictionary<string, string>) };
    static FakeSchema ListOf(ISchemaNode e, string? listType = null, IReadOnlyList<string>? keys = null, string? mergeKey = null, string? strategy = null) =>
        new() { Kind = SchemaKind.List, Elements = e, ListType = listType, ListMapKeys = keys ?? [], PatchMergeKey = mergeKey, PatchStrategy = strategy, ClrType = typeof(IList<object>) };

    static FakeSchema Metadata() => Struct(typeof(V1ObjectMeta),
        ("name", Str), ("namespace", Str), ("uid", Str), ("resourceVersion", Str), ("generation", Int),
        ("creationTimestamp", new FakeSchema { Kind = SchemaKind.Time }),
        ("labels", MapOf(Str)), ("annotations", MapOf(Str)),
        ("finalizers", ListOf(Str, strategy: "merge")),
        ("managedFields", ListOf(new FakeSchema { Kind = SchemaKind.Any, ClrType = typeof(object) }, listType: "atomic")),
        ("ownerReferences", ListOf(Struct(typeof(V1OwnerReference), ("uid", Str), ("name", Str), ("kind", Str)), listType: "map", keys: ["uid"])));

    /// <summary>A Pod: containers keyed by name, ports by containerPort+protocol, env by patch merge key,
    /// finalizers a set, args and tolerations atomic lists, nodeSelector an atomic map.</summary>
    public static readonly ISchemaNode Pod = Struct(typeof(V1Pod),
        ("apiVersion", Str), ("kind", Str), ("metadata", Metadata()),
        ("spec", Struct(typeof(V1PodSpec),
            ("containers", ListOf(Struct(typeof(V1Container),
                ("name", Str), ("image", Str),
                ("args", ListOf(Str, listType: "atomic")),
                ("ports", ListOf(Struct(typeof(V1ContainerPort), ("containerPort", Int), ("protocol", Str), ("name", Str)), listType: "map", keys: ["containerPort", "protocol"])),
                ("env", ListOf(Struct(typeof(V1EnvVar), ("name", Str), ("value", Str)), mergeKey: "name", strategy: "merge")),
                ("resources", Struct(typeof(V1ResourceRequirements), ("limits", MapOf(Str))))),
                listType: "map", keys: ["name"])),
            ("nodeSelector", MapOf(Str, mapType: "atomic")),
            ("tolerations", ListOf(Struct(typeof(V1Toleration), ("key", Str)), listType: "atomic")),
            ("restartPolicy", Str))),
        ("status", Struct(typeof(V1PodStatus), ("phase", Str), ("podIP", Str))));

    public static readonly ISchemaNode ConfigMap = Struct(typeof(V1ConfigMap),
        ("apiVersion", Str), ("kind", Str), ("metadata", Metadata()),
        ("data", MapOf(Str)), ("binaryData", MapOf(new FakeSchema { Kind = SchemaKind.Bytes })), ("immutable", Bool));
}
