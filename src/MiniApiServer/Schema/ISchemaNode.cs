namespace MiniApiServer.Schema;

public enum SchemaKind { Object, Map, List, String, Integer, Number, Boolean, IntOrString, Quantity, Time, Bytes, Any }

/// <summary>
/// The structure of a Kubernetes type as the patch, apply and OpenAPI code need it: which JSON fields
/// an object has, what lists hold, and how lists merge (the <c>x-kubernetes-patch-*</c> and
/// <c>x-kubernetes-list-*</c> extensions of Kubernetes' OpenAPI). Built from the <c>k8s.Models</c> types.
/// </summary>
public interface ISchemaNode
{
    SchemaKind Kind { get; }

    /// <summary>The CLR type this node describes (a k8s.Models class, string, int, …).</summary>
    Type ClrType { get; }

    /// <summary>For objects: the schema of a JSON property, or null when the type has no such field.</summary>
    ISchemaNode? Property(string jsonName);

    /// <summary>For objects: every JSON property name, in declaration order.</summary>
    IReadOnlyList<string> PropertyNames { get; }

    /// <summary>For lists: the element schema. For maps: the value schema.</summary>
    ISchemaNode? Elements { get; }

    /// <summary>For lists: <c>x-kubernetes-patch-merge-key</c> (e.g. "name" for containers), else null.</summary>
    string? PatchMergeKey { get; }

    /// <summary>For lists and maps: <c>x-kubernetes-patch-strategy</c> ("merge", "retainKeys",
    /// "merge,retainKeys"), else null (replace).</summary>
    string? PatchStrategy { get; }

    /// <summary>For lists: <c>x-kubernetes-list-type</c> ("atomic", "set", "map"); null = atomic.</summary>
    string? ListType { get; }

    /// <summary>For lists of type map: <c>x-kubernetes-list-map-keys</c>.</summary>
    IReadOnlyList<string> ListMapKeys { get; }

    /// <summary>For maps and structs: <c>x-kubernetes-map-type</c> ("atomic" or "granular"); null = granular.</summary>
    string? MapType { get; }

    /// <summary>The field's documentation (from the package's XML docs), for OpenAPI and kubectl explain.</summary>
    string? Description { get; }
}
