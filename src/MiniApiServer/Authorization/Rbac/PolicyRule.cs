using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>One rbac.authorization.k8s.io/v1 PolicyRule, read from a Role's or ClusterRole's <c>rules</c>.</summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls)
{
    public const string All = "*";

    public static PolicyRule Resource(IReadOnlyList<string> verbs, IReadOnlyList<string> groups, IReadOnlyList<string> resources, IReadOnlyList<string>? names = null) =>
        new(verbs, groups, resources, names ?? [], []);

    public static PolicyRule NonResource(IReadOnlyList<string> verbs, IReadOnlyList<string> urls) => new(verbs, [], [], [], urls);

    public static PolicyRule FromJson(JsonObject rule) => new(
        rule.Strings("verbs"), rule.Strings("apiGroups"), rule.Strings("resources"), rule.Strings("resourceNames"), rule.Strings("nonResourceURLs"));

    /// <summary>The rules of a Role or ClusterRole object (none when <c>rules</c> is absent or null).</summary>
    public static IReadOnlyList<PolicyRule> ListFrom(JsonObject role) =>
        (role.ArrAt("rules") ?? []).OfType<JsonObject>().Select(FromJson).ToList();

    /// <summary>The v1 JSON form; empty lists are omitted (they are omitempty), verbs always written.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["verbs"] = Verbs.ToJsonArray() };
        if (ApiGroups.Count > 0) o["apiGroups"] = ApiGroups.ToJsonArray();
        if (Resources.Count > 0) o["resources"] = Resources.ToJsonArray();
        if (ResourceNames.Count > 0) o["resourceNames"] = ResourceNames.ToJsonArray();
        if (NonResourceUrls.Count > 0) o["nonResourceURLs"] = NonResourceUrls.ToJsonArray();
        return o;
    }

    public bool Equals(PolicyRule? other) =>
        other is not null && Verbs.SequenceEqual(other.Verbs) && ApiGroups.SequenceEqual(other.ApiGroups) && Resources.SequenceEqual(other.Resources)
        && ResourceNames.SequenceEqual(other.ResourceNames) && NonResourceUrls.SequenceEqual(other.NonResourceUrls);

    public override int GetHashCode() => HashCode.Combine(Verbs.Count, ApiGroups.Count, Resources.Count, Verbs.FirstOrDefault(), Resources.FirstOrDefault(), NonResourceUrls.FirstOrDefault());

    /// <summary>kube's <c>rbacv1helpers.CompactString</c>, the form escalation errors list missing rules in:
    /// <c>{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}</c>.</summary>
    public string CompactString()
    {
        static string Q(IReadOnlyList<string> l) => "[" + string.Join(" ", l.Select(Registry.Validation.GoValue.Quote)) + "]";
        var parts = new List<string>();
        if (ApiGroups.Count > 0) parts.Add("APIGroups:" + Q(ApiGroups));
        if (Resources.Count > 0) parts.Add("Resources:" + Q(Resources));
        if (NonResourceUrls.Count > 0) parts.Add("NonResourceURLs:" + Q(NonResourceUrls));
        if (ResourceNames.Count > 0) parts.Add("ResourceNames:" + Q(ResourceNames));
        if (Verbs.Count > 0) parts.Add("Verbs:" + Q(Verbs));
        return "{" + string.Join(", ", parts) + "}";
    }
}

/// <summary>A RoleBinding's or ClusterRoleBinding's roleRef.</summary>
public sealed record RoleRef(string ApiGroup, string Kind, string Name)
{
    public static RoleRef FromJson(JsonObject binding) =>
        new(binding.Str("roleRef", "apiGroup") ?? "", binding.Str("roleRef", "kind") ?? "", binding.Str("roleRef", "name") ?? "");
}

/// <summary>One binding subject (User, Group or ServiceAccount).</summary>
public sealed record Subject(string Kind, string ApiGroup, string Name, string Namespace)
{
    public const string UserKind = "User", GroupKind = "Group", ServiceAccountKind = "ServiceAccount";

    public static Subject FromJson(JsonObject s) => new(s.Str("kind") ?? "", s.Str("apiGroup") ?? "", s.Str("name") ?? "", s.Str("namespace") ?? "");
}

/// <summary>A RoleBinding (Namespace set) or ClusterRoleBinding (Namespace "") as the authorizer needs it.</summary>
public sealed record Binding(string Name, string Namespace, RoleRef RoleRef, IReadOnlyList<Subject> Subjects)
{
    public static Binding FromJson(JsonObject b) => new(
        b.Name(), b.Namespace(), RoleRef.FromJson(b),
        (b.ArrAt("subjects") ?? []).OfType<JsonObject>().Select(Subject.FromJson).ToList());
}
