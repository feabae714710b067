using MiniApiServer.Authentication;
using MiniApiServer.Authorization;

namespace MiniApiServer.Tests.Authentication;

/// <summary>
/// A test authorizer with exactly the non-resource grants of kube's bootstrap policy (system:public-info-viewer for everyone; system:discovery and the self-review
/// APIs of system:basic-user for authenticated users). Everything else is left to other authorizers,
/// so only system:masters gets further.
/// </summary>
public sealed class BootstrapPublicAuthorizer : IAuthorizer
{
    static readonly string[] PublicInfo = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    static readonly string[] Discovery = ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/healthz", "/livez", "/readyz", "/version", "/version/"];

    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes a, CancellationToken ct)
    {
        var groups = a.User.Groups;
        if (!a.IsResourceRequest)
        {
            if (a.Verb != "get") return ValueTask.FromResult(AuthorizationResult.NoOpinion);
            var path = a.Request.Path;
            var allowed = (groups.Contains(UserInfo.AllAuthenticated) || groups.Contains(UserInfo.AllUnauthenticated)) && PublicInfo.Any(p => PathMatches(p, path))
                || groups.Contains(UserInfo.AllAuthenticated) && Discovery.Any(p => PathMatches(p, path));
            return ValueTask.FromResult(allowed ? AuthorizationResult.Allow() : AuthorizationResult.NoOpinion);
        }
        var selfReview = a.Verb == "create" && a.Request.Name.Length == 0 && groups.Contains(UserInfo.AllAuthenticated) &&
            (a.Request.ApiGroup, a.Request.Resource) is ("authorization.k8s.io", "selfsubjectaccessreviews" or "selfsubjectrulesreviews")
                or ("authentication.k8s.io", "selfsubjectreviews");
        return ValueTask.FromResult(selfReview ? AuthorizationResult.Allow() : AuthorizationResult.NoOpinion);
    }

    /// <summary>RBAC's non-resource URL match: exact, or a prefix ending in "*".</summary>
    public static bool PathMatches(string rule, string path) =>
        rule == "*" || rule == path || rule.EndsWith('*') && path.StartsWith(rule[..^1], StringComparison.Ordinal);
}
