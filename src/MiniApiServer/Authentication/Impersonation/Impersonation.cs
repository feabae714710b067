using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniApiServer.Api;
using MiniApiServer.Authorization;

namespace MiniApiServer.Authentication.Impersonation;

/// <summary>
/// kube-apiserver's WithImpersonation filter: after authentication, before authorization. Each Impersonate-* item
/// is authorized for the <b>real</b> user with verb <c>impersonate</c>; the first refusal is a 403. When all are
/// allowed the impersonated user replaces the request's user (so authorization, audit and the handlers see it), the
/// real one is kept under <see cref="RealUserKey"/>, and the Impersonate-* headers are removed.
/// </summary>
public static class Impersonation
{
    /// <summary>HttpContext.Items key of the authenticated user who impersonates (audit's <c>user</c>; the new one is <c>impersonatedUser</c>).</summary>
    public const string RealUserKey = "MiniApiServer.ImpersonatingUser";

    public const string ServiceAccountsGroup = "system:serviceaccounts";

    /// <summary>The real user when the request impersonates, else null.</summary>
    public static UserInfo? GetImpersonatingUser(this HttpContext context) =>
        context.Items.TryGetValue(RealUserKey, out var user) ? user as UserInfo : null;

    /// <summary>Middleware form: <c>app.Use(Impersonation.InvokeAsync)</c>; the authorizer comes from the services.</summary>
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        await HandleAsync(context, context.RequestServices.GetRequiredService<IAuthorizer>());
        await next(context);
    }

    /// <summary>
    /// Applies the request's Impersonate-* headers, or does nothing when there are none. Throws an ApiException
    /// (400 for groups/uid/extras without a user, 403 for a refused item) for the request road to write.
    /// </summary>
    public static async Task HandleAsync(HttpContext context, IAuthorizer authorizer)
    {
        var requests = ImpersonationRequest.FromHeaders(context.Request.Headers);
        if (requests.Count == 0)
        {
            return;
        }
        var realUser = context.GetUser() ?? throw new InvalidOperationException("no user found for request");

        foreach (var request in requests)
        {
            var attributes = new AuthorizationAttributes(realUser, new RequestInfo
            {
                IsResourceRequest = true,
                Path = "",
                Verb = "impersonate",
                ApiGroup = request.ApiGroup,
                ApiVersion = request.ApiVersion,
                Namespace = request.Namespace,
                Resource = request.Resource,
                Subresource = request.Subresource,
                Name = request.Name,
            });
            var decision = await authorizer.AuthorizeAsync(attributes, context.RequestAborted);
            if (decision.Decision != Decision.Allow)
            {
                throw ImpersonationForbidden.For(attributes, decision.Reason);
            }
        }

        var impersonated = ImpersonatedUser(requests, groupsSpecified: context.Request.Headers.ContainsKey(ImpersonationRequest.GroupHeader));
        context.Items[RealUserKey] = realUser;
        context.SetUser(impersonated);
        var authenticator = context.Items.TryGetValue(KubeAuthenticationHandler.AuthenticatorClaim, out var a) && a is string name ? name : "";
        context.User = KubeAuthenticationHandler.ToPrincipal(impersonated, authenticator);
        context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger("MiniApiServer.Impersonation")
            .LogDebug("{Real} is impersonating {Impersonated}", Describe(realUser), Describe(impersonated));
        RemoveHeaders(context.Request.Headers);
    }

    /// <summary>
    /// The user kube builds: the requested name, uid and extras; the requested groups, or for a service account without
    /// requested groups its two fixed groups. The impersonated user's real groups are never looked up. Then
    /// system:authenticated is added unless the user is system:anonymous or the groups already hold
    /// system:authenticated or system:unauthenticated; system:anonymous gets system:unauthenticated unless present.
    /// </summary>
    public static UserInfo ImpersonatedUser(IReadOnlyList<ImpersonationRequest> requests, bool groupsSpecified)
    {
        var name = "";
        var uid = "";
        var groups = new List<string>();
        var extra = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            switch (request.Kind)
            {
                case ImpersonationKind.ServiceAccount:
                    name = $"system:serviceaccount:{request.Namespace}:{request.Name}";
                    if (!groupsSpecified)
                    {
                        groups = [ServiceAccountsGroup, $"{ServiceAccountsGroup}:{request.Namespace}"];
                    }
                    break;
                case ImpersonationKind.User:
                    name = request.Name;
                    break;
                case ImpersonationKind.Group:
                    groups.Add(request.Name);
                    break;
                case ImpersonationKind.UserExtra:
                    if (!extra.TryGetValue(request.ExtraKey, out var values))
                    {
                        extra[request.ExtraKey] = values = [];
                    }
                    values.Add(request.Name);
                    break;
                case ImpersonationKind.Uid:
                    uid = request.Name;
                    break;
            }
        }

        if (name != UserInfo.Anonymous)
        {
            if (!groups.Contains(UserInfo.AllAuthenticated) && !groups.Contains(UserInfo.AllUnauthenticated))
            {
                groups.Add(UserInfo.AllAuthenticated);
            }
        }
        else if (!groups.Contains(UserInfo.AllUnauthenticated))
        {
            groups.Add(UserInfo.AllUnauthenticated);
        }
        return new UserInfo(name, uid, groups, extra.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal));
    }

    /// <summary>Impersonate-User, Impersonate-Group, Impersonate-Uid and every Impersonate-Extra-* header.</summary>
    public static void RemoveHeaders(IHeaderDictionary headers)
    {
        headers.Remove(ImpersonationRequest.UserHeader);
        headers.Remove(ImpersonationRequest.GroupHeader);
        headers.Remove(ImpersonationRequest.UidHeader);
        foreach (var key in headers.Keys.Where(k => k.StartsWith(ImpersonationRequest.ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            headers.Remove(key);
        }
    }

    /// <summary>kube's userString for the log: name (or &lt;empty&gt;) and [groups].</summary>
    private static string Describe(UserInfo user) =>
        (user.Name.Length == 0 ? "<empty>" : user.Name) + (user.Groups.Count > 0 ? "[" + string.Join(',', user.Groups) + "]" : "");
}
