using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Selectors;

namespace MiniApiServer.Tests.Selectors;

/// <summary>metav1.LabelSelectorAsSelector: the form RBAC aggregation rules and workload selectors use.</summary>
public class LabelSelectorFromJsonTests
{
    public static TheoryData<string, string, bool> Matching => new()
    {
        // selector JSON, labels, matches
        { "{}", "", true },
        { "{}", "a=1", true },
        { """{"matchLabels":{"rbac.example.com/aggregate-to-view":"true"}}""", "rbac.example.com/aggregate-to-view=true", true },
        { """{"matchLabels":{"rbac.example.com/aggregate-to-view":"true"}}""", "rbac.example.com/aggregate-to-view=false", false },
        { """{"matchLabels":{"a":"1","b":"2"}}""", "a=1", false },
        { """{"matchExpressions":[{"key":"tier","operator":"In","values":["web","api"]}]}""", "tier=api", true },
        { """{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["web"]}]}""", "", true },
        { """{"matchExpressions":[{"key":"tier","operator":"Exists"}]}""", "tier=", true },
        { """{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}""", "tier=x", false },
        { """{"matchLabels":{"a":"1"},"matchExpressions":[{"key":"b","operator":"Exists","values":[]}]}""", "a=1;b=2", true },
    };

    [Theory, MemberData(nameof(Matching))]
    public void ConvertsMatchLabelsAndExpressions(string json, string labels, bool expected) =>
        Assert.Equal(expected, LabelSelector.FromJson(JsonNode.Parse(json)).Matches(LabelSelectorTests.Labels(labels)));

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    public void ANullSelectorSelectsNothing(string? json)
    {
        var selector = LabelSelector.FromJson(json is null ? null : JsonNode.Parse(json));
        Assert.False(selector.Matches(null));
        Assert.False(selector.Matches(LabelSelectorTests.Labels("a=1")));
    }

    public static TheoryData<string, string> Errors => new()
    {
        { """{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""", "\"Gt\" is not a valid label selector operator" },
        { """{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}""", "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty" },
        { """{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}""", "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist" },
        { """{"matchLabels":{"a":"-x"}}""", "values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
        { """{"matchLabels":{"/a":"x"}}""", "key: Invalid value: \"/a\": prefix part must be non-empty" },
    };

    [Theory, MemberData(nameof(Errors))]
    public void InvalidSelectorsReportKubesMessage(string json, string message)
    {
        Assert.False(LabelSelector.TryFromJson(JsonNode.Parse(json), out _, out var error));
        Assert.Equal(message, error);
        var ex = Assert.Throws<ApiException>(() => LabelSelector.FromJson(JsonNode.Parse(json)));
        Assert.Equal(400, ex.Code);
    }
}
