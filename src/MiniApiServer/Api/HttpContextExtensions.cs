using Microsoft.AspNetCore.Http;
using MiniApiServer.Authentication;

namespace MiniApiServer.Api;

/// <summary>The per-request facts the road computes once: the RequestInfo and the authenticated user.</summary>
public static class HttpContextExtensions
{
    const string InfoKey = "MiniApiServer.RequestInfo";
    const string UserKey = "MiniApiServer.User";

    public static RequestInfo GetRequestInfo(this HttpContext context)
    {
        if (context.Items.TryGetValue(InfoKey, out var v) && v is RequestInfo info) return info;
        info = RequestInfo.From(context.Request);
        context.Items[InfoKey] = info;
        return info;
    }

    /// <summary>The user the request acts as (after impersonation), or null before authentication.</summary>
    public static UserInfo? GetUser(this HttpContext context) =>
        context.Items.TryGetValue(UserKey, out var v) ? v as UserInfo : null;

    public static void SetUser(this HttpContext context, UserInfo user) => context.Items[UserKey] = user;
}
