using MiniApiServer.Authentication;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>What a SelfSubjectRulesReview reports: kube's <c>authorizer.RuleResolver.RulesFor</c> result.</summary>
public sealed record RulesReview(
    IReadOnlyList<PolicyRule> ResourceRules,
    IReadOnlyList<PolicyRule> NonResourceRules,
    bool Incomplete,
    string? EvaluationError);

/// <summary>An authorizer that can list what a user may do (kube's <c>authorizer.RuleResolver</c>).</summary>
public interface IRuleResolver
{
    RulesReview RulesFor(UserInfo user, string ns);
}

/// <summary>AlwaysAllow's rules: everything, on every resource and path.</summary>
public sealed class AlwaysAllowRuleResolver : IRuleResolver
{
    public RulesReview RulesFor(UserInfo user, string ns) => new(
        [PolicyRule.Resource(["*"], ["*"], ["*"])],
        [PolicyRule.NonResource(["*"], ["*"])],
        Incomplete: false,
        EvaluationError: null);
}

/// <summary>
/// The rule resolvers of the configured authorization modes, in order (kube's union <c>RulesFor</c>): rules are
/// concatenated, incomplete if any is, errors aggregated. The privileged-group authorizer lists no rules.
/// </summary>
public sealed class RuleResolverUnion(IReadOnlyList<IRuleResolver> resolvers) : IRuleResolver
{
    public RulesReview RulesFor(UserInfo user, string ns)
    {
        var resource = new List<PolicyRule>();
        var nonResource = new List<PolicyRule>();
        var errors = new List<string>();
        var incomplete = false;
        foreach (var r in resolvers)
        {
            var review = r.RulesFor(user, ns);
            resource.AddRange(review.ResourceRules);
            nonResource.AddRange(review.NonResourceRules);
            incomplete |= review.Incomplete;
            if (review.EvaluationError is { } e) errors.Add(e);
        }
        return new RulesReview(resource, nonResource, incomplete, errors.Count > 0 ? RbacRuleResolver.Aggregate(errors) : null);
    }
}
