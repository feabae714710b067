namespace MiniApiServer.Runtime.Shell;

/// <summary>A piece of a shell word: literal text, a parameter (<c>$X</c>, <c>${X}</c>, <c>${X:-default}</c>) or a
/// command substitution (<c>$(…)</c>, backquotes). Quoted pieces are not split into fields after expansion.</summary>
public abstract record WordPart(bool Quoted)
{
    public sealed record Literal(string Text, bool Quoted) : WordPart(Quoted);
    public sealed record Parameter(string Name, bool Quoted, Word? Default = null) : WordPart(Quoted);
    public sealed record Substitution(string Script, bool Quoted) : WordPart(Quoted);
}

/// <summary>One word of the script as written, before expansion.</summary>
public sealed record Word(IReadOnlyList<WordPart> Parts)
{
    /// <summary>The text when the word is a single unquoted literal (a reserved word, an operator-like word), else null.</summary>
    public string? Plain => Parts is [WordPart.Literal { Quoted: false } l] ? l.Text : null;
}

/// <summary>A redirection: <c>[fd]&gt;target</c>, <c>&gt;&gt;</c>, <c>&lt;</c>, or a descriptor copy <c>[fd]&gt;&amp;n</c>.</summary>
public sealed record Redirect(int Fd, string Op, Word Target);

public abstract record ShellNode;
public sealed record ListNode(IReadOnlyList<AndOrNode> Items) : ShellNode;
public sealed record AndOrNode(PipelineNode First, IReadOnlyList<(string Op, PipelineNode Pipeline)> Rest, bool Background) : ShellNode;
public sealed record PipelineNode(bool Negate, IReadOnlyList<ShellNode> Commands) : ShellNode;
public sealed record SimpleCommand(IReadOnlyList<(string Name, Word Value)> Assignments, IReadOnlyList<Word> Words, IReadOnlyList<Redirect> Redirects) : ShellNode;
public sealed record IfNode(IReadOnlyList<(ListNode Condition, ListNode Body)> Branches, ListNode? Else) : ShellNode;
public sealed record LoopNode(ListNode Condition, ListNode Body, bool Until) : ShellNode;
public sealed record ForNode(string Variable, IReadOnlyList<Word>? Items, ListNode Body) : ShellNode;
public sealed record GroupNode(ListNode Body) : ShellNode;

/// <summary>A script the shell cannot parse; the message is what busybox sh prints after "sh: ".</summary>
public sealed class ShellSyntaxException(string message) : Exception(message);

/// <summary>
/// The POSIX shell grammar, reduced to what container commands use: lists (<c>;</c>, newline, <c>&amp;</c>),
/// <c>&amp;&amp;</c>/<c>||</c>, pipelines (with <c>!</c>), simple commands with assignments and redirections,
/// <c>if</c>/<c>while</c>/<c>until</c>/<c>for</c> and <c>{ …; }</c>. Quoting follows sh: single quotes are literal,
/// double quotes allow <c>$</c> expansions and <c>\</c> before <c>$ ` " \</c>; comments start with an unquoted #.
/// </summary>
public sealed class ShellParser
{
    abstract record Token;
    sealed record WordToken(Word Word) : Token;
    sealed record OpToken(string Op) : Token;
    sealed record RedirectToken(int Fd, string Op) : Token;

    readonly List<Token> tokens;
    int pos;

    ShellParser(List<Token> tokens) => this.tokens = tokens;

    public static ListNode Parse(string script)
    {
        var parser = new ShellParser(Lex(script));
        var list = parser.ParseList([]);
        if (parser.pos < parser.tokens.Count)
            throw new ShellSyntaxException($"syntax error: unexpected \"{Describe(parser.tokens[parser.pos])}\"");
        return list;
    }

    static string Describe(Token t) => t switch
    {
        WordToken w => w.Word.Plain ?? "word",
        OpToken o => o.Op == "\n" ? "newline" : o.Op,
        RedirectToken r => r.Op,
        _ => "?",
    };

    // ------------------------------------------------------------------ lexer

    static List<Token> Lex(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is ' ' or '\t' or '\r') { i++; continue; }
            if (c == '\\' && i + 1 < s.Length && s[i + 1] == '\n') { i += 2; continue; }
            if (c == '#') { while (i < s.Length && s[i] != '\n') i++; continue; }
            if (c == '\n') { tokens.Add(new OpToken("\n")); i++; continue; }
            if (c is ';' or '|' or '&' or '(' or ')')
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "&&" or "||" or ";;") { tokens.Add(new OpToken(two)); i += 2; continue; }
                tokens.Add(new OpToken(c.ToString()));
                i++;
                continue;
            }
            // [n]>, >>, <, >&, <&
            var fd = -1;
            var j = i;
            if (char.IsAsciiDigit(c) && i + 1 < s.Length && s[i + 1] is '>' or '<') { fd = c - '0'; j = i + 1; }
            if (s[j] is '>' or '<')
            {
                var op = s[j].ToString();
                j++;
                if (j < s.Length && (s[j] == '>' && op == ">" || s[j] == '&')) { op += s[j]; j++; }
                tokens.Add(new RedirectToken(fd >= 0 ? fd : op.StartsWith('<') ? 0 : 1, op));
                i = j;
                continue;
            }
            tokens.Add(new WordToken(LexWord(s, ref i)));
        }
        return tokens;
    }

    static Word LexWord(string s, ref int i)
    {
        var parts = new List<WordPart>();
        var lit = new System.Text.StringBuilder();
        void Flush(bool quoted)
        {
            if (lit.Length > 0) parts.Add(new WordPart.Literal(lit.ToString(), quoted));
            lit.Clear();
        }
        while (i < s.Length)
        {
            var c = s[i];
            if (c is ' ' or '\t' or '\r' or '\n' or ';' or '|' or '&' or '(' or ')' or '<' or '>') break;
            if (c == '\\')
            {
                if (i + 1 < s.Length) { Flush(false); parts.Add(new WordPart.Literal(s[i + 1].ToString(), true)); i += 2; }
                else i++;
                continue;
            }
            if (c == '\'')
            {
                Flush(false);
                var end = s.IndexOf('\'', i + 1);
                if (end < 0) throw new ShellSyntaxException("syntax error: unterminated quoted string");
                parts.Add(new WordPart.Literal(s[(i + 1)..end], true));
                i = end + 1;
                continue;
            }
            if (c == '"')
            {
                Flush(false);
                i++;
                var closed = false;
                var before = parts.Count;
                while (i < s.Length)
                {
                    var d = s[i];
                    if (d == '"') { closed = true; i++; break; }
                    if (d == '\\' && i + 1 < s.Length && s[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                    {
                        if (s[i + 1] != '\n') lit.Append(s[i + 1]);
                        i += 2;
                        continue;
                    }
                    if (d is '$' or '`' && TryExpansion(s, ref i, quoted: true) is { } part)
                    {
                        Flush(true);
                        parts.Add(part);
                        continue;
                    }
                    lit.Append(d);
                    i++;
                }
                if (!closed) throw new ShellSyntaxException("syntax error: unterminated quoted string");
                Flush(true);
                // "" is an empty field, not nothing.
                if (parts.Count == before) parts.Add(new WordPart.Literal("", true));
                continue;
            }
            if (c is '$' or '`' && TryExpansion(s, ref i, quoted: false) is { } p)
            {
                Flush(false);
                parts.Add(p);
                continue;
            }
            lit.Append(c);
            i++;
        }
        Flush(false);
        return new Word(parts);
    }

    /// <summary>A <c>$</c> or backquote expansion at <paramref name="i"/>, or null when the <c>$</c> is literal.</summary>
    static WordPart? TryExpansion(string s, ref int i, bool quoted)
    {
        if (s[i] == '`')
        {
            var end = s.IndexOf('`', i + 1);
            if (end < 0) throw new ShellSyntaxException("syntax error: unterminated quoted string");
            var script = s[(i + 1)..end];
            i = end + 1;
            return new WordPart.Substitution(script, quoted);
        }
        if (i + 1 >= s.Length) return null;
        var n = s[i + 1];
        if (n == '(')
        {
            var end = MatchingParen(s, i + 1);
            var script = s[(i + 2)..end];
            i = end + 1;
            return new WordPart.Substitution(script, quoted);
        }
        if (n == '{')
        {
            var end = s.IndexOf('}', i + 2);
            if (end < 0) throw new ShellSyntaxException("syntax error: missing '}'");
            var body = s[(i + 2)..end];
            i = end + 1;
            var dash = body.IndexOf(":-", StringComparison.Ordinal);
            if (dash < 0) return new WordPart.Parameter(body, quoted);
            var rest = body[(dash + 2)..];
            var k = 0;
            return new WordPart.Parameter(body[..dash], quoted, rest.Length == 0 ? new Word([new WordPart.Literal("", true)]) : LexWord(rest, ref k));
        }
        if (n is '?' or '#' or '@' or '*' or '$' or '!' || char.IsAsciiDigit(n))
        {
            i += 2;
            return new WordPart.Parameter(n.ToString(), quoted);
        }
        if (char.IsAsciiLetter(n) || n == '_')
        {
            var j = i + 1;
            while (j < s.Length && (char.IsAsciiLetterOrDigit(s[j]) || s[j] == '_')) j++;
            var name = s[(i + 1)..j];
            i = j;
            return new WordPart.Parameter(name, quoted);
        }
        return null;
    }

    /// <summary>The index of the ')' closing the '(' at <paramref name="open"/>, skipping quotes and nested parentheses.</summary>
    static int MatchingParen(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '\\': i++; break;
                case '\'': i = s.IndexOf('\'', i + 1); if (i < 0) throw new ShellSyntaxException("syntax error: unterminated quoted string"); break;
                case '"':
                    for (i++; i < s.Length && s[i] != '"'; i++) if (s[i] == '\\') i++;
                    break;
                case '(': depth++; break;
                case ')': if (--depth == 0) return i; break;
            }
        }
        throw new ShellSyntaxException("syntax error: missing ')'");
    }

    // ------------------------------------------------------------------ parser

    Token? Peek => pos < tokens.Count ? tokens[pos] : null;
    bool AtOp(string op) => Peek is OpToken o && o.Op == op;
    bool AtWord(string word) => Peek is WordToken w && w.Word.Plain == word;

    void SkipNewlines()
    {
        while (AtOp("\n")) pos++;
    }

    void Expect(string word)
    {
        SkipNewlines();
        if (!AtWord(word))
            throw new ShellSyntaxException(Peek is null ? $"syntax error: unexpected end of file (expecting \"{word}\")" : $"syntax error: unexpected \"{Describe(Peek)}\" (expecting \"{word}\")");
        pos++;
    }

    ListNode ParseList(IReadOnlyCollection<string> terminators)
    {
        var items = new List<AndOrNode>();
        while (true)
        {
            while (AtOp("\n") || AtOp(";")) pos++;
            if (Peek is null || AtOp(")") || Peek is WordToken w && w.Word.Plain is { } p && terminators.Contains(p)) break;
            var andOr = ParseAndOr();
            if (AtOp("&")) { pos++; andOr = andOr with { Background = true }; }
            items.Add(andOr);
            if (!(AtOp(";") || AtOp("\n") || andOr.Background)) break;
        }
        return new ListNode(items);
    }

    AndOrNode ParseAndOr()
    {
        var first = ParsePipeline();
        var rest = new List<(string, PipelineNode)>();
        while (AtOp("&&") || AtOp("||"))
        {
            var op = ((OpToken)Peek!).Op;
            pos++;
            SkipNewlines();
            rest.Add((op, ParsePipeline()));
        }
        return new AndOrNode(first, rest, false);
    }

    PipelineNode ParsePipeline()
    {
        var negate = false;
        if (AtWord("!")) { negate = true; pos++; }
        var commands = new List<ShellNode> { ParseCommand() };
        while (AtOp("|"))
        {
            pos++;
            SkipNewlines();
            commands.Add(ParseCommand());
        }
        return new PipelineNode(negate, commands);
    }

    ShellNode ParseCommand()
    {
        if (AtWord("if")) return ParseIf();
        if (AtWord("while") || AtWord("until"))
        {
            var until = AtWord("until");
            pos++;
            var condition = ParseList(["do"]);
            Expect("do");
            var body = ParseList(["done"]);
            Expect("done");
            return new LoopNode(condition, body, until);
        }
        if (AtWord("for")) return ParseFor();
        if (AtWord("{"))
        {
            pos++;
            var body = ParseList(["}"]);
            Expect("}");
            return new GroupNode(body);
        }
        return ParseSimple();
    }

    IfNode ParseIf()
    {
        var branches = new List<(ListNode, ListNode)>();
        ListNode? otherwise = null;
        pos++; // if
        while (true)
        {
            var condition = ParseList(["then"]);
            Expect("then");
            var body = ParseList(["elif", "else", "fi"]);
            branches.Add((condition, body));
            SkipNewlines();
            if (AtWord("elif")) { pos++; continue; }
            if (AtWord("else")) { pos++; otherwise = ParseList(["fi"]); }
            Expect("fi");
            return new IfNode(branches, otherwise);
        }
    }

    ForNode ParseFor()
    {
        pos++; // for
        if (Peek is not WordToken { Word.Plain: { } name }) throw new ShellSyntaxException("syntax error: bad for loop variable");
        pos++;
        List<Word>? items = null;
        SkipNewlines();
        if (AtWord("in"))
        {
            pos++;
            items = [];
            while (Peek is WordToken w) { items.Add(w.Word); pos++; }
        }
        while (AtOp(";") || AtOp("\n")) pos++;
        Expect("do");
        var body = ParseList(["done"]);
        Expect("done");
        return new ForNode(name, items, body);
    }

    SimpleCommand ParseSimple()
    {
        var assignments = new List<(string, Word)>();
        var words = new List<Word>();
        var redirects = new List<Redirect>();
        while (true)
        {
            if (Peek is RedirectToken r)
            {
                pos++;
                if (Peek is not WordToken target) throw new ShellSyntaxException("syntax error: unexpected redirection without a target");
                pos++;
                redirects.Add(new Redirect(r.Fd, r.Op, target.Word));
                continue;
            }
            if (Peek is not WordToken w) break;
            if (words.Count == 0 && AsAssignment(w.Word) is { } assignment) assignments.Add(assignment);
            else words.Add(w.Word);
            pos++;
        }
        if (words.Count == 0 && assignments.Count == 0 && redirects.Count == 0)
            throw new ShellSyntaxException(Peek is null ? "syntax error: unexpected end of file" : $"syntax error: unexpected \"{Describe(Peek)}\"");
        return new SimpleCommand(assignments, words, redirects);
    }

    /// <summary><c>NAME=value</c> before the command name: the first part is an unquoted literal with a valid name before '='.</summary>
    static (string, Word)? AsAssignment(Word word)
    {
        if (word.Parts.Count == 0 || word.Parts[0] is not WordPart.Literal { Quoted: false } first) return null;
        var eq = first.Text.IndexOf('=');
        if (eq <= 0) return null;
        var name = first.Text[..eq];
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')) return null;
        var rest = new List<WordPart>();
        if (eq + 1 < first.Text.Length) rest.Add(new WordPart.Literal(first.Text[(eq + 1)..], false));
        rest.AddRange(word.Parts.Skip(1));
        return (name, new Word(rest));
    }
}
