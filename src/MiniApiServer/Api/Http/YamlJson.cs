using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MiniApiServer.Api.Http;

/// <summary>YAML request bodies to JSON, resolving plain scalars as YAML 1.2's core schema does (as sigs.k8s.io/yaml's
/// JSON conversion does for the forms manifests use), and JSON to YAML for <c>Accept: application/yaml</c>.</summary>
public static class YamlJson
{
    public static JsonNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw Errors.StatusErrors.BadRequest($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count == 0) return null;
        return Convert(stream.Documents[0].RootNode);
    }

    static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode sc => Scalar(sc),
        _ => null,
    };

    static JsonNode? Scalar(YamlScalarNode sc)
    {
        var v = sc.Value ?? "";
        if (sc.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(v);
        if (!sc.Tag.IsEmpty && !sc.Tag.IsNonSpecific && sc.Tag.Value == "tag:yaml.org,2002:str") return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (v.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(v[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)) return JsonValue.Create(hex);
        if (System.Text.RegularExpressions.Regex.IsMatch(v, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
            && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    /// <summary>JSON to block-style YAML, quoting strings that would otherwise read back as another type.</summary>
    public static string Write(JsonNode? node)
    {
        var sb = new System.Text.StringBuilder();
        WriteNode(sb, node, 0, inSequence: false);
        return sb.ToString();
    }

    static void WriteNode(System.Text.StringBuilder sb, JsonNode? node, int indent, bool inSequence)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!(first && inSequence)) sb.Append(pad);
                    first = false;
                    sb.Append(Key(k)).Append(':');
                    WriteChild(sb, v, indent);
                }
                break;
            case JsonArray a when a.Count > 0:
                foreach (var item in a)
                {
                    sb.Append(pad).Append("- ");
                    if (item is JsonObject io && io.Count > 0) WriteNode(sb, io, indent + 2, inSequence: true);
                    else if (item is JsonArray ia && ia.Count > 0) { sb.Append('\n'); WriteNode(sb, ia, indent + 2, false); }
                    else sb.Append(ScalarText(item)).Append('\n');
                }
                break;
            default:
                sb.Append(pad).Append(ScalarText(node)).Append('\n');
                break;
        }
    }

    static void WriteChild(System.Text.StringBuilder sb, JsonNode? v, int indent)
    {
        if (v is JsonObject co && co.Count > 0) { sb.Append('\n'); WriteNode(sb, co, indent + 2, false); }
        else if (v is JsonArray ca && ca.Count > 0) { sb.Append('\n'); WriteNode(sb, ca, indent, false); }
        else sb.Append(' ').Append(ScalarText(v)).Append('\n');
    }

    static string Key(string k) => NeedsQuotes(k) ? Quote(k) : k;

    static string ScalarText(JsonNode? v) => v switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue jv when jv.TryGetValue<string>(out var s) => NeedsQuotes(s) ? Quote(s) : s,
        _ => v.ToJsonString(),
    };

    static bool NeedsQuotes(string s) =>
        s.Length == 0 || s != s.Trim() || s.Contains('\n') || s.IndexOfAny([':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`']) >= 0
        || s[0] is '-' or '?' || Scalar(new YamlScalarNode(s)) is not JsonValue jv || !jv.TryGetValue<string>(out _);

    static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
