using k8s.Models;

namespace MiniApiServer.Registry.Rbac;

/// <summary>The four kinds of rbac.authorization.k8s.io/v1 (no short names, as in kube).</summary>
public static class RbacDefinitions
{
    public const string Group = "rbac.authorization.k8s.io";

    public static ResourceDefinition Roles { get; } = new()
    {
        Group = Group, Version = "v1", Kind = "Role", Plural = "roles", Singular = "role", Namespaced = true,
        ModelType = typeof(V1Role), ListModelType = typeof(V1RoleList), Strategy = new RoleStrategy(),
    };

    public static ResourceDefinition ClusterRoles { get; } = new()
    {
        Group = Group, Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Singular = "clusterrole", Namespaced = false,
        ModelType = typeof(V1ClusterRole), ListModelType = typeof(V1ClusterRoleList), Strategy = new ClusterRoleStrategy(),
    };

    public static ResourceDefinition RoleBindings { get; } = new()
    {
        Group = Group, Version = "v1", Kind = "RoleBinding", Plural = "rolebindings", Singular = "rolebinding", Namespaced = true,
        ModelType = typeof(V1RoleBinding), ListModelType = typeof(V1RoleBindingList), Strategy = new RoleBindingStrategy(namespaced: true),
    };

    public static ResourceDefinition ClusterRoleBindings { get; } = new()
    {
        Group = Group, Version = "v1", Kind = "ClusterRoleBinding", Plural = "clusterrolebindings", Singular = "clusterrolebinding", Namespaced = false,
        ModelType = typeof(V1ClusterRoleBinding), ListModelType = typeof(V1ClusterRoleBindingList), Strategy = new RoleBindingStrategy(namespaced: false),
    };

    public static IReadOnlyList<ResourceDefinition> All { get; } = [ClusterRoleBindings, ClusterRoles, RoleBindings, Roles];
}
