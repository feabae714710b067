using MiniApiServer.Api;
using MiniApiServer.Authorization.Rbac;

namespace MiniApiServer.Tests.Rbac;

/// <summary>kube's RuleAllows: which rule allows which request.</summary>
public sealed class RuleMatchTests
{
    static PolicyRule Rule(string verbs, string groups, string resources, string names = "") =>
        PolicyRule.Resource(Split(verbs), Split(groups, keepEmpty: true), Split(resources), Split(names));

    static string[] Split(string s, bool keepEmpty = false) =>
        s.Length == 0 ? (keepEmpty ? [""] : []) : s.Split(',');

    static RequestInfo Request(string verb, string group, string resource, string subresource = "", string name = "", string ns = "team") => new()
    {
        IsResourceRequest = true, Path = "", Verb = verb, ApiGroup = group, ApiVersion = "v1",
        Resource = resource, Subresource = subresource, Name = name, Namespace = ns,
    };

    public static TheoryData<string, PolicyRule, RequestInfo, bool> Cases => new()
    {
        { "exact verb, group, resource", Rule("get,list", "", "pods"), Request("list", "", "pods"), true },
        { "other verb", Rule("get", "", "pods"), Request("list", "", "pods"), false },
        { "other group", Rule("get", "apps", "pods"), Request("get", "", "pods"), false },
        { "verb wildcard", Rule("*", "", "pods"), Request("deletecollection", "", "pods"), true },
        { "group wildcard", Rule("get", "*", "deployments"), Request("get", "apps", "deployments"), true },
        { "resource wildcard covers subresources", Rule("get", "", "*"), Request("get", "", "pods", "log", "web"), true },
        { "resource does not cover its subresource", Rule("create", "", "pods"), Request("create", "", "pods", "exec", "web"), false },
        { "subresource named", Rule("create", "", "pods/exec"), Request("create", "", "pods", "exec", "web"), true },
        { "subresource rule does not cover the resource", Rule("get", "", "pods/log"), Request("get", "", "pods", "", "web"), false },
        { "*/subresource form", Rule("update", "apps", "*/scale"), Request("update", "apps", "deployments", "scale", "web"), true },
        { "*/subresource form needs that subresource", Rule("update", "apps", "*/scale"), Request("update", "apps", "deployments", "status", "web"), false },
        { "*/subresource form is no resource wildcard", Rule("get", "apps", "*/scale"), Request("get", "apps", "deployments", "", "web"), false },
        { "resourceNames match the name", Rule("get", "", "configmaps", "a,b"), Request("get", "", "configmaps", "", "b"), true },
        { "resourceNames reject other names", Rule("get", "", "configmaps", "a"), Request("get", "", "configmaps", "", "c"), false },
        { "resourceNames never allow a list", Rule("list", "", "configmaps", "a"), Request("list", "", "configmaps"), false },
        { "resourceNames never allow a create", Rule("create", "", "configmaps", "a"), Request("create", "", "configmaps"), false },
        { "resourceNames allow a list narrowed to the name", Rule("list", "", "configmaps", "a"), Request("list", "", "configmaps", "", "a"), true },
        { "impersonate verb on users", Rule("impersonate", "", "users", "bob"), Request("impersonate", "", "users", "", "bob", ""), true },
        { "userextras with subresource", Rule("impersonate", "authentication.k8s.io", "userextras/scopes"), Request("impersonate", "authentication.k8s.io", "userextras", "scopes", "view", ""), true },
        { "resource rule never matches a path", Rule("get", "*", "*"), new RequestInfo { IsResourceRequest = false, Path = "/api", Verb = "get" }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResourceRules(string why, PolicyRule rule, RequestInfo request, bool allowed) =>
        Assert.True(RuleMatch.Allows(rule, request) == allowed, why);

    [Theory]
    [InlineData("/healthz", "/healthz", true)]
    [InlineData("/healthz", "/healthz/etcd", false)]
    [InlineData("/healthz/*", "/healthz/etcd", true)]
    [InlineData("/apis/*", "/apis/apps/v1", true)]
    [InlineData("/apis/*", "/apis", false)]
    [InlineData("/api*", "/apis", true)]
    [InlineData("*", "/anything/at/all", true)]
    [InlineData("/version/", "/version", false)]
    public void NonResourceUrls(string url, string path, bool allowed)
    {
        var rule = PolicyRule.NonResource(["get"], [url]);
        Assert.Equal(allowed, RuleMatch.Allows(rule, new RequestInfo { IsResourceRequest = false, Path = path, Verb = "get" }));
        Assert.False(RuleMatch.Allows(rule, new RequestInfo { IsResourceRequest = false, Path = path, Verb = "post" }));
    }

    [Theory]
    [InlineData("get", "pods", "", true)]
    [InlineData("get", "pods/log", "", false)]
    [InlineData("get", "deployments/scale", "", true)]
    [InlineData("get", "configmaps", "", false)]
    [InlineData("get", "configmaps", "a", true)]
    [InlineData("delete", "pods", "", false)]
    public void CoversComparesBrokenDownRules(string verb, string resource, string name, bool covered)
    {
        IReadOnlyList<PolicyRule> owner =
        [
            PolicyRule.Resource(["get", "list"], [""], ["pods"]),
            PolicyRule.Resource(["get"], ["", "apps"], ["*/scale"]),
            PolicyRule.Resource(["get"], [""], ["configmaps"], ["a"]),
        ];
        var group = resource.StartsWith("deployments") ? "apps" : "";
        var wanted = PolicyRule.Resource([verb], [group], [resource], name.Length > 0 ? [name] : []);
        Assert.Equal(covered, PolicyComparator.Covers(owner, [wanted]).Covered);
    }

    [Fact]
    public void MissingRulesAreCompactedByResource()
    {
        var (covered, missing) = PolicyComparator.Covers([], [PolicyRule.Resource(["get", "list"], [""], ["pods", "secrets"])]);
        Assert.False(covered);
        Assert.Equal(
            ["{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}", "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}"],
            PolicyComparator.Compact(missing).Select(r => r.CompactString()));
    }
}
