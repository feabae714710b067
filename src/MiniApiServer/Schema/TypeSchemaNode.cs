namespace MiniApiServer.Schema;

/// <summary>
/// The schema of one CLR type, shared by every field of that type. Properties and elements are built
/// on first use (the type graph is recursive), field-specific metadata lives on <see cref="FieldSchemaNode"/>.
/// </summary>
internal sealed class TypeSchemaNode : ISchemaNode
{
    readonly Lazy<ISchemaNode?> _elements;
    readonly Lazy<(IReadOnlyList<string> Names, IReadOnlyDictionary<string, ISchemaNode> ByName)> _properties;
    readonly Lazy<string?> _description;

    public TypeSchemaNode(Type clrType, SchemaKind kind)
    {
        ClrType = clrType;
        Kind = kind;
        _elements = new(() => kind switch
        {
            SchemaKind.List => ModelSchema.For(ModelSchema.ListElementType(clrType)!),
            SchemaKind.Map => ModelSchema.For(ModelSchema.MapValueType(clrType)!),
            _ => null,
        });
        _properties = new(BuildProperties);
        _description = new(() => kind == SchemaKind.Object ? ModelDocumentation.ForType(clrType) : null);
    }

    public SchemaKind Kind { get; }
    public Type ClrType { get; }
    public ISchemaNode? Elements => _elements.Value;
    public IReadOnlyList<string> PropertyNames => _properties.Value.Names;
    public ISchemaNode? Property(string jsonName) => _properties.Value.ByName.GetValueOrDefault(jsonName);

    // A bare type has no field context: merge keys and list types belong to the field that holds the list.
    public string? PatchMergeKey => null;
    public string? PatchStrategy => null;
    public string? ListType => null;
    public IReadOnlyList<string> ListMapKeys => [];

    /// <summary>Struct-level <c>+structType=atomic</c> (ObjectReference, LabelSelector, …) applies wherever the type is used.</summary>
    public string? MapType => Kind == SchemaKind.Object ? KubernetesFieldFacts.StructMapType(ClrType) : null;

    public string? Description => _description.Value;

    (IReadOnlyList<string>, IReadOnlyDictionary<string, ISchemaNode>) BuildProperties()
    {
        if (Kind != SchemaKind.Object) return ([], new Dictionary<string, ISchemaNode>());
        var names = new List<string>();
        var byName = new Dictionary<string, ISchemaNode>(StringComparer.Ordinal);
        foreach (var (jsonName, property) in ModelSchema.JsonProperties(ClrType))
        {
            if (!byName.TryAdd(jsonName, new FieldSchemaNode(ClrType, jsonName, property))) continue;
            names.Add(jsonName);
        }
        return (names, byName);
    }

    public override string ToString() => $"{Kind} {ClrType.Name}";
}
