namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>What a validated service-account token says about its holder (k8s.io/apiserver serviceaccount.ServiceAccountInfo).</summary>
public sealed record ServiceAccountInfo(
    string Namespace,
    string Name,
    string Uid,
    string PodName = "",
    string PodUid = "",
    string NodeName = "",
    string NodeUid = "",
    string CredentialId = "");

/// <summary>The user of a service account (k8s.io/apiserver pkg/authentication/serviceaccount util.go).</summary>
public static class ServiceAccountUser
{
    public const string Prefix = "system:serviceaccount:";
    public const string AllServiceAccountsGroup = "system:serviceaccounts";
    public const string PodNameKey = "authentication.kubernetes.io/pod-name";
    public const string PodUidKey = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameKey = "authentication.kubernetes.io/node-name";
    public const string NodeUidKey = "authentication.kubernetes.io/node-uid";

    /// <summary>MakeUsername: <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>.</summary>
    public static string Username(string ns, string name) => Prefix + ns + ":" + name;

    /// <summary>CredentialIDForJTI: <c>JTI=&lt;jti&gt;</c>, or nothing for a token without one.</summary>
    public static string CredentialIdForJti(string jti) => jti.Length == 0 ? "" : "JTI=" + jti;

    /// <summary>
    /// ServiceAccountInfo.UserInfo: the account's name and uid, groups <c>system:serviceaccounts</c> and
    /// <c>system:serviceaccounts:&lt;ns&gt;</c>; extra pod-name/pod-uid (both known), credential-id, node-name
    /// (and node-uid when known).
    /// </summary>
    public static UserInfo ToUser(ServiceAccountInfo sa)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (sa.PodName.Length > 0 && sa.PodUid.Length > 0)
        {
            extra[PodNameKey] = [sa.PodName];
            extra[PodUidKey] = [sa.PodUid];
        }
        if (sa.CredentialId.Length > 0) extra[UserInfo.CredentialIdKey] = [sa.CredentialId];
        if (sa.NodeName.Length > 0)
        {
            extra[NodeNameKey] = [sa.NodeName];
            if (sa.NodeUid.Length > 0) extra[NodeUidKey] = [sa.NodeUid];
        }
        return new UserInfo(Username(sa.Namespace, sa.Name), sa.Uid,
            [AllServiceAccountsGroup, AllServiceAccountsGroup + ":" + sa.Namespace],
            extra.Count == 0 ? UserInfo.NoExtra : extra);
    }
}
