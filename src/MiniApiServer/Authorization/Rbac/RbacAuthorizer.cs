using MiniApiServer.Api;
using MiniApiServer.Authentication;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go): Allow as soon as one rule the user holds
/// in the request's namespace allows the request, with the reason naming its binding; otherwise no opinion,
/// with the role-resolution errors met as the reason (<c>RBAC: clusterrole.rbac.authorization.k8s.io "x" not found</c>).
/// RBAC never denies.
/// </summary>
public sealed class RbacAuthorizer(RbacRuleResolver resolver) : IAuthorizer, IRuleResolver
{
    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Authorize(attributes.User, attributes.Request));

    public AuthorizationResult Authorize(UserInfo user, RequestInfo request)
    {
        string? allowedBy = null;
        var errors = new List<string>();
        resolver.VisitRulesFor(user, request.Namespace, (source, rule, error) =>
        {
            if (rule is not null && RuleMatch.Allows(rule, request))
            {
                allowedBy = source!.ToString();
                return false;
            }
            if (error is not null) errors.Add(error);
            return true;
        });
        if (allowedBy is not null) return AuthorizationResult.Allow("RBAC: allowed by " + allowedBy);
        return new AuthorizationResult(Decision.NoOpinion, errors.Count > 0 ? "RBAC: " + RbacRuleResolver.Aggregate(errors) : "");
    }

    /// <summary>The RBAC authorizer's <c>RulesFor</c>: the user's rules split into resource and non-resource
    /// rules; never incomplete, with resolution errors as the evaluation error.</summary>
    public RulesReview RulesFor(UserInfo user, string ns)
    {
        var (rules, errors) = resolver.RulesFor(user, ns);
        return new RulesReview(
            rules.Where(r => r.Resources.Count > 0).Select(r => r with { NonResourceUrls = [] }).ToList(),
            rules.Where(r => r.NonResourceUrls.Count > 0).Select(r => PolicyRule.NonResource(r.Verbs, r.NonResourceUrls)).ToList(),
            Incomplete: false,
            errors.Count > 0 ? RbacRuleResolver.Aggregate(errors) : null);
    }
}
