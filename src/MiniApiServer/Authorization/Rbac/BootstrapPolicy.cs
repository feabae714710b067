using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication;
using MiniApiServer.Registry.Rbac;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// Kubernetes' bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy, as of 1.32), for the
/// part that concerns what this server serves: cluster-admin for system:masters; the aggregated admin, edit
/// and view roles with kube's aggregate-to-* rules; the discovery, public-info, basic-user and
/// service-account-issuer-discovery roles for everyone they are for. Nothing is granted to service
/// accounts as such, in any namespace.
/// </summary>
public static partial class BootstrapPolicy
{
    public const string AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
    const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    static readonly string[] ReadVerbs = ["get", "list", "watch"];
    static readonly string[] WriteVerbs = ["create", "delete", "deletecollection", "patch", "update"];
    static readonly string[] ReadWriteVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    static PolicyRule Rule(string[] verbs, string group, params string[] resources) => PolicyRule.Resource(verbs, [group], resources);

    /// <summary>The bootstrap ClusterRoles, in kube's order (sorted by name).</summary>
    public static IReadOnlyList<JsonObject> ClusterRoles() =>
    [
        ClusterRole("admin", aggregatedBy: AggregateToAdmin),
        ClusterRole("cluster-admin", rules: [PolicyRule.Resource(["*"], ["*"], ["*"]), PolicyRule.NonResource(["*"], ["*"])]),
        ClusterRole("edit", aggregatedBy: AggregateToEdit, labels: [AggregateToAdmin]),
        ClusterRole("system:aggregate-to-admin", labels: [AggregateToAdmin], rules:
        [
            Rule(["create"], "authorization.k8s.io", "localsubjectaccessreviews"),
            Rule(ReadWriteVerbs, "rbac.authorization.k8s.io", "rolebindings", "roles"),
        ]),
        ClusterRole("system:aggregate-to-edit", labels: [AggregateToEdit], rules:
        [
            Rule(ReadVerbs, "", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"),
            Rule(["impersonate"], "", "serviceaccounts"),
            Rule(WriteVerbs, "", "pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"),
            Rule(["create"], "", "pods/eviction"),
            Rule(WriteVerbs, "", "configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"),
            Rule(["create"], "", "serviceaccounts/token"),
            Rule(WriteVerbs, "apps", "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"),
            Rule(WriteVerbs, "autoscaling", "horizontalpodautoscalers"),
            Rule(WriteVerbs, "batch", "cronjobs", "jobs"),
            Rule(WriteVerbs, "extensions", "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"),
            Rule(WriteVerbs, "policy", "poddisruptionbudgets"),
            Rule(WriteVerbs, "networking.k8s.io", "ingresses", "networkpolicies"),
            Rule(ReadWriteVerbs, "coordination.k8s.io", "leases"),
        ]),
        ClusterRole("system:aggregate-to-view", labels: [AggregateToView], rules:
        [
            Rule(ReadVerbs, "", "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"),
            Rule(ReadVerbs, "", "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"),
            Rule(ReadVerbs, "", "namespaces"),
            Rule(ReadVerbs, "discovery.k8s.io", "endpointslices"),
            Rule(ReadVerbs, "apps", "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"),
            Rule(ReadVerbs, "autoscaling", "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
            Rule(ReadVerbs, "batch", "cronjobs", "cronjobs/status", "jobs", "jobs/status"),
            Rule(ReadVerbs, "extensions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"),
            Rule(ReadVerbs, "policy", "poddisruptionbudgets", "poddisruptionbudgets/status"),
            Rule(ReadVerbs, "networking.k8s.io", "ingresses", "ingresses/status", "networkpolicies"),
        ]),
        ClusterRole("system:basic-user", rules:
        [
            Rule(["create"], "authorization.k8s.io", "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
            Rule(["create"], "authentication.k8s.io", "selfsubjectreviews"),
        ]),
        // certificates.k8s.io: who may ask for node client certificates, and who may approve each kubernetes.io
        // signer's requests (the `approve` verb on the synthetic resource `signers`, named after the signer).
        ClusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient", rules:
            [Rule(["create"], "certificates.k8s.io", "certificatesigningrequests/nodeclient")]),
        ClusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", rules:
            [Rule(["create"], "certificates.k8s.io", "certificatesigningrequests/selfnodeclient")]),
        SignerApprover("kube-apiserver-client"),
        SignerApprover("kube-apiserver-client-kubelet"),
        SignerApprover("kubelet-serving"),
        SignerApprover("legacy-unknown"),
        ClusterRole("system:discovery", rules:
            [PolicyRule.NonResource(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])]),
        ClusterRole("system:node-bootstrapper", rules:
            [Rule(["create", "get", "list", "watch"], "certificates.k8s.io", "certificatesigningrequests")]),
        ClusterRole("system:public-info-viewer", rules:
            [PolicyRule.NonResource(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        ClusterRole("system:service-account-issuer-discovery", rules:
            [PolicyRule.NonResource(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"])]),
        ClusterRole("view", aggregatedBy: AggregateToView, labels: [AggregateToEdit]),
    ];

    /// <summary>The bootstrap ClusterRoleBindings (each named after its role).</summary>
    public static IReadOnlyList<JsonObject> ClusterRoleBindings() =>
    [
        ClusterRoleBinding("cluster-admin", UserInfo.Masters),
        ClusterRoleBinding("system:basic-user", UserInfo.AllAuthenticated),
        ClusterRoleBinding("system:discovery", UserInfo.AllAuthenticated),
        ClusterRoleBinding("system:public-info-viewer", UserInfo.AllAuthenticated, UserInfo.AllUnauthenticated),
        ClusterRoleBinding("system:service-account-issuer-discovery", "system:serviceaccounts"),
    ];

    static JsonObject Metadata(string name, IEnumerable<string> aggregateLabels)
    {
        var labels = new JsonObject { [BootstrappingLabel] = "rbac-defaults" };
        foreach (var l in aggregateLabels) labels[l] = "true";
        return new JsonObject
        {
            ["name"] = name,
            ["labels"] = labels,
            ["annotations"] = new JsonObject { [AutoUpdateAnnotation] = "true" },
        };
    }

    static JsonObject ClusterRole(string name, string? aggregatedBy = null, string[]? labels = null, PolicyRule[]? rules = null)
    {
        var role = new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRole",
            ["metadata"] = Metadata(name, labels ?? []),
        };
        if (aggregatedBy is not null)
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [aggregatedBy] = "true" } }),
            };
        role["rules"] = new JsonArray((rules ?? []).Select(r => (JsonNode?)r.ToJson()).ToArray());
        return role;
    }

    static JsonObject SignerApprover(string signer) =>
        ClusterRole($"system:certificates.k8s.io:{signer}-approver", rules:
            [PolicyRule.Resource(["approve"], ["certificates.k8s.io"], ["signers"], [$"kubernetes.io/{signer}"])]);

    static JsonObject ClusterRoleBinding(string role, params string[] groups) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(role, []),
        ["roleRef"] = new JsonObject { ["apiGroup"] = RbacDefinitions.Group, ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(groups.Select(g => (JsonNode?)new JsonObject { ["kind"] = "Group", ["apiGroup"] = RbacDefinitions.Group, ["name"] = g }).ToArray()),
    };
}
