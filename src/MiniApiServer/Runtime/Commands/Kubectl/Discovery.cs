using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Runtime.Commands.Kubectl;

/// <summary>A resource type as discovery describes it.</summary>
public sealed record ApiResourceType(string Group, string Version, string Plural, string Singular, string Kind, bool Namespaced)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection path, in a namespace when the type is namespaced and <paramref name="ns"/> is set.</summary>
    public string CollectionPath(string? ns) =>
        (Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}") + (Namespaced && ns is { Length: > 0 } ? $"/namespaces/{ns}" : "") + "/" + Plural;

    /// <summary>kubectl's "kind/name" prefix: the lower-case kind, group-qualified outside the core group.</summary>
    public string NamePrefix => Group.Length == 0 ? Kind.ToLowerInvariant() : $"{Kind.ToLowerInvariant()}.{Group}";
}

/// <summary>
/// kubectl's RESTMapper, fed by legacy discovery (<c>/api/v1</c>, <c>/apis</c> and each group's preferred
/// version): a type is found by plural, singular, short name or kind, optionally qualified by group.
/// </summary>
public static class Discovery
{
    public static async Task<(ApiResourceType? Type, ApiResponse? Failure)> ResolveAsync(ApiCall api, string name, CancellationToken ct)
    {
        var lower = name.ToLowerInvariant();
        var dot = lower.IndexOf('.');
        var (wanted, group) = dot > 0 ? (lower[..dot], lower[(dot + 1)..]) : (lower, (string?)null);
        var lists = new List<(string Group, string Version)>();
        if (group is null or "" or "core") lists.Add(("", "v1"));
        var groups = await api.GetAsync("/apis", "application/json", ct);
        if (!groups.Ok) return (null, groups);
        foreach (var g in (groups.Json() as JsonObject)?.ArrAt("groups")?.OfType<JsonObject>() ?? [])
        {
            var gName = g.Str("name") ?? "";
            if (group is not null && gName != group && !gName.StartsWith(group + ".", StringComparison.Ordinal)) continue;
            if (g.Str("preferredVersion", "version") is { } v) lists.Add((gName, v));
        }
        foreach (var (g, v) in lists)
        {
            var list = await api.GetAsync(g.Length == 0 ? "/api/v1" : $"/apis/{g}/{v}", "application/json", ct);
            if (!list.Ok) continue;
            foreach (var r in (list.Json() as JsonObject)?.ArrAt("resources")?.OfType<JsonObject>() ?? [])
            {
                var plural = r.Str("name") ?? "";
                if (plural.Contains('/')) continue;
                var singular = r.Str("singularName") is { Length: > 0 } s ? s : (r.Str("kind") ?? "").ToLowerInvariant();
                var shortNames = r.ArrAt("shortNames")?.Select(n => n?.GetValue<string>()) ?? [];
                if (wanted == plural || wanted == singular || shortNames.Contains(wanted) || wanted == (r.Str("kind") ?? "").ToLowerInvariant())
                    return (new ApiResourceType(g, v, plural, singular, r.Str("kind") ?? "", r.Bool("namespaced") ?? false), null);
            }
        }
        return (null, null);
    }
}
