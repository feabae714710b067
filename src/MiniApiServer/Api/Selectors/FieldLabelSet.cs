using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Api.Selectors;

/// <summary>
/// The field labels a kind can be selected by, and the error for any other: kube's per-kind
/// <c>AddFieldLabelConversionFunc</c> (message <c>field label not supported: X</c>), or, for kinds that
/// register none, <c>runtime.DefaultMetaV1FieldSelectorConversion</c> (only metadata.name and
/// metadata.namespace; message <c>"X" is not a known field selector: only "metadata.name", "metadata.namespace"</c>).
/// </summary>
public sealed class FieldLabelSet
{
    readonly HashSet<string> _fields;
    readonly IReadOnlyDictionary<string, string> _aliases;
    readonly bool _isDefault;

    FieldLabelSet(IEnumerable<string> fields, IReadOnlyDictionary<string, string>? aliases, bool isDefault)
    {
        _fields = new HashSet<string>(fields, StringComparer.Ordinal);
        _aliases = aliases ?? new Dictionary<string, string>();
        _isDefault = isDefault;
    }

    /// <summary>Kinds without their own conversion function: ConfigMap, ServiceAccount, the RBAC kinds, ….</summary>
    public static FieldLabelSet Default { get; } = new(["metadata.name", "metadata.namespace"], null, isDefault: true);

    /// <summary>A kind with its own conversion function accepting exactly these labels (plus old names mapped by <paramref name="aliases"/>).</summary>
    public static FieldLabelSet Of(IEnumerable<string> fields, IReadOnlyDictionary<string, string>? aliases = null) => new(fields, aliases, isDefault: false);

    // The core/v1 and certificates/v1 conversion functions of Kubernetes 1.32 (pkg/apis/core/v1/conversion.go,
    // pkg/apis/certificates/v1/conversion.go).

    /// <summary>Pods; "spec.host" is the old name of spec.nodeName, still accepted from old clients.</summary>
    public static FieldLabelSet Pod { get; } = Of(
        ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
         "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        new Dictionary<string, string> { ["spec.host"] = "spec.nodeName" });

    /// <summary>Nodes are cluster-scoped: no metadata.namespace.</summary>
    public static FieldLabelSet Node { get; } = Of(["metadata.name", "spec.unschedulable"]);

    public static FieldLabelSet Namespace { get; } = Of(["status.phase", "metadata.name"]);

    public static FieldLabelSet Secret { get; } = Of(["type", "metadata.namespace", "metadata.name"]);

    public static FieldLabelSet Event { get; } = Of(
        ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
         "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
         "reason", "reportingComponent", "source", "type", "metadata.namespace", "metadata.name"]);

    public static FieldLabelSet Service { get; } = Of(["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"]);

    public static FieldLabelSet CertificateSigningRequest { get; } = Of(["metadata.name", "spec.signerName"]);

    /// <summary>The labels accepted under their own name.</summary>
    public IReadOnlyCollection<string> Fields => _fields;

    /// <summary>The kind's conversion of one term: the (possibly renamed) label, or kube's error message.</summary>
    public bool TryConvert(string label, out string converted, out string? error)
    {
        error = null;
        if (_fields.Contains(label)) { converted = label; return true; }
        if (_aliases.TryGetValue(label, out var renamed)) { converted = renamed; return true; }
        converted = "";
        error = _isDefault
            ? $"{GoValue.Quote(label)} is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            : $"field label not supported: {label}";
        return false;
    }
}
