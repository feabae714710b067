namespace MiniApiServer.Api.Protobuf.Tables;

using static ProtoField;

/// <summary>
/// Tables for the authentication.k8s.io/v1 and authorization.k8s.io/v1 reviews kubectl sends as protobuf
/// (create token, auth whoami, auth can-i, auth can-i --list). Numbers are from kubectl.md §6 and were
/// checked against real kubectl 1.32 bodies; SubjectAccessReviewStatus.denied (4) and the rules-review
/// status are from k8s.io/api generated.proto. ResourceAttributes 8 fieldSelector and 9 labelSelector
/// (1.31+, not sent by kubectl auth can-i) are not decoded and are skipped as unknown fields.
/// </summary>
internal static class AuthTables
{
    /// <summary>BoundObjectReference; its Go field UID is written as "uid" in JSON.</summary>
    public static readonly ProtoMessage BoundObjectReference = new("BoundObjectReference",
        String(1, "kind"),
        String(2, "apiVersion"),
        String(3, "name"),
        String(4, "uid"));

    /// <summary>TokenRequest; spec.expirationSeconds (*int64) and spec.boundObjectRef (*struct) are pointers.</summary>
    public static readonly ProtoMessage TokenRequest = new("TokenRequest",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "spec", new ProtoMessage("TokenRequestSpec",
            Strings(1, "audiences"),
            Int64(4, "expirationSeconds", pointer: true),
            Message(3, "boundObjectRef", BoundObjectReference, pointer: true))),
        Message(3, "status", new ProtoMessage("TokenRequestStatus",
            String(1, "token"),
            Time(2, "expirationTimestamp"))));

    public static readonly ProtoMessage UserInfo = new("UserInfo",
        String(1, "username"),
        String(2, "uid"),
        Strings(3, "groups"),
        StringListMap(4, "extra"));

    public static readonly ProtoMessage SelfSubjectReview = new("SelfSubjectReview",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "status", new ProtoMessage("SelfSubjectReviewStatus",
            Message(1, "userInfo", UserInfo))));

    public static readonly ProtoMessage ResourceAttributes = new("ResourceAttributes",
        String(1, "namespace"),
        String(2, "verb"),
        String(3, "group"),
        String(4, "version"),
        String(5, "resource"),
        String(6, "subresource"),
        String(7, "name"));

    public static readonly ProtoMessage NonResourceAttributes = new("NonResourceAttributes",
        String(1, "path"),
        String(2, "verb"));

    /// <summary>The spec's two attribute blocks are *struct pointers: only the one kubectl set is sent.</summary>
    public static readonly ProtoMessage SelfSubjectAccessReview = new("SelfSubjectAccessReview",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "spec", new ProtoMessage("SelfSubjectAccessReviewSpec",
            Message(1, "resourceAttributes", ResourceAttributes, pointer: true),
            Message(2, "nonResourceAttributes", NonResourceAttributes, pointer: true))),
        Message(3, "status", new ProtoMessage("SubjectAccessReviewStatus",
            Bool(1, "allowed"),
            Bool(4, "denied"),
            String(2, "reason"),
            String(3, "evaluationError"))));

    public static readonly ProtoMessage SelfSubjectRulesReview = new("SelfSubjectRulesReview",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "spec", new ProtoMessage("SelfSubjectRulesReviewSpec",
            String(1, "namespace"))),
        Message(3, "status", new ProtoMessage("SubjectRulesReviewStatus",
            Messages(1, "resourceRules", new ProtoMessage("ResourceRule",
                Strings(1, "verbs"),
                Strings(2, "apiGroups"),
                Strings(3, "resources"),
                Strings(4, "resourceNames"))),
            Messages(2, "nonResourceRules", new ProtoMessage("NonResourceRule",
                Strings(1, "verbs"),
                Strings(2, "nonResourceURLs"))),
            Bool(3, "incomplete"),
            String(4, "evaluationError"))));
}
