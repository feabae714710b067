namespace MiniApiServer.Api.Protobuf.Tables;

/// <summary>The top-level table of each apiVersion/kind a protobuf request body may carry.</summary>
internal static class KindTables
{
    static readonly Dictionary<(string ApiVersion, string Kind), ProtoMessage> Tables = new()
    {
        [("v1", "Namespace")] = CoreV1Tables.Namespace,
        [("v1", "Secret")] = CoreV1Tables.Secret,
        [("v1", "ConfigMap")] = CoreV1Tables.ConfigMap,
        [("v1", "ServiceAccount")] = CoreV1Tables.ServiceAccount,
        [("authentication.k8s.io/v1", "TokenRequest")] = AuthTables.TokenRequest,
        [("authentication.k8s.io/v1", "SelfSubjectReview")] = AuthTables.SelfSubjectReview,
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = AuthTables.SelfSubjectAccessReview,
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = AuthTables.SelfSubjectRulesReview,
        [("rbac.authorization.k8s.io/v1", "Role")] = RbacV1Tables.Role,
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = RbacV1Tables.ClusterRole,
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = RbacV1Tables.RoleBinding,
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = RbacV1Tables.ClusterRoleBinding,
        [("certificates.k8s.io/v1", "CertificateSigningRequest")] = CertificatesV1Tables.CertificateSigningRequest,
    };

    public static IEnumerable<(string ApiVersion, string Kind)> Kinds => Tables.Keys;

    public static bool TryGet(string apiVersion, string kind, out ProtoMessage table) =>
        Tables.TryGetValue((apiVersion, kind), out table!);
}
