using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Apply;

public enum PathElementKind { Field, Key, Value, Index }

/// <summary>
/// One step of a field path, as structured-merge-diff's <c>fieldpath.PathElement</c>: a field
/// name (<c>f:spec</c>), the key of an associative-list item (<c>k:{"name":"web"}</c>), the value of
/// a set item (<c>v:"finalizer"</c>) or an index (<c>i:0</c>, never produced for typed objects).
/// The order is SMD's: fields, then keys, then values, then indexes.
/// </summary>
public sealed class PathElement : IComparable<PathElement>, IEquatable<PathElement>
{
    public PathElementKind Kind { get; }
    /// <summary>The field name, for <see cref="PathElementKind.Field"/>.</summary>
    public string? FieldName { get; }
    /// <summary>The key fields sorted by name, for <see cref="PathElementKind.Key"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> KeyFields { get; } = [];
    /// <summary>The item value, for <see cref="PathElementKind.Value"/>.</summary>
    public JsonNode? Value { get; }
    public int Index { get; }

    PathElement(PathElementKind kind, string? field = null, IReadOnlyList<KeyValuePair<string, JsonNode?>>? keys = null, JsonNode? value = null, int index = 0)
    {
        Kind = kind;
        FieldName = field;
        KeyFields = keys ?? [];
        Value = value;
        Index = index;
    }

    public static PathElement Field(string name) => new(PathElementKind.Field, field: name);

    public static PathElement Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields) =>
        new(PathElementKind.Key, keys: fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Key, f.Value?.DeepClone()))
            .OrderBy(f => f.Key, StringComparer.Ordinal).ToList());

    public static PathElement Key(params (string Name, JsonNode? Value)[] fields) =>
        Key(fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Name, f.Value)));

    public static PathElement SetValue(JsonNode? value) => new(PathElementKind.Value, value: value?.DeepClone());

    public static PathElement AtIndex(int index) => new(PathElementKind.Index, index: index);

    /// <summary>Parses one FieldsV1 key ("f:name", "k:{…}", "v:…", "i:3"); null for an unknown prefix,
    /// which SMD drops silently so that a newer server's element types do not break an older one.</summary>
    public static PathElement? Parse(string s)
    {
        if (s.Length < 2) throw new FormatException("key must be 2 characters long:");
        if (s[1] != ':') throw new FormatException($"missing colon: {s}");
        var body = s[2..];
        switch (s[0])
        {
            case 'f': return Field(body);
            case 'v': return SetValue(ParseJson(body));
            case 'k':
                if (ParseJson(body) is not JsonObject o) throw new FormatException($"key element is not a JSON object: {s}");
                return Key(o.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
            case 'i':
                if (!int.TryParse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) throw new FormatException($"invalid index: {s}");
                return AtIndex(i);
            default: return null;
        }
    }

    static JsonNode? ParseJson(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The FieldsV1 key: "f:name", "k:{"containerPort":80,"protocol":"TCP"}", "v:"x"", "i:0".</summary>
    public string Serialize()
    {
        var sb = new StringBuilder();
        switch (Kind)
        {
            case PathElementKind.Field: sb.Append("f:").Append(FieldName); break;
            case PathElementKind.Key:
                sb.Append("k:{");
                for (int i = 0; i < KeyFields.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    JsonValues.WriteGoString(sb, KeyFields[i].Key);
                    sb.Append(':');
                    JsonValues.WriteGoJson(sb, KeyFields[i].Value);
                }
                sb.Append('}');
                break;
            case PathElementKind.Value: sb.Append("v:"); JsonValues.WriteGoJson(sb, Value); break;
            default: sb.Append("i:").Append(Index.ToString(CultureInfo.InvariantCulture)); break;
        }
        return sb.ToString();
    }

    /// <summary>SMD's human form used in conflict messages: ".image", "[name=\"web\"]", "[=\"x\"]", "[0]".</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + FieldName,
        PathElementKind.Key => "[" + string.Join(",", KeyFields.Select(k => $"{k.Key}={JsonValues.ToGoString(k.Value)}")) + "]",
        PathElementKind.Value => $"[={JsonValues.ToGoString(Value)}]",
        _ => $"[{Index.ToString(CultureInfo.InvariantCulture)}]",
    };

    public int CompareTo(PathElement? other)
    {
        if (other is null) return 1;
        if (Kind != other.Kind) return Kind.CompareTo(other.Kind);
        switch (Kind)
        {
            case PathElementKind.Field: return string.CompareOrdinal(FieldName, other.FieldName);
            case PathElementKind.Key:
                for (int i = 0; i < Math.Min(KeyFields.Count, other.KeyFields.Count); i++)
                {
                    var c = string.CompareOrdinal(KeyFields[i].Key, other.KeyFields[i].Key);
                    if (c != 0) return c;
                    c = JsonValues.Compare(KeyFields[i].Value, other.KeyFields[i].Value);
                    if (c != 0) return c;
                }
                return KeyFields.Count.CompareTo(other.KeyFields.Count);
            case PathElementKind.Value: return JsonValues.Compare(Value, other.Value);
            default: return Index.CompareTo(other.Index);
        }
    }

    public bool Equals(PathElement? other) => CompareTo(other) == 0;
    public override bool Equals(object? obj) => obj is PathElement pe && Equals(pe);
    public override int GetHashCode() => Serialize().GetHashCode(StringComparison.Ordinal);
}

/// <summary>A path from the object root, printed as SMD prints it: <c>.spec.containers[name="web"].image</c>.</summary>
public sealed class FieldPath(IReadOnlyList<PathElement> elements) : IEquatable<FieldPath>
{
    public IReadOnlyList<PathElement> Elements { get; } = elements;

    /// <summary>A path of plain field names: <c>FieldPath.Of("metadata", "labels", "app")</c>.</summary>
    public static FieldPath Of(params object[] parts) =>
        new(parts.Select(p => p switch
        {
            PathElement pe => pe,
            string s => PathElement.Field(s),
            int i => PathElement.AtIndex(i),
            _ => throw new ArgumentException($"unsupported path part {p}"),
        }).ToList());

    public FieldPath Append(PathElement pe) => new([.. Elements, pe]);

    public override string ToString() => string.Concat(Elements.Select(e => e.ToString()));
    public bool Equals(FieldPath? other) => other is not null && Elements.SequenceEqual(other.Elements);
    public override bool Equals(object? obj) => obj is FieldPath p && Equals(p);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
