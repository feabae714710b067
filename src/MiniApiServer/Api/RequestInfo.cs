using Microsoft.AspNetCore.Http;

namespace MiniApiServer.Api;

/// <summary>
/// What a request is about, derived from its path, method and query exactly as k8s.io/apiserver's
/// <c>RequestInfoFactory</c> derives it. Authorization, audit and the handlers all read this one value.
/// </summary>
public sealed record RequestInfo
{
    public required bool IsResourceRequest { get; init; }
    public required string Path { get; init; }
    /// <summary>Verb: get, list, watch, create, update, patch, delete, deletecollection (resource requests);
    /// the lower-cased HTTP method for non-resource requests.</summary>
    public required string Verb { get; init; }
    public string ApiPrefix { get; init; } = "";
    public string ApiGroup { get; init; } = "";
    public string ApiVersion { get; init; } = "";
    /// <summary>As in kube, a request for a namespace itself (/api/v1/namespaces/foo) has Namespace "foo"
    /// as well as Name "foo", so a RoleBinding in foo can grant reading foo.</summary>
    public string Namespace { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Subresource { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Parts { get; init; } = [];

    static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    public static RequestInfo From(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var nonResource = new RequestInfo { IsResourceRequest = false, Path = path, Verb = request.Method.ToLowerInvariant() };
        var segments = path.Trim('/').Split('/', StringSplitOptions.None);
        if (segments.Length == 0 || segments[0] is not ("api" or "apis")) return nonResource;

        var prefix = segments[0];
        var rest = segments.AsSpan(1);
        string group = "";
        if (prefix == "apis")
        {
            if (rest.Length < 2) return nonResource with { ApiPrefix = prefix };
            group = rest[0];
            rest = rest[1..];
        }
        else if (rest.Length < 1) return nonResource with { ApiPrefix = prefix };
        var version = rest[0];
        rest = rest[1..];
        if (rest.Length == 0 || rest[0].Length == 0)
            return nonResource with { ApiPrefix = prefix, ApiGroup = group, ApiVersion = version };

        var verb = request.Method switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        };
        // The deprecated /watch/ path prefix.
        var parts = rest.ToArray().ToList();
        if (parts[0] == "watch" && parts.Count > 1) { verb = "watch"; parts.RemoveAt(0); }

        string ns = "";
        // /namespaces/{ns}/{resource}... is a namespaced request; /namespaces/{name}[/status|finalize] is the namespace itself.
        if (parts[0] == "namespaces" && parts.Count > 1)
        {
            ns = parts[1];
            if (parts.Count > 2 && !NamespaceSubresources.Contains(parts[2]))
                parts = parts.Skip(2).ToList();
        }

        var info = new RequestInfo
        {
            IsResourceRequest = true,
            Path = path,
            Verb = verb,
            ApiPrefix = prefix,
            ApiGroup = group,
            ApiVersion = version,
            Namespace = ns,
            Resource = parts[0],
            Name = parts.Count >= 2 ? parts[1] : "",
            Subresource = parts.Count >= 3 ? parts[2] : "",
            Parts = parts,
        };

        var isWatch = request.Query.TryGetValue("watch", out var w) && w.ToString() is "true" or "1" or "True";
        if (info.Name.Length == 0 && verb == "get") info = info with { Verb = isWatch ? "watch" : "list" };
        else if (info.Name.Length == 0 && verb == "delete") info = info with { Verb = "deletecollection" };

        // A list or watch with a metadata.name field selector is authorized as a request for that one name.
        if (info.Verb is "list" or "watch" && info.Name.Length == 0 && request.Query.TryGetValue("fieldSelector", out var fs))
        {
            foreach (var term in fs.ToString().Split(','))
            {
                var t = term.Trim();
                foreach (var op in new[] { "metadata.name==", "metadata.name=" })
                    if (t.StartsWith(op, StringComparison.Ordinal)) { info = info with { Name = t[op.Length..] }; goto done; }
            }
            done:;
        }
        return info;
    }
}
