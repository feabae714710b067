namespace MiniApiServer.Api.Protobuf.Tables;

using static ProtoField;

/// <summary>
/// Tables for core/v1 kinds kubectl sends as protobuf (create namespace|secret|serviceaccount|configmap).
/// <para>Namespace, Secret and ServiceAccount numbers are from kubectl.md §6. ConfigMap 1 metadata,
/// 2 data, 3 binaryData were measured from <c>kubectl.1.32 create configmap --from-literal --from-file</c>
/// (a non-UTF-8 file goes to binaryData); ConfigMap 4 immutable, ObjectReference, LocalObjectReference
/// and NamespaceCondition are from k8s.io/api core/v1 generated.proto (no kubectl command sends them).</para>
/// </summary>
internal static class CoreV1Tables
{
    public static readonly ProtoMessage ObjectReference = new("ObjectReference",
        String(1, "kind"),
        String(2, "namespace"),
        String(3, "name"),
        String(4, "uid"),
        String(5, "apiVersion"),
        String(6, "resourceVersion"),
        String(7, "fieldPath"));

    public static readonly ProtoMessage LocalObjectReference = new("LocalObjectReference",
        String(1, "name"));

    public static readonly ProtoMessage NamespaceCondition = new("NamespaceCondition",
        String(1, "type"),
        String(2, "status"),
        Time(4, "lastTransitionTime"),
        String(5, "reason"),
        String(6, "message"));

    public static readonly ProtoMessage Namespace = new("Namespace",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "spec", new ProtoMessage("NamespaceSpec",
            Strings(1, "finalizers"))),
        Message(3, "status", new ProtoMessage("NamespaceStatus",
            String(1, "phase"),
            Messages(2, "conditions", NamespaceCondition))));

    /// <summary>Secret; immutable is *bool. An empty type must stay unset so it defaults to Opaque.</summary>
    public static readonly ProtoMessage Secret = new("Secret",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Bool(5, "immutable", pointer: true),
        BytesMap(2, "data"),
        StringMap(4, "stringData"),
        String(3, "type"));

    public static readonly ProtoMessage ConfigMap = new("ConfigMap",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Bool(4, "immutable", pointer: true),
        StringMap(2, "data"),
        BytesMap(3, "binaryData"));

    /// <summary>ServiceAccount; automountServiceAccountToken is *bool.</summary>
    public static readonly ProtoMessage ServiceAccount = new("ServiceAccount",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Messages(2, "secrets", ObjectReference),
        Messages(3, "imagePullSecrets", LocalObjectReference),
        Bool(4, "automountServiceAccountToken", pointer: true));
}
