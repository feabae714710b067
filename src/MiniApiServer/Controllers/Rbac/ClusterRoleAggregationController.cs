using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Authorization.Rbac;
using MiniApiServer.Registry.Rbac;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers.Rbac;

/// <summary>
/// kube-controller-manager's clusterrole-aggregation controller: the rules of a ClusterRole with an
/// aggregationRule are the union of the rules of every other ClusterRole its selectors match, taken in
/// name order without repeats. Any ClusterRole change re-computes every aggregated ClusterRole.
/// </summary>
public sealed class ClusterRoleAggregationController(ResourceRest rest, TimeProvider time, ILogger<ClusterRoleAggregationController> logger)
    : WatchController(rest.Store, RbacDefinitions.ClusterRoles, time, logger)
{
    static readonly WriteOptions Options = new() { FieldManager = "clusterrole-aggregation-controller" };

    /// <summary>The resourceVersion each role had when last reconciled: only a real change is passed on.</summary>
    readonly Dictionary<string, string> seen = [];

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        var all = Store.List(RbacDefinitions.ClusterRoles.StorageResource, null).Items.Select(i => i.Object).ToList();
        // A change to any role (aggregated roles included: edit is aggregated into admin) may change what an
        // aggregated role gathers, so a changed role sends every aggregated role to be reconciled. A role
        // reconciled again without a change passes nothing on, so the cascade ends.
        var rv = current?.Object.ResourceVersion() ?? "";
        var changed = !seen.TryGetValue(key.Name, out var last) || last != rv;
        if (current is null) seen.Remove(key.Name); else seen[key.Name] = rv;
        if (changed)
            foreach (var role in all)
                if (role.Name() != key.Name && role["aggregationRule"] is JsonObject)
                    Enqueue(ResourceRest.Key(RbacDefinitions.ClusterRoles, "", role.Name()));

        if (current?.Object["aggregationRule"] is not JsonObject) return null;
        var rules = AggregatedRules(current.Object, all);
        if (PolicyRule.ListFrom(current.Object).SequenceEqual(rules)) return null;
        rest.Write(RbacDefinitions.ClusterRoles, "", key.Name, Options, null, cur =>
        {
            var role = cur ?? throw Api.Errors.StatusErrors.NotFound(RbacDefinitions.Group, "clusterroles", key.Name);
            role["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r.ToJson()).ToArray());
            return role;
        });
        return null;
    }

    /// <summary>The union of the matching roles' rules (kube keeps the first copy of a repeated rule).</summary>
    public static IReadOnlyList<PolicyRule> AggregatedRules(JsonObject aggregated, IReadOnlyList<JsonObject> all)
    {
        var rules = new List<PolicyRule>();
        foreach (var selectorJson in aggregated.ArrAt("aggregationRule", "clusterRoleSelectors") ?? [])
        {
            if (!LabelSelector.TryFromJson(selectorJson, out var selector, out _)) continue;
            foreach (var role in all.Where(r => r.Name() != aggregated.Name() && selector.Matches(r.Labels())).OrderBy(r => r.Name(), StringComparer.Ordinal))
                foreach (var rule in PolicyRule.ListFrom(role))
                    if (!rules.Contains(rule)) rules.Add(rule);
        }
        return rules;
    }
}
