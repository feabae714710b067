using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Registry.Core;

/// <summary>The data-map rules Secrets and ConfigMaps share (apimachinery's IsConfigMapKey, the 1 MiB limit, immutability).</summary>
public static partial class DataValidation
{
    /// <summary>kube's MaxSecretSize and the ConfigMap limit (corev1.MaxSecretSize = 1 MiB).</summary>
    public const int MaxTotalBytes = 1024 * 1024;

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    /// <summary>apimachinery's IsConfigMapKey messages.</summary>
    public static IEnumerable<string> IsConfigMapKey(string key)
    {
        if (key.Length > 253) yield return "must be no more than 253 characters";
        if (!ConfigKey().IsMatch(key))
            yield return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
        if (key == ".") yield return "must not be '.'";
        else if (key == "..") yield return "must not be '..'";
        else if (key.StartsWith("..", StringComparison.Ordinal)) yield return "must not start with '..'";
    }

    /// <summary>Validates the keys of every named map (base64 maps are counted decoded) and their combined
    /// size; a key may not be in two maps.</summary>
    public static IEnumerable<FieldError> ValidateDataMaps(JsonObject obj, IReadOnlyList<(string Map, bool Base64)> maps)
    {
        var seen = new HashSet<string>();
        long total = 0;
        foreach (var (mapName, base64) in maps)
        {
            if (obj.ObjAt(mapName) is not { } map) continue;
            foreach (var (key, value) in map)
            {
                foreach (var msg in IsConfigMapKey(key)) yield return FieldError.Invalid($"{mapName}[{key}]", key, msg);
                if (!seen.Add(key)) yield return FieldError.Invalid($"{mapName}[{key}]", key, "duplicate of key present in " + maps[0].Map);
                var s = value is JsonValue v && v.TryGetValue<string>(out var str) ? str : "";
                total += base64 ? s.Length / 4 * 3 : Encoding.UTF8.GetByteCount(s);
            }
        }
        if (total > MaxTotalBytes) yield return FieldError.TooLong(maps[0].Map, "", MaxTotalBytes);
    }

    /// <summary>Once <c>immutable: true</c>, the data maps and the flag itself cannot change.</summary>
    public static IEnumerable<FieldError> ValidateImmutable(JsonObject obj, JsonObject old, IEnumerable<string> maps)
    {
        if (old.Bool("immutable") != true) yield break;
        if (obj.Bool("immutable") != true)
            yield return FieldError.Forbidden("immutable", "field is immutable when `immutable` is set");
        foreach (var m in maps)
            if (!JsonNode.DeepEquals(obj[m], old[m]))
                yield return FieldError.Forbidden(m, "field is immutable when `immutable` is set");
    }
}
