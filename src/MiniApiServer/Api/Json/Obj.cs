using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Json;

/// <summary>Small, typed accessors over a Kubernetes object held as JSON (the form the generic machinery works on).</summary>
public static class Obj
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m) return m;
        m = new JsonObject();
        obj["metadata"] = m;
        return m;
    }

    public static string? Str(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    public static long? Long(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        if (node is not JsonValue v) return null;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d)) return (long)d;
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var el)) return el;
        return null;
    }

    public static bool? Bool(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
    }

    public static JsonObject? ObjAt(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node as JsonObject;
    }

    public static JsonArray? ArrAt(this JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node as JsonArray;
    }

    /// <summary>The object at the path, created (with every parent) when missing.</summary>
    public static JsonObject Ensure(this JsonObject obj, params string[] path)
    {
        var cur = obj;
        foreach (var p in path)
        {
            if (cur[p] is not JsonObject next) { next = new JsonObject(); cur[p] = next; }
            cur = next;
        }
        return cur;
    }

    public static string Name(this JsonObject obj) => obj.Str("metadata", "name") ?? "";
    public static string Namespace(this JsonObject obj) => obj.Str("metadata", "namespace") ?? "";
    public static string Uid(this JsonObject obj) => obj.Str("metadata", "uid") ?? "";
    public static string ResourceVersion(this JsonObject obj) => obj.Str("metadata", "resourceVersion") ?? "";
    public static bool IsDeleting(this JsonObject obj) => obj.Str("metadata", "deletionTimestamp") is { Length: > 0 };

    public static IReadOnlyDictionary<string, string> StringMap(this JsonObject obj, params string[] path)
    {
        var m = obj.ObjAt(path);
        if (m is null) return EmptyMap;
        var d = new Dictionary<string, string>(m.Count);
        foreach (var (k, v) in m) if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) d[k] = s;
        return d;
    }

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) => obj.StringMap("metadata", "labels");

    static readonly Dictionary<string, string> EmptyMap = [];

    public static IReadOnlyList<string> Strings(this JsonObject obj, params string[] path) =>
        obj.ArrAt(path)?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList() ?? [];

    /// <summary>RFC 3339 with seconds precision and Z, as Kubernetes' metav1.Time.</summary>
    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(this JsonObject obj, params string[] path) =>
        obj.Str(path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    public static JsonObject Clone(this JsonObject obj) => (JsonObject)obj.DeepClone();

    public static JsonArray ToJsonArray(this IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
}
