using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// The value rules of structured-merge-diff's <c>value</c> package over System.Text.Json nodes:
/// deep equality (numbers compare numerically, so 1 and 1.0 are equal), the total order SMD uses
/// to sort set items and keys (numbers, then strings, booleans, lists, maps, null), and Go's
/// <c>%q</c>/<c>%v</c> printing used in field paths such as <c>[name="web"]</c>.
/// </summary>
internal static class JsonValues
{
    public static bool DeepEquals(JsonNode? a, JsonNode? b) => Compare(a, b) == 0;

    public static int Compare(JsonNode? a, JsonNode? b)
    {
        int ra = Rank(a), rb = Rank(b);
        if (ra != rb) return ra.CompareTo(rb);
        switch (ra)
        {
            case 0:
                var (ai, al, ad) = Number(a!);
                var (bi, bl, bd) = Number(b!);
                return ai && bi ? al.CompareTo(bl) : ad.CompareTo(bd);
            case 1: return string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>());
            case 2: return a!.GetValue<bool>().CompareTo(b!.GetValue<bool>());
            case 3:
                {
                    var la = a!.AsArray(); var lb = b!.AsArray();
                    for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
                    {
                        var c = Compare(la[i], lb[i]);
                        if (c != 0) return c;
                    }
                    return la.Count.CompareTo(lb.Count);
                }
            case 4:
                {
                    // SMD compares maps by their sorted keys, then values.
                    var ka = a!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
                    var kb = b!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
                    for (int i = 0; i < Math.Min(ka.Count, kb.Count); i++)
                    {
                        var c = string.CompareOrdinal(ka[i], kb[i]);
                        if (c != 0) return c;
                        c = Compare(a.AsObject()[ka[i]], b.AsObject()[kb[i]]);
                        if (c != 0) return c;
                    }
                    return ka.Count.CompareTo(kb.Count);
                }
            default: return 0;
        }
    }

    static int Rank(JsonNode? n) => n switch
    {
        null => 5,
        JsonObject => 4,
        JsonArray => 3,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.Number => 0,
            JsonValueKind.String => 1,
            JsonValueKind.True or JsonValueKind.False => 2,
            _ => 5,
        },
        _ => 5,
    };

    /// <summary>Go's unstructured JSON keeps integers as int64 and everything else as float64.</summary>
    static (bool IsInt, long Int, double Float) Number(JsonNode n)
    {
        var raw = n.ToJsonString();
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return (true, l, l);
        return (false, 0, double.Parse(raw, CultureInfo.InvariantCulture));
    }

    public static bool IsNumber(JsonNode? n) => Rank(n) == 0;

    /// <summary>SMD's <c>value.ToString</c>: strings as Go <c>%q</c>, numbers and booleans as <c>%v</c>.</summary>
    public static string ToGoString(JsonNode? n) => n switch
    {
        null => "null",
        JsonArray a => "[" + string.Join(",", a.Select(ToGoString)) + "]",
        JsonObject o => string.Concat(o.Select(p => $"{p.Key}={ToGoString(p.Value)}")),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoQuote(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => FormatNumber(v),
        _ => n.ToJsonString(),
    };

    static string FormatNumber(JsonNode n)
    {
        var (isInt, l, d) = Number(n);
        return isInt ? l.ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>strconv.Quote</c>.</summary>
    public static string GoQuote(string s) => Registry.Validation.GoValue.Quote(s);

    /// <summary>
    /// Compact JSON as Go's <c>encoding/json</c> writes it: map keys sorted, <c>&lt;</c>, <c>&gt;</c>,
    /// <c>&amp;</c>, U+2028 and U+2029 escaped, other non-ASCII text written as is. Used for
    /// FieldsV1 keys (<c>k:{"name":"web"}</c>, <c>v:"x"</c>) and the last-applied annotation.
    /// </summary>
    public static string ToGoJson(JsonNode? n)
    {
        var sb = new StringBuilder();
        WriteGoJson(sb, n);
        return sb.ToString();
    }

    public static void WriteGoJson(StringBuilder sb, JsonNode? n)
    {
        switch (n)
        {
            case null: sb.Append("null"); break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var p in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteGoString(sb, p.Key);
                    sb.Append(':');
                    WriteGoJson(sb, p.Value);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteGoJson(sb, a[i]);
                }
                sb.Append(']');
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String: WriteGoString(sb, v.GetValue<string>()); break;
            default: sb.Append(n.ToJsonString()); break;
        }
    }

    public static void WriteGoString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029': sb.Append($"\\u{(int)c:x4}"); break;
                default:
                    if (c < 0x20) sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
