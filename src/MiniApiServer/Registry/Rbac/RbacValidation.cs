using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Rbac;

/// <summary>kube's <c>pkg/apis/rbac/validation</c>: rules, roleRefs and subjects.</summary>
public static class RbacValidation
{
    /// <summary>Roles and bindings are named by <c>ValidateRBACName</c>: any single URL path segment.</summary>
    public static readonly ValidateNameFunc NameRule = NameValidation.ValidatePathSegmentName;

    public static IEnumerable<FieldError> ValidateRules(JsonObject role, bool namespaced)
    {
        var rules = role.ArrAt("rules") ?? [];
        for (var i = 0; i < rules.Count; i++)
            foreach (var e in ValidatePolicyRule(rules[i] as JsonObject ?? [], namespaced, $"rules[{i}]")) yield return e;
    }

    public static IEnumerable<FieldError> ValidatePolicyRule(JsonObject rule, bool namespaced, string path)
    {
        if (rule.Strings("verbs").Count == 0)
            yield return FieldError.Required(path + ".verbs", "verbs must contain at least one value");
        var urls = rule.Strings("nonResourceURLs");
        if (urls.Count > 0)
        {
            if (namespaced)
                yield return FieldError.Invalid(path + ".nonResourceURLs", GoValue.StringSlice(urls), "namespaced rules cannot apply to non-resource URLs");
            if (rule.Strings("apiGroups").Count > 0 || rule.Strings("resources").Count > 0 || rule.Strings("resourceNames").Count > 0)
                yield return FieldError.Invalid(path + ".nonResourceURLs", GoValue.StringSlice(urls), "rules cannot apply to both regular resources and non-resource URLs");
            yield break;
        }
        if (rule.Strings("apiGroups").Count == 0)
            yield return FieldError.Required(path + ".apiGroups", "resource rules must supply at least one api group");
        if (rule.Strings("resources").Count == 0)
            yield return FieldError.Required(path + ".resources", "resource rules must supply at least one resource");
    }

    /// <summary>A RoleBinding may reference a Role or a ClusterRole; a ClusterRoleBinding only a ClusterRole.</summary>
    public static IEnumerable<FieldError> ValidateBinding(JsonObject binding, bool namespaced)
    {
        var apiGroup = binding.Str("roleRef", "apiGroup") ?? "";
        if (apiGroup != RbacDefinitions.Group)
            yield return FieldError.NotSupported("roleRef.apiGroup", apiGroup, [RbacDefinitions.Group]);
        var kind = binding.Str("roleRef", "kind") ?? "";
        string[] kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
        if (!kinds.Contains(kind))
            yield return FieldError.NotSupported("roleRef.kind", kind, kinds);
        var name = binding.Str("roleRef", "name") ?? "";
        if (name.Length == 0) yield return FieldError.Required("roleRef.name");
        else
            foreach (var msg in NameRule(name, false)) yield return FieldError.Invalid("roleRef.name", name, msg);

        var subjects = binding.ArrAt("subjects") ?? [];
        for (var i = 0; i < subjects.Count; i++)
            foreach (var e in ValidateSubject(subjects[i] as JsonObject ?? [], namespaced, $"subjects[{i}]")) yield return e;
    }

    static IEnumerable<FieldError> ValidateSubject(JsonObject subject, bool namespaced, string path)
    {
        var name = subject.Str("name") ?? "";
        var apiGroup = subject.Str("apiGroup") ?? "";
        if (name.Length == 0) yield return FieldError.Required(path + ".name");
        switch (subject.Str("kind") ?? "")
        {
            case "ServiceAccount":
                if (name.Length > 0)
                    foreach (var msg in NameValidation.IsDns1123Subdomain(name)) yield return FieldError.Invalid(path + ".name", name, msg);
                if (apiGroup.Length > 0) yield return FieldError.NotSupported(path + ".apiGroup", apiGroup, [""]);
                // A cluster binding has no namespace to default a service account's from.
                if (!namespaced && (subject.Str("namespace") ?? "").Length == 0) yield return FieldError.Required(path + ".namespace");
                break;
            case "User" or "Group":
                if (apiGroup != RbacDefinitions.Group) yield return FieldError.NotSupported(path + ".apiGroup", apiGroup, [RbacDefinitions.Group]);
                break;
            case var other:
                yield return FieldError.NotSupported(path + ".kind", other, ["ServiceAccount", "User", "Group"]);
                break;
        }
    }

    /// <summary>The roleRef of a binding never changes (kube: delete and recreate the binding instead).</summary>
    public static IEnumerable<FieldError> ValidateRoleRefUnchanged(JsonObject binding, JsonObject old)
    {
        if (JsonNode.DeepEquals(binding["roleRef"], old["roleRef"])) yield break;
        var r = binding;
        var printed = new GoValue($"rbac.RoleRef{{APIGroup:{GoValue.Quote(r.Str("roleRef", "apiGroup") ?? "")}, Kind:{GoValue.Quote(r.Str("roleRef", "kind") ?? "")}, Name:{GoValue.Quote(r.Str("roleRef", "name") ?? "")}}}");
        yield return FieldError.Invalid("roleRef", printed, "cannot change roleRef");
    }

    /// <summary>v1 defaulting (pkg/apis/rbac/v1/defaults.go): roleRef.apiGroup and User/Group subjects' apiGroup
    /// default to rbac.authorization.k8s.io.</summary>
    public static void DefaultBinding(JsonObject binding)
    {
        if (binding["roleRef"] is JsonObject roleRef && (roleRef.Str("apiGroup") ?? "").Length == 0) roleRef["apiGroup"] = RbacDefinitions.Group;
        foreach (var s in (binding.ArrAt("subjects") ?? []).OfType<JsonObject>())
            if ((s.Str("apiGroup") ?? "").Length == 0 && s.Str("kind") is "User" or "Group") s["apiGroup"] = RbacDefinitions.Group;
    }
}
