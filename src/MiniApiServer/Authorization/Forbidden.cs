using System.Net;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Authorization;

/// <summary>kube-apiserver's 403 message (<c>responsewriters.forbiddenMessage</c>), HTML-escaped as it is.</summary>
public static class Forbidden
{
    public static ApiException For(AuthorizationAttributes a, string reason)
    {
        var r = a.Request;
        var user = a.User.Name;
        string message;
        if (!r.IsResourceRequest)
            message = $"forbidden: User \"{user}\" cannot {r.Verb} path \"{r.Path}\"";
        else
        {
            var resource = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
            var scope = r.Namespace.Length > 0 ? $"in the namespace \"{r.Namespace}\"" : "at the cluster scope";
            var subject = r.Name.Length > 0 ? $"{StatusErrors.GroupResource(r.ApiGroup, resource)} \"{r.Name}\" is forbidden" : $"{StatusErrors.GroupResource(r.ApiGroup, resource)} is forbidden";
            message = $"{subject}: User \"{user}\" cannot {r.Verb} resource \"{resource}\" in API group \"{r.ApiGroup}\" {scope}";
        }
        if (reason.Length > 0) message += ": " + reason;
        message = message.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        if (!r.IsResourceRequest)
            return new ApiException(StatusErrors.Failure(403, "Forbidden", message));
        var resourceName = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
        return StatusErrors.Forbidden(message, r.ApiGroup, resourceName, r.Name);
    }
}
