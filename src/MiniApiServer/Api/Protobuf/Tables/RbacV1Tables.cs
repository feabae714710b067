namespace MiniApiServer.Api.Protobuf.Tables;

using static ProtoField;

/// <summary>
/// Tables for rbac.authorization.k8s.io/v1, all measured from real kubectl 1.32 bodies:
/// <c>create role --verb --resource --resource-name</c> (PolicyRule 1–4),
/// <c>create clusterrole --non-resource-url</c> (PolicyRule 5), <c>create clusterrole --aggregation-rule</c>
/// (ClusterRole 3, AggregationRule 1 → LabelSelector 1), <c>create rolebinding --user --group
/// --serviceaccount</c> (RoleBinding 2 subjects, 3 roleRef; Subject 1–4; RoleRef 1–3) and
/// <c>create clusterrolebinding</c>. They agree with k8s.io/api rbac/v1 generated.proto.
/// </summary>
internal static class RbacV1Tables
{
    public static readonly ProtoMessage PolicyRule = new("PolicyRule",
        Strings(1, "verbs"),
        Strings(2, "apiGroups"),
        Strings(3, "resources"),
        Strings(4, "resourceNames"),
        Strings(5, "nonResourceURLs"));

    public static readonly ProtoMessage Subject = new("Subject",
        String(1, "kind"),
        String(2, "apiGroup"),
        String(3, "name"),
        String(4, "namespace"));

    public static readonly ProtoMessage RoleRef = new("RoleRef",
        String(1, "apiGroup"),
        String(2, "kind"),
        String(3, "name"));

    public static readonly ProtoMessage Role = new("Role",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Messages(2, "rules", PolicyRule));

    /// <summary>ClusterRole; aggregationRule is a *AggregationRule pointer.</summary>
    public static readonly ProtoMessage ClusterRole = new("ClusterRole",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Messages(2, "rules", PolicyRule),
        Message(3, "aggregationRule", new ProtoMessage("AggregationRule",
            Messages(1, "clusterRoleSelectors", MetaV1Tables.LabelSelector)), pointer: true));

    public static readonly ProtoMessage RoleBinding = new("RoleBinding",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Messages(2, "subjects", Subject),
        Message(3, "roleRef", RoleRef));

    public static readonly ProtoMessage ClusterRoleBinding = new("ClusterRoleBinding",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Messages(2, "subjects", Subject),
        Message(3, "roleRef", RoleRef));
}
