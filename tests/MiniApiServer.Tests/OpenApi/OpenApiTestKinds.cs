using k8s.Models;
using MiniApiServer.Registry;

namespace MiniApiServer.Tests.OpenApi;

/// <summary>A few served kinds, defined as the registry defines them, for the OpenAPI tests.</summary>
internal static class OpenApiTestKinds
{
    public static readonly ResourceDefinition Pods = new()
    {
        Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Singular = "pod", Namespaced = true,
        ModelType = typeof(V1Pod), ListModelType = typeof(V1PodList), ShortNames = ["po"], Categories = ["all"],
        Subresources =
        [
            new("status", "Pod", ["get", "patch", "update"]),
            new("log", "Pod", ["get"]),
            new("exec", "PodExecOptions", ["create", "get"]),
        ],
    };

    public static readonly ResourceDefinition Namespaces = new()
    {
        Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false,
        ModelType = typeof(V1Namespace), ListModelType = typeof(V1NamespaceList), ShortNames = ["ns"],
        Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
    };

    public static readonly ResourceDefinition Secrets = new()
    {
        Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true,
        ModelType = typeof(V1Secret), ListModelType = typeof(V1SecretList),
    };

    public static readonly ResourceDefinition ServiceAccounts = new()
    {
        Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount", Namespaced = true,
        ModelType = typeof(V1ServiceAccount), ListModelType = typeof(V1ServiceAccountList), ShortNames = ["sa"],
        Subresources = [new("token", "TokenRequest", ["create"], typeof(Authenticationv1TokenRequest), "authentication.k8s.io", "v1")],
    };

    public static readonly ResourceDefinition ConfigMaps = new()
    {
        Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true,
        ModelType = typeof(V1ConfigMap), ListModelType = typeof(V1ConfigMapList), ShortNames = ["cm"],
    };

    public static readonly ResourceDefinition ClusterRoles = new()
    {
        Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Singular = "clusterrole",
        Namespaced = false, ModelType = typeof(V1ClusterRole), ListModelType = typeof(V1ClusterRoleList),
    };

    public static readonly ResourceDefinition Events = new()
    {
        Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
        ModelType = typeof(Corev1Event), ListModelType = typeof(Corev1EventList), ShortNames = ["ev"],
        Verbs = ResourceDefinition.ReadOnlyVerbs,
    };

    public static readonly IReadOnlyList<ResourceDefinition> All = [Pods, Namespaces, Secrets, ServiceAccounts, ConfigMaps, ClusterRoles, Events];
}
