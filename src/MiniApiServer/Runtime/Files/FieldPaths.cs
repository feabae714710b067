using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Runtime.Files;

/// <summary>
/// The downward API's fieldRef paths (kube's <c>pkg/fieldpath</c>): what a downwardAPI volume item or an env
/// <c>valueFrom.fieldRef</c> reads from the pod.
/// </summary>
public static class FieldPaths
{
    /// <summary>The value at <paramref name="fieldPath"/>, or null for a path the downward API does not offer.</summary>
    public static string? Extract(JsonObject pod, string fieldPath)
    {
        switch (fieldPath)
        {
            case "metadata.name": return pod.Name();
            case "metadata.namespace": return pod.Namespace();
            case "metadata.uid": return pod.Uid();
            case "metadata.labels": return FormatMap(pod.StringMap("metadata", "labels"));
            case "metadata.annotations": return FormatMap(pod.StringMap("metadata", "annotations"));
            case "spec.nodeName": return pod.Str("spec", "nodeName") ?? "";
            case "spec.serviceAccountName": return pod.Str("spec", "serviceAccountName") ?? "";
            case "status.hostIP": return pod.Str("status", "hostIP") ?? "";
            case "status.podIP": return pod.Str("status", "podIP") ?? "";
        }
        foreach (var map in new[] { "labels", "annotations" })
        {
            var prefix = $"metadata.{map}['";
            if (fieldPath.StartsWith(prefix, StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal))
                return pod.StringMap("metadata", map).GetValueOrDefault(fieldPath[prefix.Length..^2], "");
        }
        return null;
    }

    /// <summary>fieldpath.FormatMap: one <c>key="value"</c> line per entry (Go-quoted), sorted by key, no final newline.</summary>
    public static string FormatMap(IReadOnlyDictionary<string, string> map) =>
        string.Join('\n', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={GoValue.Quote(kv.Value)}"));
}
