using MiniApiServer.Api;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// Whether one rule allows one request: kube's <c>RuleAllows</c> (plugin/pkg/auth/authorizer/rbac/rbac.go)
/// with the matchers of <c>rbac/v1/evaluation_helpers.go</c>.
/// </summary>
public static class RuleMatch
{
    public static bool Allows(PolicyRule rule, RequestInfo request)
    {
        if (!VerbMatches(rule, request.Verb)) return false;
        if (!request.IsResourceRequest) return NonResourceUrlMatches(rule, request.Path);
        // The request's resource is compared as "pods" or, for a subresource, "pods/exec".
        var combined = request.Subresource.Length > 0 ? request.Resource + "/" + request.Subresource : request.Resource;
        return ApiGroupMatches(rule, request.ApiGroup)
            && ResourceMatches(rule, combined, request.Subresource)
            && ResourceNameMatches(rule, request.Name);
    }

    public static bool VerbMatches(PolicyRule rule, string verb) => rule.Verbs.Any(v => v == PolicyRule.All || v == verb);

    public static bool ApiGroupMatches(PolicyRule rule, string group) => rule.ApiGroups.Any(g => g == PolicyRule.All || g == group);

    /// <summary>"*" matches everything, an exact "pods" or "pods/log" matches itself, and "*/scale" matches the
    /// scale subresource of any resource.</summary>
    public static bool ResourceMatches(PolicyRule rule, string combinedResource, string subresource)
    {
        foreach (var r in rule.Resources)
        {
            if (r == PolicyRule.All || r == combinedResource) return true;
            if (subresource.Length == 0) continue;
            if (r.Length == subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(subresource, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>A rule without resourceNames matches any name; a rule with them matches only a request for one
    /// of those names, so never a create, list or watch without a name.</summary>
    public static bool ResourceNameMatches(PolicyRule rule, string name) => rule.ResourceNames.Count == 0 || rule.ResourceNames.Contains(name);

    /// <summary>"*" matches every path; "/apis/*" every path starting "/apis/"; otherwise exact.</summary>
    public static bool NonResourceUrlMatches(PolicyRule rule, string path) =>
        rule.NonResourceUrls.Any(u => u == PolicyRule.All || u == path
            || u.EndsWith('*') && path.StartsWith(u.TrimEnd('*'), StringComparison.Ordinal));
}
