using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Validation;

/// <summary>
/// Decodes a JSON request body against its kind's schema the way kube-apiserver's strict JSON decoder
/// (sigs.k8s.io/json, <c>UnmarshalStrict</c>) does, in one pass over the text, so that its strict errors
/// come in document order: <c>unknown field "spec.bogus"</c> for a field the type lacks (its value is
/// skipped, so nothing inside it is reported) and <c>duplicate field "data.k"</c> for a key given twice.
/// Paths join object keys with '.' (struct fields and map keys alike) and list indexes as <c>[i]</c>; an
/// error is reported once however often it occurs.
/// A duplicate is decoded as Go does: into a struct field the second value is decoded into the first
/// (objects merge field by field), while a map entry, list or scalar takes the last value.
/// Values of the wrong JSON type are left for <see cref="SchemaCheck"/> to report.
/// </summary>
public static class StrictJsonDecoder
{
    public sealed record Result(JsonNode? Value, IReadOnlyList<string> StrictErrors);

    /// <summary>sigs.k8s.io/json stops collecting after 100 strict errors.</summary>
    const int MaxErrors = 100;

    public static Result Decode(ReadOnlySpan<byte> utf8Json, ISchemaNode? schema)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var errors = new Errors();
        try
        {
            if (!reader.Read()) throw StatusErrors.BadRequest("the body of the request was empty");
            var value = Value(ref reader, schema, existing: null, "", errors);
            if (reader.Read()) throw new JsonException("invalid character after top-level value");
            return new Result(value, errors.List);
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>The strict errors, deduplicated and capped as sigs.k8s.io/json keeps them.</summary>
    sealed class Errors
    {
        readonly HashSet<string> seen = [];
        public List<string> List { get; } = [];

        public void Add(string type, string path)
        {
            var message = $"{type} \"{path}\"";
            if (List.Count < MaxErrors && seen.Add(message)) List.Add(message);
        }
    }

    static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>Reads the value the reader is on. <paramref name="existing"/> is what a struct field already
    /// holds when its key repeats: an object is then decoded into it, as Go decodes into the same field.</summary>
    static JsonNode? Value(ref Utf8JsonReader reader, ISchemaNode? schema, JsonNode? existing, string path, Errors errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return schema?.Kind == SchemaKind.Object
                    ? Struct(ref reader, schema, existing as JsonObject ?? [], path, errors)
                    : Map(ref reader, schema is { Kind: SchemaKind.Map } ? schema.Elements : null, existing as JsonObject ?? [], path, errors);
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                var itemSchema = schema?.Kind == SchemaKind.List ? schema.Elements : null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    array.Add(Value(ref reader, itemSchema, null, $"{path}[{array.Count}]", errors));
                return array;
            case JsonTokenType.Null:
                return null;
            default:
                return JsonValue.Create(JsonElement.ParseValue(ref reader));
        }
    }

    /// <summary>A Go struct: only its own fields are known; a repeated field is decoded into the first.</summary>
    static JsonObject Struct(ref Utf8JsonReader reader, ISchemaNode schema, JsonObject target, string path, Errors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            var childPath = Child(path, key);
            reader.Read();
            if (schema.Property(key) is not { } child)
            {
                errors.Add("unknown field", childPath);
                reader.Skip();
                continue;
            }
            if (!seen.Add(key)) errors.Add("duplicate field", childPath);
            var previous = target[key];
            var value = Value(ref reader, child, previous, childPath, errors);
            if (!ReferenceEquals(value, previous)) target[key] = value;
        }
        return target;
    }

    /// <summary>A Go map (or an untyped object): every key is allowed; a repeated key takes the last value.</summary>
    static JsonObject Map(ref Utf8JsonReader reader, ISchemaNode? valueSchema, JsonObject target, string path, Errors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            var childPath = Child(path, key);
            reader.Read();
            if (!seen.Add(key)) errors.Add("duplicate field", childPath);
            target[key] = Value(ref reader, valueSchema, null, childPath, errors);
        }
        return target;
    }
}
