using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.OpenApi;

/// <summary>
/// Builds <c>components.schemas</c> of one OpenAPI v3 document from <see cref="ModelSchema"/>, in kube's
/// shape: a <c>$ref</c> with siblings is wrapped in <c>allOf</c>, object fields default to <c>{}</c>,
/// properties are typed and documented, and lists and maps carry the <c>x-kubernetes-*</c> patch extensions
/// that kubectl's client-side apply builds its strategic merge patch from.
/// </summary>
internal sealed class ComponentSchemas
{
    readonly SortedDictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);
    readonly Queue<Type> _pending = new();

    /// <summary>"#/components/schemas/…" for a type, adding its component (and, later, all it refers to).</summary>
    public string RefTo(Type type)
    {
        var name = SchemaNames.For(type);
        // A placeholder marks the name as taken, so recursive types are queued once.
        if (_schemas.TryAdd(name, new JsonObject())) _pending.Enqueue(type);
        return "#/components/schemas/" + name;
    }

    /// <summary>meta/v1 Patch: the body of every PATCH operation, whatever its patch type.</summary>
    public void RefPatch() => _schemas.TryAdd(SchemaNames.Patch, new JsonObject
    {
        ["description"] = "Patch is the body of a PATCH request: a JSON patch, merge patch, strategic merge patch or apply configuration, as the Content-Type says.",
        ["type"] = "object",
    });

    public JsonObject Build()
    {
        while (_pending.TryDequeue(out var type))
        {
            var node = ModelSchema.For(type);
            _schemas[SchemaNames.For(type)] = node.Kind switch
            {
                SchemaKind.IntOrString => IntOrStringComponent(),
                SchemaKind.Quantity => QuantityComponent(),
                SchemaKind.Time => TimeComponent(),
                _ => ObjectComponent(node),
            };
        }
        var result = new JsonObject();
        foreach (var (name, schema) in _schemas) result[name] = schema;
        return result;
    }

    JsonObject ObjectComponent(ISchemaNode node)
    {
        var schema = new JsonObject();
        if (node.Description is { } description) schema["description"] = description;
        var properties = new JsonObject();
        foreach (var name in node.PropertyNames.Order(StringComparer.Ordinal))
            properties[name] = FieldSchema(node.Property(name)!);
        schema["properties"] = properties;
        var required = ModelSchema.RequiredProperties(node.ClrType);
        if (required.Count > 0) schema["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]);
        schema["type"] = "object";
        if (node.MapType is { } mapType) schema["x-kubernetes-map-type"] = mapType;
        if (SchemaNames.Gvk(node.ClrType) is { } gvk)
            schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(gvk.Group, gvk.Version, gvk.Kind));
        return schema;
    }

    /// <summary>A GVK object with kube's key order (group, kind, version).</summary>
    public static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    /// <summary>The schema of one property: the type's schema plus the field's description and patch extensions.</summary>
    JsonObject FieldSchema(ISchemaNode field)
    {
        var schema = TypeSchema(field, field.Description);
        if (field.Kind == SchemaKind.List)
        {
            if (field.ListMapKeys.Count > 0) schema["x-kubernetes-list-map-keys"] = new JsonArray([.. field.ListMapKeys.Select(k => JsonValue.Create(k))]);
            if (field.ListType is { } listType) schema["x-kubernetes-list-type"] = listType;
        }
        // Struct-level atomicity is stated on the component; a field states only its own marker (e.g. nodeSelector).
        if (field.MapType is { } mapType && field.Kind == SchemaKind.Map) schema["x-kubernetes-map-type"] = mapType;
        if (field.PatchMergeKey is { } mergeKey) schema["x-kubernetes-patch-merge-key"] = mergeKey;
        if (field.PatchStrategy is { } strategy) schema["x-kubernetes-patch-strategy"] = strategy;
        return schema;
    }

    /// <summary>The schema of a value of the node's type; description is added when given (fields only).</summary>
    JsonObject TypeSchema(ISchemaNode node, string? description)
    {
        var schema = node.Kind switch
        {
            SchemaKind.Object => Ref(node.ClrType, description, objectDefault: true),
            SchemaKind.IntOrString or SchemaKind.Quantity or SchemaKind.Time => Ref(node.ClrType, description, objectDefault: false),
            SchemaKind.List => new JsonObject { ["items"] = TypeSchema(node.Elements!, null), ["type"] = "array" },
            SchemaKind.Map => new JsonObject { ["additionalProperties"] = TypeSchema(node.Elements!, null), ["type"] = "object" },
            SchemaKind.String => new JsonObject { ["type"] = "string" },
            SchemaKind.Boolean => new JsonObject { ["type"] = "boolean" },
            SchemaKind.Integer => new JsonObject { ["format"] = IntegerFormat(node.ClrType), ["type"] = "integer" },
            SchemaKind.Number => new JsonObject { ["format"] = "double", ["type"] = "number" },
            // []byte is base64 in JSON.
            SchemaKind.Bytes => new JsonObject { ["format"] = "byte", ["type"] = "string" },
            // RawExtension / JSON: any value, kept as sent.
            SchemaKind.Any => new JsonObject { ["x-kubernetes-preserve-unknown-fields"] = true },
            _ => throw new InvalidOperationException($"no OpenAPI form for {node}"),
        };
        if (description is not null && node.Kind is not (SchemaKind.Object or SchemaKind.IntOrString or SchemaKind.Quantity or SchemaKind.Time))
            schema["description"] = description;
        return Sorted(schema);
    }

    /// <summary>
    /// kube writes a bare <c>$ref</c> when nothing else is said, else <c>allOf:[{$ref}]</c> with the siblings
    /// (OpenAPI 3.0 ignores siblings of $ref); struct-valued fields and items default to <c>{}</c>.
    /// </summary>
    JsonObject Ref(Type type, string? description, bool objectDefault)
    {
        var reference = RefTo(Nullable.GetUnderlyingType(type) ?? type);
        if (description is null && !objectDefault) return new JsonObject { ["$ref"] = reference };
        var schema = new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = reference }) };
        if (objectDefault) schema["default"] = new JsonObject();
        if (description is not null) schema["description"] = description;
        return schema;
    }

    static string IntegerFormat(Type t) =>
        (Nullable.GetUnderlyingType(t) ?? t) is var u && (u == typeof(long) || u == typeof(ulong)) ? "int64" : "int32";

    static JsonObject Sorted(JsonObject o)
    {
        var sorted = new JsonObject();
        foreach (var key in o.Select(p => p.Key).Order(StringComparer.Ordinal).ToList())
        {
            var value = o[key];
            o.Remove(key);
            sorted[key] = value;
        }
        return sorted;
    }

    // kube's v3 forms of apimachinery's custom-marshalled scalars (their OpenAPISchemaType/Format/V3OneOfTypes).
    static JsonObject IntOrStringComponent() => new()
    {
        ["description"] = "IntOrString holds either an int32 or a string, e.g. a port number or a named port, or a count or a percentage.",
        ["format"] = "int-or-string",
        ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
    };

    static JsonObject QuantityComponent() => new()
    {
        ["description"] = "Quantity is a fixed-point number with an optional SI or binary suffix, such as \"500m\", \"1.5Gi\" or \"2e3\". It is written as a string; a plain number is accepted too.",
        ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
    };

    static JsonObject TimeComponent() => new()
    {
        ["description"] = "Time is a timestamp serialized as an RFC 3339 string in UTC, such as \"2024-05-01T12:00:00Z\".",
        ["format"] = "date-time",
        ["type"] = "string",
    };
}
