namespace MiniApiServer.Api.Protobuf.Tables;

using static ProtoField;

/// <summary>
/// Tables for k8s.io/apimachinery meta/v1 messages embedded in every object.
/// <para>ObjectMeta numbers are from kubectl.md §6 (1–8 seen in real kubectl 1.32 bodies; 12 annotations
/// and 13 ownerReferences seen in <c>kubectl create job --from=cronjob/x</c>). OwnerReference 1, 3, 4, 5, 6
/// were measured from that same capture; 7 (blockOwnerDeletion) and LabelSelector/LabelSelectorRequirement
/// are from apimachinery's meta/v1 generated.proto. managedFields (17) is not decoded: a request without
/// it keeps the stored managedFields, which is what kube does when a client leaves them out.</para>
/// </summary>
internal static class MetaV1Tables
{
    /// <summary>OwnerReference; controller and blockOwnerDeletion are *bool in Go.</summary>
    public static readonly ProtoMessage OwnerReference = new("OwnerReference",
        String(5, "apiVersion"),
        String(1, "kind"),
        String(3, "name"),
        String(4, "uid"),
        Bool(6, "controller", pointer: true),
        Bool(7, "blockOwnerDeletion", pointer: true));

    public static readonly ProtoMessage ObjectMeta = new("ObjectMeta",
        String(1, "name"),
        String(2, "generateName"),
        String(3, "namespace"),
        String(4, "selfLink"),
        String(5, "uid"),
        String(6, "resourceVersion"),
        Int64(7, "generation"),
        Time(8, "creationTimestamp"),
        Time(9, "deletionTimestamp"),
        Int64(10, "deletionGracePeriodSeconds", pointer: true),
        StringMap(11, "labels"),
        StringMap(12, "annotations"),
        Messages(13, "ownerReferences", OwnerReference),
        Strings(14, "finalizers"));

    public static readonly ProtoMessage LabelSelectorRequirement = new("LabelSelectorRequirement",
        String(1, "key"),
        String(2, "operator"),
        Strings(3, "values"));

    public static readonly ProtoMessage LabelSelector = new("LabelSelector",
        StringMap(1, "matchLabels"),
        Messages(2, "matchExpressions", LabelSelectorRequirement));
}
