using MiniApiServer.Api.Errors;
using MiniApiServer.Authorization;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Authentication.Impersonation;

/// <summary>
/// The 403 of a refused impersonation, built exactly as kube's responsewriters.ForbiddenStatusError and
/// apierrors.NewForbidden build it: <c>&lt;resource&gt;[.&lt;group&gt;] "&lt;name&gt;" is forbidden: User "&lt;user&gt;" cannot impersonate
/// resource "&lt;resource&gt;[/&lt;subresource&gt;]" in API group "&lt;group&gt;" (in the namespace "&lt;ns&gt;" | at the cluster scope)[: reason]</c>.
/// The group-resource prefix and details.kind never carry the subresource (an extra's key); names are Go-quoted
/// (%q); only the "User … cannot …" part is HTML-escaped (&amp;, &lt;, &gt;).
/// </summary>
public static class ImpersonationForbidden
{
    public static ApiException For(AuthorizationAttributes attributes, string reason)
    {
        var r = attributes.Request;
        var resource = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
        var scope = r.Namespace.Length > 0 ? $"in the namespace {GoValue.Quote(r.Namespace)}" : "at the cluster scope";
        var cannot = Sanitize($"User {GoValue.Quote(attributes.User.Name)} cannot {r.Verb} resource {GoValue.Quote(resource)} in API group {GoValue.Quote(r.ApiGroup)} {scope}");
        if (reason.Length > 0)
        {
            cannot += ": " + reason;
        }
        var groupResource = StatusErrors.GroupResource(r.ApiGroup, r.Resource);
        var message = r.Name.Length > 0
            ? $"{groupResource} {GoValue.Quote(r.Name)} is forbidden: {cannot}"
            : $"{groupResource} is forbidden: {cannot}";
        return StatusErrors.Forbidden(message, r.ApiGroup, r.Resource, r.Name);
    }

    private static string Sanitize(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
