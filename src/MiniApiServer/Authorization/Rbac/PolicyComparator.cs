namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// Whether one set of rules covers another (kube's <c>pkg/registry/rbac/validation/policy_comparator.go</c>),
/// the heart of privilege-escalation prevention: the rules to grant are broken down to single
/// group/resource/verb/name atoms and each atom must be covered by one rule the user holds.
/// </summary>
public static class PolicyComparator
{
    public static (bool Covered, IReadOnlyList<PolicyRule> Missing) Covers(IReadOnlyList<PolicyRule> owner, IEnumerable<PolicyRule> servant)
    {
        var missing = servant.SelectMany(Breakdown).Where(sub => !owner.Any(o => RuleCovers(o, sub))).ToList();
        return (missing.Count == 0, missing);
    }

    /// <summary>Every (group, resource, verb[, name]) and (url, verb) combination of a rule, as a rule of its own.</summary>
    public static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        foreach (var group in rule.ApiGroups)
            foreach (var resource in rule.Resources)
                foreach (var verb in rule.Verbs)
                {
                    if (rule.ResourceNames.Count > 0)
                        foreach (var name in rule.ResourceNames)
                            yield return PolicyRule.Resource([verb], [group], [resource], [name]);
                    else
                        yield return PolicyRule.Resource([verb], [group], [resource]);
                }
        foreach (var url in rule.NonResourceUrls)
            foreach (var verb in rule.Verbs)
                yield return PolicyRule.NonResource([verb], [url]);
    }

    static bool HasAll(IReadOnlyList<string> set, IReadOnlyList<string> contains) => contains.All(set.Contains);

    static bool ResourceCoversAll(IReadOnlyList<string> owner, IReadOnlyList<string> covers)
    {
        if (owner.Contains(PolicyRule.All) || HasAll(owner, covers)) return true;
        foreach (var path in covers)
        {
            if (owner.Contains(path)) continue;
            var slash = path.IndexOf('/');
            // "*/scale" held covers "deployments/scale" wanted.
            if (slash < 0 || !owner.Contains("*/" + path[(slash + 1)..])) return false;
        }
        return true;
    }

    static bool NonResourceUrlCovers(string owner, string sub) =>
        owner == sub || owner.EndsWith('*') && sub.StartsWith(owner.TrimEnd('*'), StringComparison.Ordinal);

    /// <summary>Whether an owner rule covers one broken-down rule.</summary>
    public static bool RuleCovers(PolicyRule owner, PolicyRule sub)
    {
        var verbs = owner.Verbs.Contains(PolicyRule.All) || HasAll(owner.Verbs, sub.Verbs);
        var groups = owner.ApiGroups.Contains(PolicyRule.All) || HasAll(owner.ApiGroups, sub.ApiGroups);
        var resources = ResourceCoversAll(owner.Resources, sub.Resources);
        var urls = sub.NonResourceUrls.All(p => owner.NonResourceUrls.Any(o => NonResourceUrlCovers(o, p)));
        var names = sub.ResourceNames.Count == 0
            ? owner.ResourceNames.Count == 0
            : owner.ResourceNames.Count == 0 || HasAll(owner.ResourceNames, sub.ResourceNames);
        return verbs && groups && resources && names && urls;
    }

    /// <summary>
    /// kube's <c>CompactRules</c>: rules naming one group and one resource (and at most one name) that differ
    /// only in verbs are merged, so a missing get+list reads as one line. Merged rules come after the others.
    /// </summary>
    public static IReadOnlyList<PolicyRule> Compact(IReadOnlyList<PolicyRule> rules)
    {
        var compacted = new List<PolicyRule>();
        var simple = new Dictionary<(string Group, string Resource, bool HasName, string Name), PolicyRule>();
        var order = new List<(string, string, bool, string)>();
        foreach (var rule in rules)
        {
            if (rule.ResourceNames.Count > 1 || rule.NonResourceUrls.Count > 0 || rule.ApiGroups.Count != 1 || rule.Resources.Count != 1)
            {
                compacted.Add(rule);
                continue;
            }
            var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames.Count == 1, rule.ResourceNames.FirstOrDefault() ?? "");
            if (simple.TryGetValue(key, out var existing))
                simple[key] = existing with { Verbs = [.. existing.Verbs, .. rule.Verbs] };
            else
            {
                simple[key] = rule;
                order.Add(key);
            }
        }
        compacted.AddRange(order.Select(k => simple[k]));
        return compacted;
    }
}
