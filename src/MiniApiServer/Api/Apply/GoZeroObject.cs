using System.Text.Json.Nodes;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// The "before" object of a create. kube compares the new object with the zero value of its Go
/// type (<c>objectCreater.New</c>), which is not an empty JSON object: non-pointer structs are
/// present (<c>metadata</c>, <c>spec</c>, <c>status</c>) and fields without <c>omitempty</c> are null
/// (<c>spec.containers</c> of a Pod). Only granular nodes matter here: a node present in the zero
/// value is not "added" by the create, so its managedFields entry has no <c>".": {}</c> for it
/// (a created Pod shows <c>f:spec: {f:containers: {k:{…}: {".": {}, …}}}</c>, no "." under spec
/// or containers).
/// </summary>
internal static class GoZeroObject
{
    // Non-pointer struct or non-omitempty list fields below the root, by the k8s.Models type that
    // declares them: PodSpec.Containers is `json:"containers"`, Event.Source is a value struct,
    // PodTemplateSpec holds value ObjectMeta and PodSpec.
    static readonly Dictionary<string, (string Field, bool IsObject)[]> ValueFields = new(StringComparer.Ordinal)
    {
        ["V1PodSpec"] = [("containers", false)],
        ["Corev1Event"] = [("source", true)],
        ["V1PodTemplateSpec"] = [("metadata", true), ("spec", true)],
    };

    /// <summary>The root's value structs: <c>metadata</c> always; <c>spec</c> and <c>status</c> when the kind
    /// has them (every Kubernetes kind declares these as value fields).</summary>
    static readonly string[] RootValueFields = ["metadata", "spec", "status"];

    public static JsonObject For(ISchemaNode schema)
    {
        var root = new JsonObject();
        foreach (var name in RootValueFields)
            if (name == "metadata" || schema.Property(name) is { Kind: SchemaKind.Object })
                root[name] = Fill(schema.Property(name));
        return root;
    }

    static JsonObject Fill(ISchemaNode? node)
    {
        var o = new JsonObject();
        if (node is null || !ValueFields.TryGetValue(node.ClrType.Name, out var fields)) return o;
        foreach (var (field, isObject) in fields)
            if (node.Property(field) is { } child)
                o[field] = isObject ? Fill(child) : null;
        return o;
    }
}
