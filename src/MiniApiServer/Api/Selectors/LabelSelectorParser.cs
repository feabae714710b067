using MiniApiServer.Api.Errors;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Api.Selectors;

/// <summary>
/// The lexer and recursive-descent parser of apimachinery's <c>labels.Parse</c>, kept token for token so that
/// the same strings are accepted and the same error messages come out:
/// <c>selector := requirement ("," requirement)*</c>, <c>requirement := ["!"] key [op value | ("in"|"notin") "(" values ")"]</c>.
/// </summary>
internal sealed class LabelSelectorParser
{
    enum Token { Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar }

    /// <summary>In a value position the keywords "in" and "notin" are ordinary identifiers.</summary>
    enum Context { KeyAndOperator, Values }

    readonly record struct Item(Token Token, string Literal);

    static readonly Dictionary<string, Token> Keywords = new(StringComparer.Ordinal)
    {
        [")"] = Token.ClosedPar, [","] = Token.Comma, ["!"] = Token.DoesNotExist, ["=="] = Token.DoubleEquals,
        ["="] = Token.Equals, [">"] = Token.GreaterThan, ["in"] = Token.In, ["<"] = Token.LessThan,
        ["!="] = Token.NotEquals, ["notin"] = Token.NotIn, ["("] = Token.OpenPar,
    };

    /// <summary>selection's binaryOperators, in the order kube lists them in "expected:" messages.</summary>
    const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    readonly List<Item> _items = [];
    int _position;

    LabelSelectorParser(string selector) => Scan(selector);

    /// <summary>Parses the query-string form; requirements come back sorted by key, as kube sorts them.</summary>
    public static bool TryParse(string selector, out List<LabelRequirement> requirements, out string? error)
    {
        var parser = new LabelSelectorParser(selector);
        error = parser.Parse(out requirements);
        requirements = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        return error is null;
    }

    // ---- lexer ----

    static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';
    static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    void Scan(string s)
    {
        var pos = 0;
        // Go's lexer reads a NUL byte as it reads the end of input: between tokens it ends the selector, inside a word it ends the word.
        char Read() => pos < s.Length ? s[pos++] : '\0';
        while (true)
        {
            var ch = Read();
            while (IsWhitespace(ch)) ch = Read();
            if (ch == '\0') { _items.Add(new Item(Token.EndOfString, "")); return; }
            pos--;
            _items.Add(IsSpecial(ch) ? ScanSpecial() : ScanIdentifierOrKeyword());
        }

        Item ScanIdentifierOrKeyword()
        {
            var start = pos;
            while (pos < s.Length && s[pos] != '\0' && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) pos++;
            var word = s[start..pos];
            if (pos < s.Length && s[pos] == '\0') pos++; // Go consumes the NUL that ends a word
            return Keywords.TryGetValue(word, out var t) ? new Item(t, word) : new Item(Token.Identifier, word);
        }

        // The longest run of special characters that is still an operator: "!=" is one token, "=(" two.
        Item ScanSpecial()
        {
            var start = pos;
            Item? last = null;
            while (pos < s.Length && IsSpecial(s[pos]))
            {
                pos++;
                var text = s[start..pos];
                if (Keywords.TryGetValue(text, out var t)) last = new Item(t, text);
                else if (last is not null) { pos--; break; }
            }
            if (pos < s.Length && s[pos] == '\0') pos++;
            return last ?? new Item(Token.Error, $"error expected: keyword found '{s[start..pos]}'");
        }
    }

    // ---- parser ----

    Item Lookahead(Context context) => InContext(_items[_position], context);

    Item Consume(Context context) => InContext(_items[_position++], context);

    static Item InContext(Item item, Context context) =>
        context == Context.Values && item.Token is Token.In or Token.NotIn ? item with { Token = Token.Identifier } : item;

    string? Parse(out List<LabelRequirement> requirements)
    {
        requirements = [];
        while (true)
        {
            var next = Lookahead(Context.Values);
            switch (next.Token)
            {
                case Token.Identifier or Token.DoesNotExist:
                    var err = ParseRequirement(out var requirement);
                    if (err is not null) return "unable to parse requirement: " + err;
                    requirements.Add(requirement!);
                    var after = Consume(Context.Values);
                    switch (after.Token)
                    {
                        case Token.EndOfString:
                            return null;
                        case Token.Comma:
                            var t2 = Lookahead(Context.Values);
                            if (t2.Token is not (Token.Identifier or Token.DoesNotExist))
                                return $"found '{t2.Literal}', expected: identifier after ','";
                            break;
                        default:
                            return $"found '{after.Literal}', expected: ',' or 'end of string'";
                    }
                    break;
                case Token.EndOfString:
                    return null;
                default:
                    return $"found '{next.Literal}', expected: !, identifier, or 'end of string'";
            }
        }
    }

    string? ParseRequirement(out LabelRequirement? requirement)
    {
        requirement = null;
        var err = ParseKeyAndInferOperator(out var key, out var op);
        if (err is not null) return err;
        if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
            return LabelRequirement.TryCreate(key, op.Value, [], out requirement, out var e1) ? null : e1;

        var binary = ParseOperator(out err);
        if (binary is null) return err;
        SortedSet<string> values;
        err = binary is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues(out values) : ParseExactValue(out values);
        if (err is not null) return err;
        // sets.String.List(): the values sorted and without duplicates.
        return LabelRequirement.TryCreate(key, binary.Value, values.ToList(), out requirement, out var e2) ? null : e2;
    }

    string? ParseKeyAndInferOperator(out string key, out SelectorOperator? op)
    {
        key = "";
        op = null;
        var item = Consume(Context.Values);
        if (item.Token == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            item = Consume(Context.Values);
        }
        if (item.Token != Token.Identifier) return $"found '{item.Literal}', expected: identifier";
        var keyErrors = NameValidation.IsQualifiedName(item.Literal);
        // The parser validates the key against a nil field path, which Go prints as "<nil>".
        if (keyErrors.Count > 0) return FieldError.Invalid("<nil>", item.Literal, string.Join("; ", keyErrors)).ToString();
        key = item.Literal;
        if (Lookahead(Context.Values).Token is Token.EndOfString or Token.Comma && op is null) op = SelectorOperator.Exists;
        return null;
    }

    SelectorOperator? ParseOperator(out string? error)
    {
        var item = Consume(Context.KeyAndOperator);
        SelectorOperator? op = item.Token switch
        {
            Token.In => SelectorOperator.In,
            Token.Equals => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => null,
        };
        error = op is null ? $"found '{item.Literal}', expected: {BinaryOperators}" : null;
        return op;
    }

    string? ParseValues(out SortedSet<string> values)
    {
        values = new SortedSet<string>(StringComparer.Ordinal);
        var open = Consume(Context.Values);
        if (open.Token != Token.OpenPar) return $"found '{open.Literal}' expected: '('";
        var first = Lookahead(Context.Values);
        switch (first.Token)
        {
            case Token.Identifier or Token.Comma:
                var err = ParseIdentifiersList(values);
                if (err is not null) return err;
                if (Consume(Context.Values).Token != Token.ClosedPar) return $"found '{first.Literal}', expected: ')'";
                return null;
            case Token.ClosedPar:
                // "()" is the set holding only the empty value.
                Consume(Context.Values);
                values.Add("");
                return null;
            default:
                return $"found '{first.Literal}', expected: ',', ')' or identifier";
        }
    }

    /// <summary>A comma list inside parentheses; empty members ("(,a)", "(a,,b)", "(a,)") stand for the empty value.</summary>
    string? ParseIdentifiersList(SortedSet<string> values)
    {
        while (true)
        {
            var item = Consume(Context.Values);
            switch (item.Token)
            {
                case Token.Identifier:
                    values.Add(item.Literal);
                    var next = Lookahead(Context.Values);
                    if (next.Token == Token.Comma) continue;
                    if (next.Token == Token.ClosedPar) return null;
                    return $"found '{next.Literal}', expected: ',' or ')'";
                case Token.Comma:
                    if (values.Count == 0) values.Add("");
                    var t2 = Lookahead(Context.Values).Token;
                    if (t2 == Token.ClosedPar) { values.Add(""); return null; }
                    if (t2 == Token.Comma) { Consume(Context.Values); values.Add(""); }
                    break;
                default:
                    return $"found '{item.Literal}', expected: ',', or identifier";
            }
        }
    }

    /// <summary>The value after =, ==, !=, &gt; or &lt;; nothing before ',' or the end means the empty value.</summary>
    string? ParseExactValue(out SortedSet<string> values)
    {
        values = new SortedSet<string>(StringComparer.Ordinal);
        if (Lookahead(Context.Values).Token is Token.EndOfString or Token.Comma)
        {
            values.Add("");
            return null;
        }
        var item = Consume(Context.Values);
        if (item.Token != Token.Identifier) return $"found '{item.Literal}', expected: identifier";
        values.Add(item.Literal);
        return null;
    }
}
