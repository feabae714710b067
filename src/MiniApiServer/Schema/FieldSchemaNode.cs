using System.Reflection;

namespace MiniApiServer.Schema;

/// <summary>
/// One JSON field of an object: the schema of the field's type plus what belongs to the field itself —
/// its documentation and the <c>x-kubernetes-patch-*</c> / <c>x-kubernetes-list-*</c> markers that
/// kube puts on the Go struct field (e.g. <c>PodSpec.containers</c> merges by <c>name</c>).
/// </summary>
internal sealed class FieldSchemaNode : ISchemaNode
{
    readonly Lazy<ISchemaNode> _type;
    readonly Lazy<string?> _description;
    readonly FieldFacts? _facts;

    public FieldSchemaNode(Type declaringType, string jsonName, PropertyInfo property)
    {
        JsonName = jsonName;
        ClrType = property.PropertyType;
        Kind = ModelSchema.KindOf(ClrType);
        _type = new(() => ModelSchema.For(ClrType));
        _description = new(() => ModelDocumentation.ForProperty(property));
        _facts = KubernetesFieldFacts.For(declaringType, jsonName);
    }

    public string JsonName { get; }
    public SchemaKind Kind { get; }
    public Type ClrType { get; }
    public ISchemaNode? Property(string jsonName) => _type.Value.Property(jsonName);
    public IReadOnlyList<string> PropertyNames => _type.Value.PropertyNames;
    public ISchemaNode? Elements => _type.Value.Elements;
    public string? PatchMergeKey => _facts?.PatchMergeKey;
    public string? PatchStrategy => _facts?.PatchStrategy;
    public string? ListType => _facts?.ListType;
    public IReadOnlyList<string> ListMapKeys => _facts?.ListMapKeys ?? [];
    public string? MapType => _facts?.MapType ?? _type.Value.MapType;
    public string? Description => _description.Value;

    public override string ToString() => $"{JsonName}: {Kind} {ClrType.Name}";
}
