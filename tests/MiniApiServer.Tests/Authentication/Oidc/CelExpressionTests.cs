using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>
/// What the NuGet package Cel 0.3.3 evaluates as cel-go does over kube's <c>claims</c> (proof that the accepted
/// subset is right), and what is refused at start-up.
/// </summary>
public sealed class CelExpressionTests
{
    static readonly CelExpressionCompiler Compiler = new();

    static readonly Dictionary<string, object?> Claims = ClaimMapper.ToCel(System.Text.Json.JsonDocument.Parse("""
        {"sub": "1234", "email": "jane@example.com", "email_verified": true, "exp": 2000, "nbf": 1000, "ratio": 0.5,
         "groups": ["dev", "ops"], "hd": "example.com", "nothing": null, "nested": {"team": "blue"}}
        """).RootElement);

    static object? Eval(string expression) => Compiler.Compile(expression, CelExpressionCompiler.ClaimsVariable).Evaluate(Claims);

    [Theory]
    [InlineData("claims.sub", "1234")]
    [InlineData("'oidc:' + claims.email", "oidc:jane@example.com")]
    [InlineData("claims.email_verified == true", true)]
    [InlineData("claims.exp - claims.nbf <= 86400", true)]
    [InlineData("claims.exp - claims.nbf == 1000", true)]
    [InlineData("claims.ratio < 1.0", true)]
    [InlineData("has(claims.hd)", true)]
    [InlineData("has(claims.absent)", false)]
    [InlineData("has(claims.nested.team)", true)]
    [InlineData("claims.nested.team", "blue")]
    [InlineData("claims.nested['team']", "blue")]
    [InlineData("claims['sub']", "1234")]
    [InlineData("claims.nothing == null", true)]
    [InlineData("claims.groups.exists(g, g == 'ops')", true)]
    [InlineData("claims.groups.all(g, g.startsWith('d'))", false)]
    [InlineData("claims.groups.exists_one(g, g.endsWith('s'))", true)]
    [InlineData("'dev' in claims.groups", true)]
    [InlineData("size(claims.groups) == 2", true)]
    [InlineData("claims.groups.size() == 2", true)]
    [InlineData("claims.email.contains('@') && claims.email.matches('^[a-z]+@')", true)]
    [InlineData("claims.?email_verified.orValue(false) == true", true)]
    [InlineData("claims.?absent.orValue(true) == true", true)]
    [InlineData("claims.?absent.orValue('x')", "x")]
    [InlineData("claims.?hd.orValue('x')", "example.com")]
    [InlineData("claims.?hd.hasValue()", true)]
    [InlineData("claims.?absent.hasValue()", false)]
    [InlineData("claims.?hd.value()", "example.com")]
    [InlineData("claims.?nested.orValue({}).team", "blue")]
    [InlineData("'x' + claims.?absent.orValue('')", "x")]
    [InlineData("claims.sub == 'x' ? 'a' : 'b'", "b")]
    [InlineData("string(claims.exp)", "2000")]
    [InlineData("int('7') + 1", 8L)]
    [InlineData("type(claims.groups) == list", true)]
    [InlineData("dyn(claims.sub) == '1234'", true)]
    [InlineData("!(claims.sub == '1')", true)]
    public void EvaluatesAsCelGo(string expression, object expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("claims.groups.map(g, 'oidc:' + g)", new[] { "oidc:dev", "oidc:ops" })]
    [InlineData("claims.groups.filter(g, g != 'dev')", new[] { "ops" })]
    [InlineData("claims.groups + ['x']", new[] { "dev", "ops", "x" })]
    [InlineData("claims.?absent.orValue([]).map(g, 'p:' + g)", new string[0])]
    public void ListsEvaluate(string expression, string[] expected)
    {
        var value = Eval(expression);
        Assert.Equal(expected, ((System.Collections.IEnumerable)value!).Cast<object?>().Select(x => (string)x!).ToArray());
    }

    [Theory]
    [InlineData("claims.absent", "no such key")]
    [InlineData("claims.absent == 'x'", "Cannot find overload to select field 'absent' in variable 'claims'.")]
    [InlineData("claims.sub + 1", "No overload exists to ADD string and type 'System.Int64'.")]
    [InlineData("claims.?absent.value()", "optional.none() dereference")]
    [InlineData("claims.exp / 0", "Cannot divide value by zero.")]
    public void RuntimeErrorsAreErrors(string expression, string error) =>
        Assert.Equal(error, Assert.Throws<CelEvaluationException>(() => Eval(expression)).Message);

    [Theory]
    [InlineData("claims.sub +", "compilation failed: ERROR: <input>: Line 1:12 mismatched input '<EOF>'")]
    [InlineData("foo.bar", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')")]
    [InlineData("claims.sub.lowerAscii()", "compilation failed: ERROR: <input>:1:12: undeclared reference to 'lowerAscii' (in container '')")]
    [InlineData("claims.sub.split(',')", "compilation failed: ERROR: <input>:1:12: undeclared reference to 'split' (in container '')")]
    [InlineData("optional.none()", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'optional' (in container '')")]
    [InlineData("claims.?hd == 'x'", "compilation failed: ERROR: <input>:1:8: optional field selection is supported only as")]
    [InlineData("claims[?'hd'].orValue('x')", "compilation failed: ERROR: <input>:1:8: optional index x[?key] is not supported")]
    [InlineData("claims.?nested.?team.orValue('x')", "compilation failed: ERROR: <input>:1:8: optional field selection is supported only as")]
    [InlineData("claims.hd.orValue('x')", "compilation failed: ERROR: <input>:1:11: found no matching overload for 'orValue'")]
    [InlineData("[?claims.hd]", "compilation failed: ERROR: <input>:1:2: optional list or map entries are not supported")]
    [InlineData("claims.groups.map(1, 'x')", "compilation failed: ERROR: <input>:1:19: argument must be a simple name")]
    [InlineData("claims.groups.map(g, h)", "compilation failed: ERROR: <input>:1:22: undeclared reference to 'h' (in container '')")]
    [InlineData("claims.groups.map(g, g.startsWith('d'), 'd:' + g)", "compilation failed: ERROR: <input>:1:15: map(x, filter, transform) is not supported")]
    [InlineData("has(claims)", "compilation failed: ERROR: <input>:1:1: invalid argument to has() macro")]
    [InlineData("timestamp('2020-01-01T00:00:00Z')", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'timestamp' (in container '')")]
    public void UnsupportedOrWrongExpressionsDoNotCompile(string expression, string errorStart) =>
        Assert.StartsWith(errorStart, Assert.Throws<CelCompileException>(() => Compiler.Compile(expression, CelExpressionCompiler.ClaimsVariable)).Message);

    [Theory]
    [InlineData("user.username == 'a'", null)]
    [InlineData("user.groups.exists(g, g == 'x') || user.uid == '' || size(user.extra) == 0", null)]
    [InlineData("user.name == 'a'", "compilation failed: ERROR: <input>:1:6: undefined field 'name'")]
    [InlineData("claims.sub == 'a'", "compilation failed: ERROR: <input>:1:1: undeclared reference to 'claims' (in container '')")]
    public void UserRulesSeeOnlyTheUserType(string expression, string? error)
    {
        if (error is null) Compiler.Compile(expression, CelExpressionCompiler.UserVariable);
        else Assert.StartsWith(error, Assert.Throws<CelCompileException>(() => Compiler.Compile(expression, CelExpressionCompiler.UserVariable)).Message);
    }

    [Theory]
    [InlineData("claims.email", true, false)]
    [InlineData("claims.?email.orValue('')", true, false)]
    [InlineData("claims.email_verified ? claims.email : ''", true, true)]
    [InlineData("claims['email']", false, false)]   // kube looks for select expressions only
    public void EmailUseIsDetectedAsKubeDoes(string expression, bool email, bool verified)
    {
        var e = Compiler.Compile(expression, CelExpressionCompiler.ClaimsVariable);
        Assert.Equal(email, e.UsesEmailClaim);
        Assert.Equal(verified, e.UsesEmailVerifiedClaim);
    }
}
