using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace MiniApiServer.Schema;

/// <summary>
/// The schema of a <c>k8s.Models</c> type, read by reflection: JSON names from <c>[JsonPropertyName]</c>,
/// lists, maps and Kubernetes' special scalars, plus the patch/list metadata of
/// <see cref="KubernetesFieldFacts"/> and descriptions from the package's XML documentation.
/// Nodes are cached per type and expand lazily, so recursive types (JSONSchemaProps) cost nothing up front.
/// </summary>
public static class ModelSchema
{
    static readonly ConcurrentDictionary<Type, ISchemaNode> Cache = new();

    public static ISchemaNode For(Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        return Cache.GetOrAdd(modelType, static t => new TypeSchemaNode(t, KindOf(t)));
    }

    /// <summary>
    /// The JSON properties of an object type that Kubernetes marks required (no <c>omitempty</c>,
    /// no <c>+optional</c>). The C# types do not carry this, so it comes from the fact table.
    /// </summary>
    public static IReadOnlyList<string> RequiredProperties(Type modelType) => KubernetesFieldFacts.Required(modelType);

    internal static SchemaKind KindOf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string) || t == typeof(char) || t.IsEnum) return SchemaKind.String;
        if (t == typeof(bool)) return SchemaKind.Boolean;
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(ushort) || t == typeof(byte) || t == typeof(sbyte)) return SchemaKind.Integer;
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return SchemaKind.Number;
        // metav1.Time and metav1.MicroTime are RFC 3339 strings; k8s.Models maps both to DateTime.
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset)) return SchemaKind.Time;
        // []byte fields (Secret.data, CSR request) travel as base64 strings.
        if (t == typeof(byte[])) return SchemaKind.Bytes;
        if (t == typeof(IntOrString)) return SchemaKind.IntOrString;
        if (t == typeof(ResourceQuantity)) return SchemaKind.Quantity;
        // runtime.RawExtension and apiextensions JSON arrive as object / JsonElement: any JSON value.
        if (t == typeof(object) || t == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(t)) return SchemaKind.Any;
        if (MapValueType(t) is not null) return SchemaKind.Map;
        if (ListElementType(t) is not null) return SchemaKind.List;
        return SchemaKind.Object;
    }

    /// <summary>T of IDictionary&lt;string,T&gt; (or a type implementing it), else null.</summary>
    internal static Type? MapValueType(Type t)
    {
        foreach (var i in t.IsInterface ? [t, .. t.GetInterfaces()] : t.GetInterfaces())
        {
            if (!i.IsGenericType) continue;
            var def = i.GetGenericTypeDefinition();
            if ((def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>)) && i.GetGenericArguments()[0] == typeof(string))
                return i.GetGenericArguments()[1];
        }
        return null;
    }

    /// <summary>T of IEnumerable&lt;T&gt; (lists and arrays; not string, not byte[]), else null.</summary>
    internal static Type? ListElementType(Type t)
    {
        if (t == typeof(string) || t == typeof(byte[])) return null;
        if (t.IsArray) return t.GetElementType();
        foreach (var i in t.IsInterface ? [t, .. t.GetInterfaces()] : t.GetInterfaces())
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                return i.GetGenericArguments()[0];
        return null;
    }

    /// <summary>The serialized properties of an object type: those with a <c>[JsonPropertyName]</c>.</summary>
    internal static IEnumerable<(string JsonName, PropertyInfo Property)> JsonProperties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p))
            .Where(x => x.Item1 is not null)
            .Select(x => (x.Item1!, x.p));
}
