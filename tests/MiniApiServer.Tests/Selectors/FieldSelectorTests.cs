using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Selectors;

namespace MiniApiServer.Tests.Selectors;

public class FieldSelectorTests
{
    public static TheoryData<string, string> Canonical => new()
    {
        // input, canonical String(): terms sorted, "==" printed "=", values re-escaped
        { "", "" },
        { ",", "" },
        { "metadata.name=foo", "metadata.name=foo" },
        { "metadata.name==foo", "metadata.name=foo" },
        { "status.phase!=Running,metadata.name=foo", "metadata.name=foo,status.phase!=Running" },
        { "a=b,,c=d", "a=b,c=d" },
        { @"a=b\,c", @"a=b\,c" },
        { @"a=b\=c\\d", @"a=b\=c\\d" },
        { "a=", "a=" },
        { "=b", "=b" },
    };

    [Theory, MemberData(nameof(Canonical))]
    public void ValidSelectorsParse(string selector, string canonical) =>
        Assert.Equal(canonical, FieldSelector.Parse(selector).ToString());

    [Fact]
    public void EscapedValuesAreUnescaped()
    {
        var r = Assert.Single(FieldSelector.Parse(@"a=b\,c\=d\\e").Requirements);
        Assert.Equal(new FieldRequirement("a", SelectorOperator.Equals, @"b,c=d\e"), r);
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "a", "invalid selector: 'a'; can't understand 'a'" },
        // Terms are sorted before they are read, so the first bad term in sort order is reported.
        { "b=1,a", "invalid selector: 'b=1,a'; can't understand 'a'" },
        // Kube prints the offending character as its code point: 61 is '=', 44 is ','.
        { "a=b=c", "invalid field selector: unescaped character in value: 61" },
        { "a!==b", "invalid field selector: unescaped character in value: 61" },
        { @"a=b\c", @"invalid field selector: invalid escape sequence: \c" },
        { @"a=b\", @"invalid field selector: invalid escape sequence: \" },
    };

    [Theory, MemberData(nameof(Errors))]
    public void InvalidSelectorsAreBadRequestsWithKubesMessage(string selector, string message)
    {
        var ex = Assert.Throws<ApiException>(() => FieldSelector.Parse(selector));
        Assert.Equal(400, ex.Code);
        Assert.Equal("BadRequest", ex.Status.Reason);
        Assert.Equal(message, ex.Status.Message);
    }

    static readonly Dictionary<string, string> Pod = new()
    {
        ["metadata.name"] = "web-1",
        ["metadata.namespace"] = "default",
        ["spec.nodeName"] = "node-1",
        ["status.phase"] = "Running",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("metadata.name=web-1", true)]
    [InlineData("metadata.name==web-1,status.phase=Running", true)]
    [InlineData("status.phase!=Pending", true)]
    [InlineData("spec.schedulerName=", true)] // an absent field reads as ""
    [InlineData("spec.schedulerName!=x", true)]
    [InlineData("metadata.name=web-2", false)]
    [InlineData("status.phase!=Running", false)]
    [InlineData("metadata.name=web-1,status.phase=Pending", false)]
    public void MatchesThroughTheKindsFieldGetter(string selector, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(f => Pod.GetValueOrDefault(f)));

    public static TheoryData<string, string, string> UnsupportedFields => new()
    {
        { "pods", "spec.foo=x", "field label not supported: spec.foo" },
        { "pods", "metadata.name=a,spec.foo=x", "field label not supported: spec.foo" },
        { "nodes", "metadata.namespace=x", "field label not supported: metadata.namespace" },
        { "configmaps", "spec.foo=x", "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"" },
        { "configmaps", "=x", "\"\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"" },
    };

    [Theory, MemberData(nameof(UnsupportedFields))]
    public void UnsupportedFieldLabelsAreBadRequestsWithKubesMessage(string kind, string selector, string message)
    {
        var ex = Assert.Throws<ApiException>(() => FieldSelector.Parse(selector).Convert(Labels(kind)));
        Assert.Equal(400, ex.Code);
        Assert.Equal(message, ex.Status.Message);
    }

    [Fact]
    public void OldPodFieldNamesAreConverted()
    {
        var converted = FieldSelector.Parse("spec.host=node-1").Convert(FieldLabelSet.Pod);
        Assert.Equal("spec.nodeName=node-1", converted.ToString());
        Assert.Equal(["spec.nodeName"], converted.RequirementFields);
    }

    [Fact]
    public void RequiresExactMatchFindsEqualityTerms()
    {
        var selector = FieldSelector.Parse("metadata.name=a,status.phase!=b");
        Assert.True(selector.RequiresExactMatch("metadata.name", out var name));
        Assert.Equal("a", name);
        Assert.False(selector.RequiresExactMatch("status.phase", out _));
    }

    [Fact]
    public void TheLabelSelectorIsReadBeforeTheFieldSelector()
    {
        var ex = Assert.Throws<ApiException>(() => ListSelectors.FromQuery("a b", "spec.foo=x", FieldLabelSet.Pod));
        Assert.StartsWith("unable to parse requirement", ex.Status.Message);
        ex = Assert.Throws<ApiException>(() => ListSelectors.FromQuery("a=b", "x", FieldLabelSet.Pod));
        Assert.Equal("invalid selector: 'x'; can't understand 'x'", ex.Status.Message);

        var both = ListSelectors.FromQuery("app=web", "spec.host=node-1", FieldLabelSet.Pod);
        Assert.True(both.Matches(new Dictionary<string, string> { ["app"] = "web" }, f => Pod.GetValueOrDefault(f)));
        Assert.False(both.Matches(null, f => Pod.GetValueOrDefault(f)));
    }

    static FieldLabelSet Labels(string kind) => kind switch
    {
        "pods" => FieldLabelSet.Pod,
        "nodes" => FieldLabelSet.Node,
        _ => FieldLabelSet.Default,
    };
}
