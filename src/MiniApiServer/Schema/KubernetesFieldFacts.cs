using k8s.Models;

namespace MiniApiServer.Schema;

/// <summary>The patch and list markers of one Go struct field (kube's <c>+patchStrategy</c>, <c>+listType</c>, …).</summary>
internal sealed record FieldFacts(
    string? PatchStrategy = null,
    string? PatchMergeKey = null,
    string? ListType = null,
    IReadOnlyList<string>? ListMapKeys = null,
    string? MapType = null);

/// <summary>
/// What the C# types cannot say: how Kubernetes merges lists and maps (the markers on kube's Go types
/// that become <c>x-kubernetes-patch-strategy</c>, <c>x-kubernetes-patch-merge-key</c>,
/// <c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>, <c>x-kubernetes-map-type</c>),
/// and which fields are required. Written for the kinds this server serves, each entry checked against
/// the tags in k8s.io/api and k8s.io/apimachinery <c>types.go</c>. A wrong merge key changes what
/// <c>kubectl apply</c> sends, so this table is the single place these facts live.
/// Lists without an entry are atomic (replaced whole); maps without one are granular (merged by key) —
/// so Secret.data/stringData and ConfigMap.data/binaryData, which carry no markers, need none.
/// </summary>
internal static class KubernetesFieldFacts
{
    // Strategic-merge lists keyed by one field, served as list-type map on the same key.
    static FieldFacts MergeBy(string key, params string[] mapKeys) =>
        new("merge", key, "map", mapKeys.Length == 0 ? [key] : mapKeys);

    static readonly FieldFacts Atomic = new(ListType: "atomic");
    static readonly FieldFacts AtomicMap = new(MapType: "atomic");

    static readonly Dictionary<(Type, string), FieldFacts> Fields = new()
    {
        // ---- core/v1 PodSpec
        // volumes and resourceClaims also retain keys: switching a volume's source drops the old one.
        [(typeof(V1PodSpec), "volumes")] = new("merge,retainKeys", "name", "map", ["name"]),
        [(typeof(V1PodSpec), "initContainers")] = MergeBy("name"),
        [(typeof(V1PodSpec), "containers")] = MergeBy("name"),
        [(typeof(V1PodSpec), "ephemeralContainers")] = MergeBy("name"),
        [(typeof(V1PodSpec), "imagePullSecrets")] = MergeBy("name"),
        [(typeof(V1PodSpec), "hostAliases")] = MergeBy("ip"),
        [(typeof(V1PodSpec), "topologySpreadConstraints")] = MergeBy("topologyKey", "topologyKey", "whenUnsatisfiable"),
        [(typeof(V1PodSpec), "schedulingGates")] = MergeBy("name"),
        [(typeof(V1PodSpec), "resourceClaims")] = new("merge,retainKeys", "name", "map", ["name"]),
        [(typeof(V1PodSpec), "tolerations")] = Atomic,
        [(typeof(V1PodSpec), "readinessGates")] = Atomic,
        [(typeof(V1PodSpec), "nodeSelector")] = AtomicMap,

        // ---- core/v1 Container and EphemeralContainer (same fields, EphemeralContainerCommon in Go)
        // ports merge on containerPort, but the list-map key is (containerPort, protocol): 53/TCP and 53/UDP coexist.
        [(typeof(V1Container), "ports")] = MergeBy("containerPort", "containerPort", "protocol"),
        [(typeof(V1Container), "env")] = MergeBy("name"),
        [(typeof(V1Container), "envFrom")] = Atomic,
        [(typeof(V1Container), "volumeMounts")] = MergeBy("mountPath"),
        [(typeof(V1Container), "volumeDevices")] = MergeBy("devicePath"),
        [(typeof(V1Container), "resizePolicy")] = Atomic,
        [(typeof(V1Container), "command")] = Atomic,
        [(typeof(V1Container), "args")] = Atomic,
        [(typeof(V1EphemeralContainer), "ports")] = MergeBy("containerPort", "containerPort", "protocol"),
        [(typeof(V1EphemeralContainer), "env")] = MergeBy("name"),
        [(typeof(V1EphemeralContainer), "envFrom")] = Atomic,
        [(typeof(V1EphemeralContainer), "volumeMounts")] = MergeBy("mountPath"),
        [(typeof(V1EphemeralContainer), "volumeDevices")] = MergeBy("devicePath"),
        [(typeof(V1EphemeralContainer), "resizePolicy")] = Atomic,
        [(typeof(V1EphemeralContainer), "command")] = Atomic,
        [(typeof(V1EphemeralContainer), "args")] = Atomic,
        // ResourceRequirements.claims is a list-map by name with no patch strategy.
        [(typeof(V1ResourceRequirements), "claims")] = new(ListType: "map", ListMapKeys: ["name"]),

        // ---- core/v1 PodStatus and ContainerStatus
        [(typeof(V1PodStatus), "conditions")] = MergeBy("type"),
        // hostIPs merges by ip for strategic merge but is atomic for server-side apply.
        [(typeof(V1PodStatus), "hostIPs")] = new("merge", "ip", "atomic"),
        [(typeof(V1PodStatus), "podIPs")] = MergeBy("ip"),
        [(typeof(V1PodStatus), "initContainerStatuses")] = Atomic,
        [(typeof(V1PodStatus), "containerStatuses")] = Atomic,
        [(typeof(V1PodStatus), "ephemeralContainerStatuses")] = Atomic,
        [(typeof(V1PodStatus), "resourceClaimStatuses")] = new("merge,retainKeys", "name", "map", ["name"]),
        [(typeof(V1ContainerStatus), "volumeMounts")] = MergeBy("mountPath"),
        [(typeof(V1ContainerStatus), "allocatedResourcesStatus")] = MergeBy("name"),

        // ---- meta/v1 ObjectMeta
        [(typeof(V1ObjectMeta), "ownerReferences")] = MergeBy("uid"),
        // finalizers: strategic merge unions the strings; SSA treats them as a set.
        [(typeof(V1ObjectMeta), "finalizers")] = new("merge", null, "set"),
        [(typeof(V1ObjectMeta), "managedFields")] = Atomic,
        [(typeof(V1LabelSelector), "matchExpressions")] = Atomic,
        [(typeof(V1LabelSelectorRequirement), "values")] = Atomic,

        // ---- core/v1 ServiceAccount, Namespace
        [(typeof(V1ServiceAccount), "secrets")] = MergeBy("name"),
        [(typeof(V1ServiceAccount), "imagePullSecrets")] = Atomic,
        [(typeof(V1NamespaceSpec), "finalizers")] = Atomic,
        [(typeof(V1NamespaceStatus), "conditions")] = MergeBy("type"),

        // ---- core/v1 Node
        [(typeof(V1NodeSpec), "podCIDRs")] = new("merge", null, "set"),
        [(typeof(V1NodeSpec), "taints")] = Atomic,
        [(typeof(V1NodeStatus), "conditions")] = MergeBy("type"),
        [(typeof(V1NodeStatus), "addresses")] = MergeBy("type"),
        [(typeof(V1NodeStatus), "images")] = Atomic,
        [(typeof(V1NodeStatus), "volumesInUse")] = Atomic,
        [(typeof(V1NodeStatus), "volumesAttached")] = Atomic,

        // ---- rbac.authorization.k8s.io/v1: rules and subjects are replaced whole.
        [(typeof(V1Role), "rules")] = Atomic,
        [(typeof(V1ClusterRole), "rules")] = Atomic,
        [(typeof(V1RoleBinding), "subjects")] = Atomic,
        [(typeof(V1ClusterRoleBinding), "subjects")] = Atomic,
        [(typeof(V1AggregationRule), "clusterRoleSelectors")] = Atomic,
        [(typeof(V1PolicyRule), "verbs")] = Atomic,
        [(typeof(V1PolicyRule), "apiGroups")] = Atomic,
        [(typeof(V1PolicyRule), "resources")] = Atomic,
        [(typeof(V1PolicyRule), "resourceNames")] = Atomic,
        [(typeof(V1PolicyRule), "nonResourceURLs")] = Atomic,

        // ---- certificates.k8s.io/v1: conditions are a list-map by type without a patch strategy.
        [(typeof(V1CertificateSigningRequestSpec), "usages")] = Atomic,
        [(typeof(V1CertificateSigningRequestSpec), "groups")] = Atomic,
        [(typeof(V1CertificateSigningRequestStatus), "conditions")] = new(ListType: "map", ListMapKeys: ["type"]),

        // ---- authentication.k8s.io/v1
        [(typeof(V1TokenRequestSpec), "audiences")] = Atomic,
        [(typeof(V1UserInfo), "groups")] = Atomic,
    };

    /// <summary>Go structs marked <c>+structType=atomic</c>: replaced whole, never merged field by field.</summary>
    static readonly HashSet<Type> AtomicStructs =
    [
        typeof(V1ObjectReference), typeof(V1LocalObjectReference), typeof(V1TypedLocalObjectReference),
        typeof(V1SecretReference), typeof(V1OwnerReference), typeof(V1LabelSelector),
        typeof(V1NodeSelector), typeof(V1NodeSelectorTerm), typeof(V1TopologySelectorTerm),
        typeof(V1SecretKeySelector), typeof(V1ConfigMapKeySelector), typeof(V1ObjectFieldSelector),
        typeof(V1ResourceFieldSelector), typeof(Rbacv1Subject), typeof(V1RoleRef),
    ];

    /// <summary>Fields without <c>omitempty</c> and without <c>+optional</c> in kube's types.</summary>
    static readonly Dictionary<Type, string[]> RequiredFields = new()
    {
        [typeof(V1PodSpec)] = ["containers"],
        [typeof(V1Container)] = ["name"],
        [typeof(V1EphemeralContainer)] = ["name"],
        [typeof(V1ContainerPort)] = ["containerPort"],
        [typeof(V1EnvVar)] = ["name"],
        [typeof(V1VolumeMount)] = ["name", "mountPath"],
        [typeof(V1VolumeDevice)] = ["name", "devicePath"],
        [typeof(V1Volume)] = ["name"],
        [typeof(V1KeyToPath)] = ["key", "path"],
        [typeof(V1SecretKeySelector)] = ["key"],
        [typeof(V1ConfigMapKeySelector)] = ["key"],
        [typeof(V1ObjectFieldSelector)] = ["fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["resource"],
        [typeof(V1HostAlias)] = ["ip"],
        [typeof(V1PodCondition)] = ["type", "status"],
        [typeof(V1ContainerStatus)] = ["name", "ready", "restartCount", "image", "imageID"],
        [typeof(V1NodeSelector)] = ["nodeSelectorTerms"],
        [typeof(V1NodeSelectorRequirement)] = ["key", "operator"],
        [typeof(V1Taint)] = ["key", "effect"],
        [typeof(V1TopologySpreadConstraint)] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        [typeof(V1NamespaceCondition)] = ["type", "status"],
        [typeof(V1NodeCondition)] = ["type", "status"],
        [typeof(V1NodeAddress)] = ["type", "address"],
        [typeof(Corev1Event)] = ["metadata", "involvedObject"],
        [typeof(V1OwnerReference)] = ["apiVersion", "kind", "name", "uid"],
        [typeof(V1LabelSelectorRequirement)] = ["key", "operator"],
        [typeof(V1Condition)] = ["type", "status", "lastTransitionTime", "reason", "message"],
        [typeof(V1PolicyRule)] = ["verbs"],
        [typeof(Rbacv1Subject)] = ["kind", "name"],
        [typeof(V1RoleRef)] = ["apiGroup", "kind", "name"],
        [typeof(V1RoleBinding)] = ["roleRef"],
        [typeof(V1ClusterRoleBinding)] = ["roleRef"],
        [typeof(V1CertificateSigningRequest)] = ["spec"],
        [typeof(V1CertificateSigningRequestSpec)] = ["request", "signerName"],
        [typeof(V1CertificateSigningRequestCondition)] = ["type", "status"],
        [typeof(Authenticationv1TokenRequest)] = ["spec"],
        [typeof(V1TokenRequestSpec)] = ["audiences"],
    };

    public static FieldFacts? For(Type declaringType, string jsonName) =>
        Fields.GetValueOrDefault((declaringType, jsonName));

    public static string? StructMapType(Type type) => AtomicStructs.Contains(type) ? "atomic" : null;

    /// <summary>Required JSON fields; every kube list kind (XxxList) requires <c>items</c>.</summary>
    public static IReadOnlyList<string> Required(Type type)
    {
        if (RequiredFields.TryGetValue(type, out var required)) return required;
        return type.Name.EndsWith("List", StringComparison.Ordinal) && ModelSchema.JsonProperties(type).Any(p => p.JsonName == "items")
            ? ["items"]
            : [];
    }

    /// <summary>Every (type, JSON field) the table names, so tests can prove each entry names a real field.</summary>
    internal static IEnumerable<(Type Type, string JsonName)> AllFieldEntries =>
        Fields.Keys.Concat(RequiredFields.SelectMany(kv => kv.Value.Select(f => (kv.Key, f))));
}
