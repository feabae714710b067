using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Rbac;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// Creating and reconciling the bootstrap policy at start, as kube-apiserver's rbac/bootstrap-roles post-start
/// hook does (pkg/registry/rbac/reconciliation): a missing object is created; one annotated
/// <c>rbac.authorization.kubernetes.io/autoupdate: "false"</c> is left alone; otherwise missing labels,
/// annotations, rules, aggregation selectors and subjects are added (nothing is removed), and a binding whose
/// roleRef differs is deleted and created again.
/// </summary>
public static partial class BootstrapPolicy
{
    static readonly WriteOptions Options = new() { FieldManager = "kube-apiserver" };

    public static void Ensure(ResourceRest rest)
    {
        foreach (var role in ClusterRoles()) EnsureClusterRole(rest, role);
        foreach (var binding in ClusterRoleBindings()) EnsureClusterRoleBinding(rest, binding);
    }

    static JsonObject? Existing(ResourceRest rest, Registry.ResourceDefinition def, string name) =>
        rest.Store.Get(ResourceRest.Key(def, "", name))?.Object.Clone();

    static bool Protected(JsonObject existing) => existing.Str("metadata", "annotations", AutoUpdateAnnotation) == "false";

    static void EnsureClusterRole(ResourceRest rest, JsonObject expected)
    {
        var def = RbacDefinitions.ClusterRoles;
        var existing = Existing(rest, def, expected.Name());
        if (existing is null)
        {
            CreateIfMissing(() => rest.Create(def, "", expected, Options));
            return;
        }
        if (Protected(existing)) return;
        if (!JsonNode.DeepEquals(ReconcileRole(existing, expected), existing))
            rest.Write(def, "", expected.Name(), Options, null, current => ReconcileRole(current ?? throw StatusErrors.NotFound(def.Group, def.Plural, expected.Name()), expected));
    }

    static JsonObject ReconcileRole(JsonObject existing, JsonObject expected)
    {
        var reconciled = existing.Clone();
        MergeMetadata(reconciled, expected);
        var existingRules = PolicyRule.ListFrom(existing);
        var (_, missing) = PolicyComparator.Covers(existingRules, PolicyRule.ListFrom(expected));
        if (missing.Count > 0)
            reconciled["rules"] = new JsonArray(existingRules.Concat(missing).Select(r => (JsonNode?)r.ToJson()).ToArray());
        if (expected.ArrAt("aggregationRule", "clusterRoleSelectors") is { } wanted)
        {
            var selectors = reconciled.Ensure("aggregationRule")["clusterRoleSelectors"] as JsonArray ?? [];
            foreach (var w in wanted.Where(w => !selectors.Any(e => JsonNode.DeepEquals(e, w))).ToList()) selectors.Add(w!.DeepClone());
            reconciled["aggregationRule"]!["clusterRoleSelectors"] = selectors;
        }
        return reconciled;
    }

    static void EnsureClusterRoleBinding(ResourceRest rest, JsonObject expected)
    {
        var def = RbacDefinitions.ClusterRoleBindings;
        var name = expected.Name();
        var existing = Existing(rest, def, name);
        if (existing is null)
        {
            CreateIfMissing(() => rest.Create(def, "", expected, Options));
            return;
        }
        if (Protected(existing)) return;
        if (!JsonNode.DeepEquals(existing["roleRef"], expected["roleRef"]))
        {
            // roleRef is immutable: the binding is recreated with the expected one and the subjects it had.
            var recreated = expected.Clone();
            AddMissingSubjects(recreated, existing.ArrAt("subjects") ?? []);
            rest.Delete(def, "", name, new DeleteOptionsInput());
            CreateIfMissing(() => rest.Create(def, "", recreated, Options));
            return;
        }
        if (!JsonNode.DeepEquals(ReconcileBinding(existing, expected), existing))
            rest.Write(def, "", name, Options, null, current => ReconcileBinding(current ?? throw StatusErrors.NotFound(def.Group, def.Plural, name), expected));
    }

    static JsonObject ReconcileBinding(JsonObject existing, JsonObject expected)
    {
        var reconciled = existing.Clone();
        MergeMetadata(reconciled, expected);
        AddMissingSubjects(reconciled, expected.ArrAt("subjects") ?? []);
        return reconciled;
    }

    static void AddMissingSubjects(JsonObject binding, JsonArray subjects)
    {
        var have = binding["subjects"] as JsonArray ?? [];
        foreach (var s in subjects.Where(w => !have.Any(e => JsonNode.DeepEquals(e, w))).ToList()) have.Add(s!.DeepClone());
        binding["subjects"] = have;
    }

    /// <summary>Expected labels and annotations are added; where both have a key, the existing value stays.</summary>
    static void MergeMetadata(JsonObject reconciled, JsonObject expected)
    {
        foreach (var field in new[] { "labels", "annotations" })
        {
            var target = reconciled.Metadata()[field] as JsonObject ?? [];
            foreach (var (k, v) in expected.ObjAt("metadata", field) ?? [])
                if (!target.ContainsKey(k)) target[k] = v?.DeepClone();
            reconciled.Metadata()[field] = target;
        }
    }

    static void CreateIfMissing(Action create)
    {
        try { create(); }
        catch (ApiException e) when (e.Code == 409) { }
    }
}
