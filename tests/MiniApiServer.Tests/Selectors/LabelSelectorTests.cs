using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Selectors;

namespace MiniApiServer.Tests.Selectors;

public class LabelSelectorTests
{
    // The label-value and qualified-name messages of apimachinery, including kube's doubled space before "or".
    const string LabelValueRule = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    const string NamePartRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    public static TheoryData<string, string> Canonical => new()
    {
        // input, canonical String() (requirements sorted by key, spaces gone, values sorted)
        { "", "" },
        { "x=a,y=b,z=c", "x=a,y=b,z=c" },
        { "z=c,x=a", "x=a,z=c" },
        { "x!=a,y=b", "x!=a,y=b" },
        { "x==a", "x==a" },
        { "x=", "x=" },
        { "x= ", "x=" },
        { "x=,z= ", "x=,z=" },
        { "!x", "!x" },
        { "x", "x" },
        { "x>1", "x>1" },
        { "x>1,z<5", "x>1,z<5" },
        { "  x  =  a  ,\ty\n", "x=a,y" },
        { "x in (b,a,b)", "x in (a,b)" },
        { "x notin (a)", "x notin (a)" },
        { "x in ()", "x in ()" },
        { "x in (,a)", "x in (,a)" },
        { "x in (a,,b)", "x in (,a,b)" },
        { "x in (a,)", "x in (,a)" },
        { "in=notin", "in=notin" },
        { "example.com/app in (web, api)", "example.com/app in (api,web)" },
    };

    [Theory, MemberData(nameof(Canonical))]
    public void ValidSelectorsParseToKubesCanonicalForm(string selector, string canonical)
        => Assert.Equal(canonical, LabelSelector.Parse(selector).ToString());

    public static TheoryData<string, string> Errors => new()
    {
        { "a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
        { "x==a==b", "found '==', expected: ',' or 'end of string'" },
        { "!x=a", "found '=', expected: ',' or 'end of string'" },
        { "x = a b", "found 'b', expected: ',' or 'end of string'" },
        { "a,", "found '', expected: identifier after ','" },
        { "a,,b", "found ',', expected: identifier after ','" },
        { ",a", "found ',', expected: !, identifier, or 'end of string'" },
        { "=a", "found '=', expected: !, identifier, or 'end of string'" },
        { "!", "unable to parse requirement: found '', expected: identifier" },
        { "a in b", "unable to parse requirement: found 'b' expected: '('" },
        { "a in (b", "unable to parse requirement: found '', expected: ',' or ')'" },
        { "a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'" },
        { "a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
        { "a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier" },
        { "a=(b)", "unable to parse requirement: found '(', expected: identifier" },
        { "x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer" },
        { "x>1.5", "unable to parse requirement: values[0]: Invalid value: \"1.5\": for 'Gt', 'Lt' operators, the value must be an integer" },
        { "x=a||y=b", "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " + LabelValueRule },
        { "x<-3", "unable to parse requirement: values[0][x]: Invalid value: \"-3\": " + LabelValueRule },
        { "a>-1x", "unable to parse requirement: [values[0]: Invalid value: \"-1x\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: \"-1x\": " + LabelValueRule + "]" },
        // The parser checks keys against a nil field path, which Go prints as "<nil>".
        { "a_=b", "unable to parse requirement: <nil>: Invalid value: \"a_\": " + NamePartRule },
        { "x=" + new string('a', 64), "unable to parse requirement: values[0][x]: Invalid value: \"" + new string('a', 64) + "\": must be no more than 63 characters" },
    };

    [Theory, MemberData(nameof(Errors))]
    public void InvalidSelectorsAreBadRequestsWithKubesMessage(string selector, string message)
    {
        var ex = Assert.Throws<ApiException>(() => LabelSelector.Parse(selector));
        Assert.Equal(400, ex.Code);
        Assert.Equal("BadRequest", ex.Status.Reason);
        Assert.Equal(message, ex.Status.Message);
    }

    public static TheoryData<string, string, bool> Matching => new()
    {
        // selector, labels as "k=v;k=v", matches
        { "", "x=y", true },
        { "", "", true },
        { "x=y", "x=y", true },
        { "x==y", "x=y", true },
        { "x=y,z=w", "x=y;z=w", true },
        { "x!=y,z!=w", "x=z;z=a", true },
        { "notin=in", "notin=in", true },
        { "x", "x=z", true },
        { "!x", "y=z", true },
        { "x>1", "x=2", true },
        { "x<1", "x=0", true },
        { "x<1", "x=-5", true },
        { "x!=y", "", true },
        { "x notin (a,b)", "", true },
        { "x notin (a,b)", "x=c", true },
        { "x in (a,b)", "x=b", true },
        { "x=", "x=", true },
        { "x in ()", "x=", true },
        { "x=z", "", false },
        { "x=y", "x=z", false },
        { "x=y,z=w", "x=w;z=w", false },
        { "x!=y,z!=w", "x=z;z=w", false },
        { "x", "y=z", false },
        { "!x", "x=z", false },
        { "x>1", "x=0", false },
        { "x>1", "x=1", false },
        { "x<1", "x=2", false },
        { "x>1", "x=abc", false },
        { "x>1", "", false },
        { "x in (a,b)", "", false },
        { "x in (a,b)", "x=c", false },
        { "x notin (a,b)", "x=a", false },
        { "x=", "", false },
    };

    [Theory, MemberData(nameof(Matching))]
    public void MatchesLabelsAsKubeDoes(string selector, string labels, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels(labels)));

    [Fact]
    public void NullLabelsAreNoLabels()
    {
        Assert.True(LabelSelector.Parse("!x").Matches(null));
        Assert.False(LabelSelector.Parse("x").Matches(null));
    }

    [Fact]
    public void ANulByteEndsTheSelectorAsInKubesLexer() =>
        Assert.Equal("a=b", LabelSelector.Parse("a=b \0 ,c=d").ToString());

    [Theory]
    [InlineData("a=b,c=d", "a", true, "b")]
    [InlineData("a in (b)", "a", true, "b")]
    [InlineData("a in (b,c)", "a", false, "")]
    [InlineData("a!=b", "a", false, "")]
    [InlineData("c=d", "a", false, "")]
    public void RequiresExactMatchReportsAPinnedValue(string selector, string key, bool found, string value)
    {
        Assert.Equal(found, LabelSelector.Parse(selector).RequiresExactMatch(key, out var v));
        Assert.Equal(value, v);
    }

    [Fact]
    public void FromSetSelectsEveryPair()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal("a=1,b=2", selector.ToString());
        Assert.True(selector.Matches(Labels("a=1;b=2;c=3")));
        Assert.False(selector.Matches(Labels("a=1")));
        Assert.True(LabelSelector.FromSet(null).Matches(null));
    }

    internal static Dictionary<string, string> Labels(string spec) =>
        spec.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
}
