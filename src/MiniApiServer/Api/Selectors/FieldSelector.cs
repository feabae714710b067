using System.Text;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Api.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> (also written <c>==</c>) or <c>field!=value</c>.</summary>
public sealed record FieldRequirement(string Field, SelectorOperator Operator, string Value)
{
    /// <summary>A field the object lacks reads as "" (fields.Set.Get), so "x!=y" matches objects without x.</summary>
    public bool Matches(Func<string, string?> getField)
    {
        var actual = getField(Field) ?? "";
        return Operator == SelectorOperator.NotEquals ? actual != Value : actual == Value;
    }

    public override string ToString() =>
        Field + (Operator == SelectorOperator.NotEquals ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}

/// <summary>
/// A parsed field selector (<c>fields.Selector</c>): a comma list of <c>field=value</c>, <c>field==value</c>
/// and <c>field!=value</c> terms that must all hold. In a value, <c>\\</c>, <c>\,</c> and <c>\=</c> stand for
/// the character itself; an unescaped ',' or '=' or any other escape is an error.
/// </summary>
public sealed class FieldSelector
{
    FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    /// <summary>The empty selector: every object matches.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, in the order kube keeps them (the raw terms sorted as strings).</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>The field labels the selector names: what the kind must support.</summary>
    public IEnumerable<string> RequirementFields => Requirements.Select(r => r.Field);

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>
    /// Parses <c>?fieldSelector=</c>. A malformed selector is a 400 BadRequest with kube's message, e.g.
    /// <c>invalid selector: 'a'; can't understand 'a'</c>. Field names are not checked here: see <see cref="Convert"/>.
    /// </summary>
    public static FieldSelector Parse(string? selector) =>
        TryParse(selector, out var result, out var error) ? result : throw StatusErrors.BadRequest(error!);

    public static bool TryParse(string? selector, out FieldSelector result, out string? error)
    {
        result = Everything;
        error = null;
        selector ??= "";
        var terms = SplitTerms(selector);
        // fields.parseSelector sorts the raw terms before reading them, so errors and order follow that sort.
        terms.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var term in terms)
        {
            if (term.Length == 0) continue;
            if (!SplitTerm(term, out var field, out var op, out var rawValue))
            {
                error = $"invalid selector: '{selector}'; can't understand '{term}'";
                return false;
            }
            if (!TryUnescapeValue(rawValue, out var value, out error)) return false;
            requirements.Add(new FieldRequirement(field, op, value));
        }
        if (requirements.Count > 0) result = new FieldSelector(requirements);
        return true;
    }

    /// <summary>
    /// Applies the kind's field-label conversion to every term, as the list, watch and deletecollection handlers do
    /// after parsing: an unsupported label is a 400 BadRequest (<c>field label not supported: spec.foo</c> for pods,
    /// <c>"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"</c> for kinds
    /// without a conversion of their own); old names are renamed (pods' spec.host → spec.nodeName).
    /// </summary>
    public FieldSelector Convert(FieldLabelSet supported)
    {
        if (IsEmpty) return this;
        var converted = new List<FieldRequirement>(Requirements.Count);
        foreach (var r in Requirements)
        {
            if (!supported.TryConvert(r.Field, out var field, out var error)) throw StatusErrors.BadRequest(error!);
            converted.Add(r with { Field = field });
        }
        return new FieldSelector(converted);
    }

    /// <summary>Whether the object, read through the kind's field getter, satisfies every term.</summary>
    public bool Matches(Func<string, string?> getField)
    {
        foreach (var r in Requirements)
            if (!r.Matches(getField)) return false;
        return true;
    }

    /// <summary>The value a term <c>field=value</c> pins (e.g. metadata.name, to read one object instead of listing).</summary>
    public bool RequiresExactMatch(string field, out string value)
    {
        foreach (var r in Requirements)
        {
            if (r.Field == field && r.Operator != SelectorOperator.NotEquals)
            {
                value = r.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    /// <summary>fields.EscapeValue: a backslash before every '\', ',' and '='.</summary>
    public static string EscapeValue(string value) =>
        value.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=");

    /// <summary>Splits at commas that are not escaped by a backslash.</summary>
    static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        if (selector.Length == 0) return terms;
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash) inSlash = false;
            else if (c == '\\') inSlash = true;
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }
        terms.Add(selector[start..]);
        return terms;
    }

    /// <summary>The first position holding "!=", "==" or "=" (tried in that order) splits field from value.</summary>
    static bool SplitTerm(string term, out string field, out SelectorOperator op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var (text, o) in TermOperators)
            {
                if (string.CompareOrdinal(term, i, text, 0, text.Length) == 0)
                {
                    (field, op, value) = (term[..i], o, term[(i + text.Length)..]);
                    return true;
                }
            }
        }
        (field, op, value) = ("", SelectorOperator.Equals, "");
        return false;
    }

    static readonly (string Text, SelectorOperator Op)[] TermOperators =
        [("!=", SelectorOperator.NotEquals), ("==", SelectorOperator.DoubleEquals), ("=", SelectorOperator.Equals)];

    /// <summary>
    /// fields.UnescapeValue. Kube prints an unescaped character as its code point ("unescaped character in value: 61"
    /// for '='), because its message formats a Go rune with %v.
    /// </summary>
    static bool TryUnescapeValue(string s, out string value, out string? error)
    {
        value = s;
        error = null;
        if (s.IndexOfAny(['\\', ',', '=']) < 0) return true;
        var sb = new StringBuilder(s.Length);
        var inSlash = false;
        foreach (var rune in s.EnumerateRunes())
        {
            if (inSlash)
            {
                if (rune.Value is '\\' or ',' or '=') sb.Append((char)rune.Value);
                else
                {
                    error = $"invalid field selector: invalid escape sequence: \\{rune}";
                    return false;
                }
                inSlash = false;
                continue;
            }
            switch (rune.Value)
            {
                case '\\': inSlash = true; break;
                case ',' or '=':
                    error = $"invalid field selector: unescaped character in value: {rune.Value}";
                    return false;
                default: sb.Append(rune.ToString()); break;
            }
        }
        if (inSlash)
        {
            error = "invalid field selector: invalid escape sequence: \\";
            return false;
        }
        value = sb.ToString();
        return true;
    }
}
