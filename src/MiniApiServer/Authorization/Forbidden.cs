using MiniApiServer.Api.Errors;

namespace MiniApiServer.Authorization;

/// <summary>
/// kube-apiserver's 403 (<c>responsewriters.Forbidden</c>): the "User … cannot …" sentence, with &amp;, &lt; and
/// &gt; HTML-escaped, then the authorizers' reason, wrapped by <c>NewForbidden</c> for the group-resource
/// (the resource without its subresource) and the name.
/// </summary>
public static class Forbidden
{
    public static ApiException For(AuthorizationAttributes a, string reason)
    {
        var r = a.Request;
        var user = a.User.Name;
        string sentence;
        if (!r.IsResourceRequest)
            sentence = $"User \"{user}\" cannot {r.Verb} path \"{r.Path}\"";
        else
        {
            var resource = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
            var scope = r.Namespace.Length > 0 ? $"in the namespace \"{r.Namespace}\"" : "at the cluster scope";
            sentence = $"User \"{user}\" cannot {r.Verb} resource \"{resource}\" in API group \"{r.ApiGroup}\" {scope}";
        }
        sentence = sentence.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        if (reason.Length > 0) sentence += ": " + reason;
        if (!r.IsResourceRequest)
            return new ApiException(StatusErrors.Failure(403, "Forbidden", "forbidden: " + sentence));
        var subject = StatusErrors.GroupResource(r.ApiGroup, r.Resource) + (r.Name.Length > 0 ? $" \"{r.Name}\"" : "");
        return StatusErrors.Forbidden($"{subject} is forbidden: {sentence}", r.ApiGroup, r.Resource, r.Name);
    }
}
