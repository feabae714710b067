using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.Discovery;

/// <summary>
/// API discovery, both ways kube-apiserver serves it: legacy (/api, /api/v1, /apis, /apis/g, /apis/g/v, one
/// request per group-version) and aggregated (apidiscovery.k8s.io v2 and v2beta1 on /api and /apis, answered
/// only when asked for and always with its exact Content-Type, or kubectl sees no resources).
/// </summary>
public static class DiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api", (HttpContext c, ResourceRegistry r) =>
            Aggregated(c, r, legacy: true) ?? Negotiation.WriteValueAsync(c, 200, new V1APIVersions
            {
                Kind = "APIVersions",
                Versions = ["v1"],
                ServerAddressByClientCIDRs = [new V1ServerAddressByClientCIDR { ClientCIDR = "0.0.0.0/0", ServerAddress = ServerAddress(c) }],
            }));
        app.MapGet("/apis", (HttpContext c, ResourceRegistry r) =>
            Aggregated(c, r, legacy: false) ?? Negotiation.WriteValueAsync(c, 200, new V1APIGroupList
            {
                Kind = "APIGroupList",
                ApiVersion = "v1",
                Groups = Groups(r).Select(g => Group(r, g)).ToList(),
            }));
        app.MapGet("/api/v1", (HttpContext c, ResourceRegistry r) => Negotiation.WriteValueAsync(c, 200, ResourceList(r, "", "v1")));
        app.MapGet("/apis/{group}", (HttpContext c, ResourceRegistry r, string group) =>
            Groups(r).Contains(group) ? Negotiation.WriteValueAsync(c, 200, Group(r, group)) : throw StatusErrors.PathNotFound());
        app.MapGet("/apis/{group}/{version}", (HttpContext c, ResourceRegistry r, string group, string version) =>
            r.All.Any(d => d.Group == group && d.Version == version)
                ? Negotiation.WriteValueAsync(c, 200, ResourceList(r, group, version))
                : throw StatusErrors.PathNotFound());
        return app;
    }

    static string ServerAddress(HttpContext c) => $"{c.Connection.LocalIpAddress}:{c.Connection.LocalPort}";

    static IEnumerable<string> Groups(ResourceRegistry r) => r.GroupVersions().Select(g => g.Group).Where(g => g.Length > 0).Distinct();

    static V1APIGroup Group(ResourceRegistry r, string group)
    {
        var versions = r.GroupVersions().Where(g => g.Group == group)
            .Select(g => new V1GroupVersionForDiscovery { GroupVersion = $"{group}/{g.Version}", Version = g.Version }).ToList();
        return new V1APIGroup { Kind = "APIGroup", ApiVersion = "v1", Name = group, Versions = versions, PreferredVersion = versions[0] };
    }

    /// <summary>The legacy list of one group-version: every resource, then each subresource as "pods/status".</summary>
    public static V1APIResourceList ResourceList(ResourceRegistry r, string group, string version)
    {
        var resources = new List<V1APIResource>();
        foreach (var d in r.All.Where(d => d.Group == group && d.Version == version).OrderBy(d => d.Plural, StringComparer.Ordinal))
        {
            resources.Add(new V1APIResource
            {
                Name = d.Plural, SingularName = d.Singular, Namespaced = d.Namespaced, Kind = d.Kind, Verbs = d.Verbs.ToList(),
                ShortNames = d.ShortNames.Count > 0 ? d.ShortNames.ToList() : null,
                Categories = d.Categories.Count > 0 ? d.Categories.ToList() : null,
                StorageVersionHash = StorageVersionHash(d),
            });
            foreach (var s in d.Subresources)
                resources.Add(new V1APIResource
                {
                    Name = $"{d.Plural}/{s.Name}", SingularName = "", Namespaced = d.Namespaced, Kind = s.Kind, Verbs = s.Verbs.ToList(),
                    Group = s.Group, Version = s.Version,
                });
        }
        return new V1APIResourceList { Kind = "APIResourceList", ApiVersion = "v1", GroupVersion = group.Length == 0 ? version : $"{group}/{version}", Resources = resources };
    }

    /// <summary>kube's storageVersionHash: the first 8 bytes of sha256("group/version/Kind"), base64.</summary>
    static string StorageVersionHash(ResourceDefinition d)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{d.Group}/{d.Version}/{d.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }

    const string AggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    const string AggregatedV2Beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    /// <summary>Answers with aggregated discovery when the Accept header asks for it first; null otherwise.</summary>
    static Task? Aggregated(HttpContext c, ResourceRegistry r, bool legacy)
    {
        foreach (var entry in c.Request.Headers.Accept.ToString().Split(','))
        {
            var parts = entry.Split(';').Select(p => p.Trim()).ToList();
            if (parts[0] != "application/json") continue;
            if (!parts.Contains("as=APIGroupDiscoveryList") || !parts.Contains("g=apidiscovery.k8s.io"))
                return null; // plain JSON first: legacy discovery
            var version = parts.Contains("v=v2") ? "v2" : parts.Contains("v=v2beta1") ? "v2beta1" : null;
            if (version is null) continue;
            var list = new ApiGroupDiscoveryList
            {
                ApiVersion = $"apidiscovery.k8s.io/{version}",
                Items = legacy
                    ? [GroupDiscovery(r, "", null)]
                    : Groups(r).Select(g => GroupDiscovery(r, g, g)).ToList(),
            };
            c.Response.Headers.Vary = "Accept";
            return Negotiation.WriteValueAsync(c, 200, list, version == "v2" ? AggregatedV2 : AggregatedV2Beta1);
        }
        return null;
    }

    static ApiGroupDiscovery GroupDiscovery(ResourceRegistry r, string group, string? name) => new()
    {
        Metadata = new DiscoveryObjectMeta { Name = name },
        Versions = r.GroupVersions().Where(g => g.Group == group).Select(g => new ApiVersionDiscovery
        {
            Version = g.Version,
            Resources = r.All.Where(d => d.Group == group && d.Version == g.Version).OrderBy(d => d.Plural, StringComparer.Ordinal).Select(d => new ApiResourceDiscovery
            {
                Resource = d.Plural,
                ResponseKind = new GroupVersionKind(d.Group, d.Version, d.Kind),
                Scope = d.Namespaced ? "Namespaced" : "Cluster",
                SingularResource = d.Singular,
                Verbs = d.Verbs,
                ShortNames = d.ShortNames.Count > 0 ? d.ShortNames : null,
                Categories = d.Categories.Count > 0 ? d.Categories : null,
                Subresources = d.Subresources.Count == 0 ? null : d.Subresources.Select(s => new ApiSubresourceDiscovery
                {
                    Subresource = s.Name,
                    ResponseKind = new GroupVersionKind(s.Group ?? d.Group, s.Version ?? d.Version, s.Kind),
                    Verbs = s.Verbs,
                }).ToList(),
            }).ToList(),
        }).ToList(),
    };
}
