using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>How structured-merge-diff treats a node (its <c>ElementRelationship</c>).</summary>
internal enum ShapeKind
{
    /// <summary>A scalar, or an atomic map/list/struct: owned and replaced as a whole.</summary>
    Leaf,
    /// <summary>A struct with declared fields (granular): each field tracked on its own.</summary>
    Struct,
    /// <summary>A granular map (labels, data): each key tracked on its own.</summary>
    Map,
    /// <summary>A list of type map (or with a patch merge key): items tracked by their keys.</summary>
    KeyedList,
    /// <summary>A list of type set (or merge strategy without key): items tracked by value.</summary>
    Set,
}

/// <summary>
/// Reads an <see cref="ISchemaNode"/> the way kube-openapi's <c>schemaconv</c> turns OpenAPI into
/// an SMD schema: <c>x-kubernetes-list-type</c> wins; otherwise <c>x-kubernetes-patch-strategy: merge</c>
/// makes an associative list (keyed by the patch merge key, or a set of primitives without one);
/// otherwise a list is atomic. <c>x-kubernetes-map-type: atomic</c> makes a map or struct a leaf.
/// A node without schema (unknown field, <c>Any</c>) is deduced from the value: objects are
/// granular maps, lists atomic.
/// </summary>
internal readonly record struct TypeShape(ShapeKind Kind, ISchemaNode? Node, IReadOnlyList<string> Keys)
{
    public static TypeShape Of(ISchemaNode? node, JsonNode? value)
    {
        if (node is null || node.Kind == SchemaKind.Any) return Deduce(node, value);
        switch (node.Kind)
        {
            case SchemaKind.Object:
                if (node.MapType == "atomic") return new(ShapeKind.Leaf, node, []);
                return value is null or JsonObject ? new(ShapeKind.Struct, node, []) : new(ShapeKind.Leaf, node, []);
            case SchemaKind.Map:
                if (node.MapType == "atomic") return new(ShapeKind.Leaf, node, []);
                return value is null or JsonObject ? new(ShapeKind.Map, node, []) : new(ShapeKind.Leaf, node, []);
            case SchemaKind.List:
                if (value is not null and not JsonArray) return new(ShapeKind.Leaf, node, []);
                return ListShape(node);
            default:
                return new(ShapeKind.Leaf, node, []);
        }
    }

    static TypeShape Deduce(ISchemaNode? node, JsonNode? value) =>
        value is JsonObject ? new(ShapeKind.Map, node, []) : new(ShapeKind.Leaf, node, []);

    static TypeShape ListShape(ISchemaNode node)
    {
        switch (node.ListType)
        {
            case "map": return new(ShapeKind.KeyedList, node, node.ListMapKeys);
            case "set": return new(ShapeKind.Set, node, []);
            case "atomic": return new(ShapeKind.Leaf, node, []);
        }
        if (node.PatchStrategy is { } strategy && strategy.Split(',').Contains("merge"))
            return node.PatchMergeKey is { Length: > 0 } key ? new(ShapeKind.KeyedList, node, [key]) : new(ShapeKind.Set, node, []);
        return new(ShapeKind.Leaf, node, []);
    }

    public bool IsGranularObject => Kind is ShapeKind.Struct or ShapeKind.Map;
    public bool IsAssociativeList => Kind is ShapeKind.KeyedList or ShapeKind.Set;

    /// <summary>True for a field declared by a struct: SMD's "named field" (not a map key).</summary>
    public bool DeclaresField(string name) => Kind == ShapeKind.Struct && Node!.Property(name) is not null;

    /// <summary>The schema of a child: a struct's property, a map's value type, a list's item type.</summary>
    public ISchemaNode? ChildSchema(PathElement pe) => Kind switch
    {
        ShapeKind.Struct => pe.FieldName is { } f ? Node!.Property(f) : null,
        ShapeKind.Map or ShapeKind.KeyedList or ShapeKind.Set => Node?.Elements,
        _ => null,
    };

    /// <summary>
    /// The path element of a list item, or an error message as SMD words it. A missing key field
    /// takes its schema default: in Kubernetes' OpenAPI the only defaulted list-map key is
    /// <c>protocol</c> (ports of containers, services and endpoints), default "TCP".
    /// </summary>
    public PathElement ItemElement(JsonNode? item, string path, int index)
    {
        if (Kind == ShapeKind.KeyedList)
        {
            if (item is null) throw new TypedValueException(path, $"element {index}: associative list with keys may not have a null element");
            if (item is not JsonObject o) throw new TypedValueException(path, $"element {index}: associative list with keys may not have non-map elements");
            var fields = new List<KeyValuePair<string, JsonNode?>>();
            foreach (var k in Keys)
            {
                if (o.TryGetPropertyValue(k, out var v)) fields.Add(new(k, v));
                else if (k == "protocol") fields.Add(new(k, JsonValue.Create("TCP")));
            }
            if (fields.Count == 0)
                throw new TypedValueException(path, $"element {index}: associative list with keys has an element that omits all key fields [{string.Join(" ", Keys.Select(JsonValues.GoQuote))}] (and doesn't have default values for any key fields)");
            return PathElement.Key(fields);
        }
        return item switch
        {
            JsonObject => throw new TypedValueException(path, $"element {index}: associative list without keys has an element that's a map type"),
            JsonArray => throw new TypedValueException(path, $"element {index}: not supported: associative list with lists as elements"),
            null => throw new TypedValueException(path, $"element {index}: associative list without keys has an element that's an explicit null"),
            _ => PathElement.SetValue(item),
        };
    }
}

/// <summary>An object that does not fit its schema the way SMD's typed conversion requires
/// (an associative-list item without its key, a duplicate key in an applied configuration).</summary>
internal sealed class TypedValueException(string path, string message) : Exception($"{(path.Length == 0 ? "" : path + ": ")}{message}");
