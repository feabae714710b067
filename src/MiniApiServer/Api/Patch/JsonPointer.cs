using System.Globalization;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// An RFC 6901 JSON Pointer split into its parent tokens and last token. Tokens are unescaped
/// <c>~1</c> → <c>/</c> first, then <c>~0</c> → <c>~</c> (RFC 6901 §4). Like kube's json-patch
/// library (evanphx/json-patch v4), the whole-document pointer "" addresses nothing a patch can change.
/// </summary>
internal sealed record JsonPointer(string Text, IReadOnlyList<string> Parents, string Last)
{
    public static JsonPointer Parse(string text)
    {
        if (!text.StartsWith('/'))
            throw new JsonPatchFailure($"doc is missing path: \"{text}\"");
        var tokens = text[1..].Split('/').Select(Unescape).ToArray();
        return new JsonPointer(text, tokens[..^1], tokens[^1]);
    }

    static string Unescape(string token) => token.Replace("~1", "/").Replace("~0", "~");

    /// <summary>The object or array holding the addressed location; fails when a parent is missing.</summary>
    public JsonNode ResolveParent(JsonNode root)
    {
        var current = root;
        foreach (var token in Parents)
        {
            JsonNode? next = current switch
            {
                JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : null,
                JsonArray a => TryIndex(token, a.Count, out var i) ? a[i] : null,
                _ => null,
            };
            current = next is JsonObject or JsonArray ? next : throw new JsonPatchFailure($"doc is missing path: \"{Text}\"");
        }
        return current;
    }

    /// <summary>
    /// An array index token: decimal digits without a leading zero (RFC 6901 §4). Negative indices
    /// count from the end, as evanphx/json-patch v4 (SupportNegativeIndices = true) allows.
    /// <paramref name="count"/> is the number of valid positions (Count for reads, Count + 1 for add).
    /// </summary>
    public static bool TryIndex(string token, int count, out int index)
    {
        index = -1;
        var digits = token.StartsWith('-') ? token[1..] : token;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || (digits.Length > 1 && digits[0] == '0'))
            return false;
        if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            return false;
        if (i < 0) i += count;
        if (i < 0 || i >= count) return false;
        index = i;
        return true;
    }
}

/// <summary>An RFC 6902 operation that does not apply; kube answers it with a bare 422.</summary>
internal sealed class JsonPatchFailure(string message) : Exception(message);
