using System.Collections;
using System.Collections.Immutable;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Cel;
using Cel.Internal;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>An expression that did not compile: the detail becomes the field error's text.</summary>
public sealed class CelCompileException(string detail) : Exception(detail);

/// <summary>An expression that failed while evaluating a token's claims or user.</summary>
public sealed class CelEvaluationException(string detail) : Exception(detail);

/// <summary>
/// kube-apiserver's authentication CEL environments (k8s.io/apiserver pkg/authentication/cel): claim mappings and
/// claim validation rules see <c>claims</c> (map(string, any) of the token's claims); user validation rules see
/// <c>user</c> (kubernetes.UserInfo: username, uid, groups, extra).
///
/// Evaluation is done by the NuGet package <c>Cel</c>, which parses the full CEL grammar but checks nothing before
/// evaluation. cel-go's checker rejects unknown variables and functions at start-up, so this class walks the parse
/// tree first and accepts only the variables, macros and functions that the package evaluates as cel-go does
/// (each proven by tests). The optional syntax is supported in the forms <c>x.?f.orValue(d)</c>,
/// <c>x.?f.hasValue()</c> and <c>x.?f.value()</c> (functions registered here); every other optional form
/// (<c>[?k]</c>, chained <c>.?a.?b</c>, <c>optional.of</c>, optional list/map entries) is refused at start-up,
/// because the package does not evaluate them as cel-go does.
/// </summary>
public sealed class CelExpressionCompiler
{
    public const string ClaimsVariable = "claims";
    public const string UserVariable = "user";

    /// <summary>Fields of kube's kubernetes.UserInfo CEL type.</summary>
    static readonly ImmutableHashSet<string> UserFields = ["username", "uid", "groups", "extra"];

    /// <summary>Type names usable as values (type(x) == list).</summary>
    static readonly ImmutableHashSet<string> TypeIdentifiers = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"];

    /// <summary>Global functions and macros the package evaluates like cel-go.</summary>
    static readonly ImmutableHashSet<string> GlobalFunctions = ["has", "size", "int", "uint", "double", "string", "bool", "type", "dyn"];

    /// <summary>Receiver-style functions the package evaluates like cel-go.</summary>
    static readonly ImmutableHashSet<string> MemberFunctions = ["startsWith", "endsWith", "contains", "matches", "size"];

    /// <summary>Comprehension macros: the first argument names the bound variable.</summary>
    static readonly ImmutableHashSet<string> Macros = ["all", "exists", "exists_one", "map", "filter"];

    /// <summary>Optional-value methods, valid only on an optional field selection x.?f.</summary>
    static readonly ImmutableDictionary<string, int> OptionalMethods = new Dictionary<string, int>
    {
        ["orValue"] = 1, ["hasValue"] = 0, ["value"] = 0,
    }.ToImmutableDictionary();

    readonly CelEnvironment _environment = new([], "");
    readonly Lock _gate = new();

    public CelExpressionCompiler()
    {
        // x.?f evaluates (in the package) to f's value when the map has the key, and to a CelNoSuchField marker
        // otherwise: exactly optional.of(value) / optional.none() for these three methods.
        _environment.RegisterFunction("orValue", [typeof(object), typeof(object)], a => IsAbsent(a[0]) ? a[1] : a[0]);
        _environment.RegisterFunction("hasValue", [typeof(object)], a => !IsAbsent(a[0]));
        _environment.RegisterFunction("value", [typeof(object)], a => IsAbsent(a[0]) ? throw new CelEvaluationException("optional.none() dereference") : a[0]);
    }

    /// <summary>The package's marker for a missing map key (cel-go: "no such key").</summary>
    internal static bool IsAbsent(object? value) => value is not null && value.GetType().FullName == "Cel.Internal.CelNoSuchField";

    /// <summary>Compiles an expression over <paramref name="variable"/>; throws <see cref="CelCompileException"/> with cel-go-like text.</summary>
    public CompiledCelExpression Compile(string expression, string variable)
    {
        lock (_gate)
        {
            CelParser.StartContext tree;
            try
            {
                tree = _environment.Parse(expression);
            }
            catch (Exception e) when (e is CelException or RecognitionException or InvalidOperationException)
            {
                throw new CelCompileException($"compilation failed: ERROR: <input>: {FirstLine(e.Message)}");
            }
            new Checker(variable).Check(tree, ImmutableHashSet<string>.Empty);
            CelProgramDelegate program;
            try
            {
                program = _environment.Compile(tree);
            }
            catch (Exception e) when (e is CelException or InvalidOperationException or ArgumentException)
            {
                throw new CelCompileException($"compilation failed: ERROR: <input>: {FirstLine(e.Message)}");
            }
            return new CompiledCelExpression(expression, variable, program, UsesClaim(tree, "email"), UsesClaim(tree, "email_verified"));
        }
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>kube's hasSelectExp: the expression selects <c>claims.&lt;field&gt;</c> (plain or optional).</summary>
    static bool UsesClaim(IParseTree node, string field)
    {
        if (node is CelParser.SelectContext s && s.id?.Text == field && IsIdentifier(s.GetChild(0), ClaimsVariable)) return true;
        for (var i = 0; i < node.ChildCount; i++)
            if (UsesClaim(node.GetChild(i), field)) return true;
        return false;
    }

    /// <summary>The member is a bare identifier (no call), e.g. <c>claims</c>.</summary>
    static bool IsIdentifier(IParseTree node, string? name = null)
    {
        // An argument is an expr wrapped in single-child rule contexts down to the identifier.
        while (node is ParserRuleContext and not CelParser.IdentOrGlobalCallContext && node.ChildCount == 1) node = node.GetChild(0);
        return node is CelParser.IdentOrGlobalCallContext g && g.op is null && (name is null || g.id.Text == name);
    }

    static string IdentifierName(IParseTree node)
    {
        while (node is not CelParser.IdentOrGlobalCallContext && node.ChildCount == 1) node = node.GetChild(0);
        return node is CelParser.IdentOrGlobalCallContext { op: null } g ? g.id.Text : "";
    }

    /// <summary>The static check cel-go's type checker would do for what this environment offers.</summary>
    sealed class Checker(string variable)
    {
        public void Check(IParseTree node, ImmutableHashSet<string> bound)
        {
            switch (node)
            {
                case CelParser.IdentOrGlobalCallContext g:
                    CheckIdentOrCall(g, bound);
                    return;
                case CelParser.MemberCallContext m:
                    CheckMemberCall(m, bound);
                    return;
                case CelParser.SelectContext s:
                    if (s.opt is not null)
                        Fail(s.opt, "optional field selection is supported only as x.?field.orValue(default), x.?field.hasValue() or x.?field.value()");
                    CheckSelect(s, bound);
                    return;
                case CelParser.IndexContext i when i.opt is not null:
                    Fail(i.opt, "optional index x[?key] is not supported by this server");
                    return;
                case CelParser.OptExprContext o when o.opt is not null:
                    Fail(o.opt, "optional list or map entries are not supported by this server");
                    return;
                case CelParser.OptFieldContext f when f.opt is not null:
                    Fail(f.opt, "optional message fields are not supported by this server");
                    return;
                case CelParser.CreateMessageContext c:
                    Fail(c.Start, "message construction is not supported by this server");
                    return;
            }
            for (var i = 0; i < node.ChildCount; i++) Check(node.GetChild(i), bound);
        }

        void CheckIdentOrCall(CelParser.IdentOrGlobalCallContext g, ImmutableHashSet<string> bound)
        {
            var name = g.id.Text;
            if (g.op is null)
            {
                if (bound.Contains(name) || name == variable || TypeIdentifiers.Contains(name)) return;
                Fail(g.id, $"undeclared reference to '{name}' (in container '')");
            }
            if (!GlobalFunctions.Contains(name)) Fail(g.id, $"undeclared reference to '{name}' (in container '')");
            var args = Args(g.args);
            if (name == "has" && (args.Count != 1 || Unwrap(args[0]) is not CelParser.SelectContext { opt: null }))
                Fail(g.id, "invalid argument to has() macro");
            foreach (var a in args) Check(a, bound);
        }

        void CheckMemberCall(CelParser.MemberCallContext m, ImmutableHashSet<string> bound)
        {
            var name = m.id.Text;
            var target = m.GetChild(0);
            var args = Args(m.args);
            if (Macros.Contains(name))
            {
                // The package evaluates the two-argument forms only (not cel-go's map(x, filter, transform)).
                if (name == "map" && args.Count == 3) Fail(m.id, "map(x, filter, transform) is not supported by this server");
                if (args.Count != 2) Fail(m.id, $"found no matching overload for '{name}' applied to {args.Count} arguments");
                if (!IsIdentifier(args[0])) Fail(args[0].Start, "argument must be a simple name");
                Check(target, bound);
                var inner = bound.Add(IdentifierName(args[0]));
                foreach (var a in args.Skip(1)) Check(a, inner);
                return;
            }
            if (OptionalMethods.TryGetValue(name, out var count))
            {
                if (Unwrap(target) is CelParser.IndexContext { opt: not null } index)
                    Fail(index.opt, "optional index x[?key] is not supported by this server");
                if (Unwrap(target) is not CelParser.SelectContext { opt: not null } optional)
                    Fail(m.id, $"found no matching overload for '{name}': only x.?field.{name}(…) is supported by this server");
                else
                {
                    if (args.Count != count) Fail(m.id, $"found no matching overload for '{name}' applied to {args.Count} arguments");
                    CheckSelect(optional, bound);
                    foreach (var a in args) Check(a, bound);
                }
                return;
            }
            Check(target, bound);
            if (!MemberFunctions.Contains(name)) Fail(m.id, $"undeclared reference to '{name}' (in container '')");
            foreach (var a in args) Check(a, bound);
        }

        /// <summary>A field of the typed <c>user</c> must exist (cel-go: undefined field); a claims key may be anything.</summary>
        void CheckSelect(CelParser.SelectContext s, ImmutableHashSet<string> bound)
        {
            var operand = s.GetChild(0);
            if (variable == UserVariable && !bound.Contains(UserVariable) && IsIdentifier(operand, UserVariable) && !UserFields.Contains(s.id.Text))
                Fail(s.id, $"undefined field '{s.id.Text}'");
            Check(operand, bound);
        }

        static IParseTree Unwrap(IParseTree node)
        {
            // A member call's target or an argument may be wrapped in single-child rule contexts.
            while (node.ChildCount == 1 && node is not CelParser.IdentOrGlobalCallContext) node = node.GetChild(0);
            return node;
        }

        static List<ParserRuleContext> Args(CelParser.ExprListContext? list) =>
            list is null ? [] : [.. list._e];

        static void Fail(IToken token, string message) =>
            throw new CelCompileException($"compilation failed: ERROR: <input>:{token.Line}:{token.Column + 1}: {message}");
    }
}

/// <summary>A checked expression, ready to evaluate with one variable (<c>claims</c> or <c>user</c>).</summary>
public sealed class CompiledCelExpression
{
    readonly CelProgramDelegate _program;

    internal CompiledCelExpression(string expression, string variable, CelProgramDelegate program, bool usesEmail, bool usesEmailVerified)
    {
        Expression = expression;
        Variable = variable;
        _program = program;
        UsesEmailClaim = usesEmail;
        UsesEmailVerifiedClaim = usesEmailVerified;
    }

    public string Expression { get; }
    public string Variable { get; }
    /// <summary>The expression selects claims.email (kube's usesEmailClaim).</summary>
    public bool UsesEmailClaim { get; }
    /// <summary>The expression selects claims.email_verified (kube's usesEmailVerifiedClaim).</summary>
    public bool UsesEmailVerifiedClaim { get; }

    /// <summary>Evaluates; a runtime error (missing key, no overload, division by zero…) throws <see cref="CelEvaluationException"/>.</summary>
    public object? Evaluate(object? value)
    {
        object? result;
        try
        {
            result = _program(new Dictionary<string, object?> { [Variable] = value });
        }
        catch (CelEvaluationException) { throw; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CelEvaluationException(e.Message.Split('\n')[0].Trim());
        }
        // The package returns a marker instead of failing for claims.missing; cel-go fails with "no such key".
        if (CelExpressionCompiler.IsAbsent(result)) throw new CelEvaluationException("no such key");
        return result;
    }

    /// <summary>True when the value is a CEL list (the package returns arrays or lists).</summary>
    internal static bool IsList(object? value) => value is IEnumerable and not string and not IDictionary;
}
