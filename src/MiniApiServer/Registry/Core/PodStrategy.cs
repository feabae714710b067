using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Core;

/// <summary>
/// Pods (kube's <c>pkg/registry/core/pod/strategy.go</c>, the v1 defaults of <c>pkg/apis/core/v1/defaults.go</c>,
/// the DefaultTolerationSeconds admission plugin, and the printer kubectl shows).
/// </summary>
public sealed class PodStrategy() : GenericStrategy(namespaced: true)
{
    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Singular = "pod", Namespaced = true,
        ModelType = typeof(V1Pod), ListModelType = typeof(V1PodList), ShortNames = ["po"], Categories = ["all"],
        // exec and log are kube's connect subresources, served by the simulated kubelet (Runtime/Streaming).
        Subresources = [new("status", "Pod", ["get", "patch", "update"], typeof(V1Pod)), new("exec", "PodExecOptions", ["create", "get"]), new("log", "Pod", ["get"])],
        Strategy = new PodStrategy(),
    };

    /// <summary>kube's default terminationGracePeriodSeconds.</summary>
    public const long DefaultGracePeriodSeconds = 30;

    protected override bool HasStatus => true;

    public override void PrepareForCreate(JsonObject obj, OperationContext ctx)
    {
        base.PrepareForCreate(obj, ctx);
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(obj.Ensure("spec")) };
    }

    /// <summary>SetDefaults_Pod, SetDefaults_PodSpec and SetDefaults_Container of kube's core/v1 defaults.</summary>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        SetDefault(spec, "restartPolicy", "Always");
        SetDefault(spec, "terminationGracePeriodSeconds", DefaultGracePeriodSeconds);
        SetDefault(spec, "dnsPolicy", "ClusterFirst");
        SetDefault(spec, "schedulerName", "default-scheduler");
        SetDefault(spec, "enableServiceLinks", true);
        if (spec["securityContext"] is null) spec["securityContext"] = new JsonObject();
        ConvertServiceAccountAlias(spec);
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var c in spec.ArrAt(list)?.OfType<JsonObject>() ?? [])
                DefaultContainer(c);
    }

    /// <summary>
    /// The v1 conversion of the deprecated <c>spec.serviceAccount</c>: it is read only when serviceAccountName is
    /// empty, and always written back equal to serviceAccountName. So an update that changes only the alias changes
    /// nothing, and one that changes serviceAccountName is refused by the immutable-spec rule below.
    /// </summary>
    static void ConvertServiceAccountAlias(JsonObject spec)
    {
        if (spec.Str("serviceAccountName") is not { Length: > 0 } && spec.Str("serviceAccount") is { Length: > 0 } alias)
            spec["serviceAccountName"] = alias;
        if (spec.Str("serviceAccountName") is { Length: > 0 } name) spec["serviceAccount"] = name;
        else spec.Remove("serviceAccount");
    }

    static void SetDefault(JsonObject o, string key, JsonNode value)
    {
        if (o[key] is null) o[key] = value;
    }

    static void DefaultContainer(JsonObject c)
    {
        SetDefault(c, "terminationMessagePath", "/dev/termination-log");
        SetDefault(c, "terminationMessagePolicy", "File");
        SetDefault(c, "imagePullPolicy", ImagePullPolicy(c.Str("image") ?? ""));
        if (c["resources"] is null) c["resources"] = new JsonObject();
        foreach (var port in c.ArrAt("ports")?.OfType<JsonObject>() ?? []) SetDefault(port, "protocol", "TCP");
    }

    /// <summary>Always for ":latest" or an untagged image, else IfNotPresent (a digest counts as a tag).</summary>
    public static string ImagePullPolicy(string image)
    {
        if (image.Contains('@')) return "IfNotPresent";
        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        if (colon <= lastSlash) return "Always";
        return image[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    /// <summary>Guaranteed when every container sets equal cpu and memory requests and limits, BestEffort when none
    /// sets any, else Burstable (kube's GetPodQOS, simplified to its decisive rules).</summary>
    static string QosClass(JsonObject spec)
    {
        var containers = (spec.ArrAt("containers")?.OfType<JsonObject>() ?? []).Concat(spec.ArrAt("initContainers")?.OfType<JsonObject>() ?? []).ToList();
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var c in containers)
        {
            var req = c.ObjAt("resources", "requests");
            var lim = c.ObjAt("resources", "limits");
            if ((req?.Count ?? 0) + (lim?.Count ?? 0) > 0) any = true;
            foreach (var r in new[] { "cpu", "memory" })
            {
                var l = lim?.Str(r);
                var q = req?.Str(r) ?? l;
                if (l is null || q != l) guaranteed = false;
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        base.Validate(obj, ctx).Concat(ValidateSpec(obj.ObjAt("spec")));

    static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];

    static IEnumerable<FieldError> ValidateSpec(JsonObject? spec)
    {
        if (spec is null) { yield return FieldError.Required("spec"); yield break; }
        var containers = spec.ArrAt("containers");
        if (containers is null || containers.Count == 0) yield return FieldError.Required("spec.containers");
        var names = new HashSet<string>();
        foreach (var (list, items) in new[] { ("initContainers", spec.ArrAt("initContainers")), ("containers", containers) })
        {
            for (var i = 0; i < (items?.Count ?? 0); i++)
            {
                var path = $"spec.{list}[{i}]";
                if (items![i] is not JsonObject c) { yield return FieldError.Invalid(path, null, "must be an object"); continue; }
                var name = c.Str("name");
                if (string.IsNullOrEmpty(name)) yield return FieldError.Required(path + ".name");
                else
                {
                    foreach (var msg in NameValidation.IsDns1123Label(name)) yield return FieldError.Invalid(path + ".name", name, msg);
                    if (!names.Add(name)) yield return FieldError.Duplicate(path + ".name", name);
                }
                if (string.IsNullOrEmpty(c.Str("image"))) yield return FieldError.Required(path + ".image");
                if (c.Str("imagePullPolicy") is { } pp && !PullPolicies.Contains(pp)) yield return FieldError.NotSupported(path + ".imagePullPolicy", pp, PullPolicies);
                var ports = c.ArrAt("ports");
                for (var p = 0; p < (ports?.Count ?? 0); p++)
                {
                    var port = ports![p].Long("containerPort");
                    if (port is null or < 1 or > 65535)
                        yield return port is null ? FieldError.Required($"{path}.ports[{p}].containerPort")
                            : FieldError.Invalid($"{path}.ports[{p}].containerPort", port, "must be between 1 and 65535, inclusive");
                }
            }
        }
        if (spec.Str("restartPolicy") is { } rp && !RestartPolicies.Contains(rp)) yield return FieldError.NotSupported("spec.restartPolicy", rp, RestartPolicies);
        if (spec.Long("terminationGracePeriodSeconds") is < 0)
            yield return FieldError.Invalid("spec.terminationGracePeriodSeconds", spec.Long("terminationGracePeriodSeconds"), "must be greater than or equal to 0");
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        foreach (var e in base.ValidateUpdate(obj, old, ctx)) yield return e;
        if (ctx.Subresource is "status" or "binding") yield break;
        foreach (var e in ValidateSpec(obj.ObjAt("spec"))) yield return e;
        // Pod updates may change only images, activeDeadlineSeconds, added tolerations and a negative grace period.
        var a = MutableStripped(obj.ObjAt("spec"));
        var b = MutableStripped(old.ObjAt("spec"));
        if (!JsonNode.DeepEquals(a, b))
            yield return FieldError.Forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
    }

    static JsonObject MutableStripped(JsonObject? spec)
    {
        var s = spec?.Clone() ?? new JsonObject();
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var c in s.ArrAt(list)?.OfType<JsonObject>() ?? []) c.Remove("image");
        s.Remove("activeDeadlineSeconds");
        s.Remove("tolerations");
        return s;
    }

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        TableColumns.Column("Status", "string", "The aggregate status of the containers in this pod."),
        TableColumns.Column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        TableColumns.Age,
        TableColumns.Column("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
        TableColumns.Column("Node", "string", "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
        TableColumns.Column("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", 1),
        TableColumns.Column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", 1),
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now)
    {
        var statuses = obj.ArrAt("status", "containerStatuses")?.OfType<JsonObject>().ToList() ?? [];
        var total = obj.ArrAt("spec", "containers")?.Count ?? 0;
        var ready = statuses.Count(s => s.Bool("ready") == true);
        long restarts = statuses.Sum(s => s.Long("restartCount") ?? 0);
        var gates = obj.ArrAt("spec", "readinessGates")?.OfType<JsonObject>().ToList() ?? [];
        string gatesCell = "<none>";
        if (gates.Count > 0)
        {
            var conditions = obj.ArrAt("status", "conditions")?.OfType<JsonObject>().ToList() ?? [];
            var trueGates = gates.Count(g => conditions.Any(c => c.Str("type") == g.Str("conditionType") && c.Str("status") == "True"));
            gatesCell = $"{trueGates}/{gates.Count}";
        }
        return
        [
            obj.Name(),
            $"{ready}/{total}",
            StatusCell(obj, statuses),
            restarts.ToString(CultureInfo.InvariantCulture),
            TableColumns.AgeOf(obj, now),
            obj.Str("status", "podIP") is { Length: > 0 } ip ? ip : "<none>",
            obj.Str("spec", "nodeName") is { Length: > 0 } node ? node : "<none>",
            obj.Str("status", "nominatedNodeName") is { Length: > 0 } nn ? nn : "<none>",
            gatesCell,
        ];
    }

    /// <summary>The STATUS column as kubectl's printer computes it: the phase, overridden by a pod reason,
    /// a container's waiting or terminated reason, and "Terminating" while a deletion is pending.</summary>
    static string StatusCell(JsonObject obj, IReadOnlyList<JsonObject> statuses)
    {
        var reason = obj.Str("status", "reason") is { Length: > 0 } r ? r : obj.Str("status", "phase") ?? "";
        foreach (var s in statuses.AsEnumerable().Reverse())
        {
            if (s.Str("state", "waiting", "reason") is { Length: > 0 } w) reason = w;
            else if (s.ObjAt("state", "terminated") is { } t)
                reason = t.Str("reason") is { Length: > 0 } tr ? tr
                    : t.Long("signal") is { } sig and not 0 ? $"Signal:{sig}" : $"ExitCode:{t.Long("exitCode") ?? 0}";
        }
        if (obj.IsDeleting()) reason = obj.Str("status", "reason") == "NodeLost" ? "Unknown" : "Terminating";
        return reason;
    }

    public override FieldLabelSet FieldLabels => FieldLabelSet.Pod;

    public override string? FieldValue(JsonObject obj, string field) => field switch
    {
        "spec.nodeName" => obj.Str("spec", "nodeName") ?? "",
        "spec.restartPolicy" => obj.Str("spec", "restartPolicy") ?? "",
        "spec.schedulerName" => obj.Str("spec", "schedulerName") ?? "",
        "spec.serviceAccountName" => obj.Str("spec", "serviceAccountName") ?? "",
        "spec.hostNetwork" => obj.Bool("spec", "hostNetwork") == true ? "true" : "false",
        "status.phase" => obj.Str("status", "phase") ?? "",
        "status.podIP" => obj.Str("status", "podIP") ?? "",
        "status.podIPs" => obj.Str("status", "podIP") ?? "",
        "status.nominatedNodeName" => obj.Str("status", "nominatedNodeName") ?? "",
        _ => base.FieldValue(obj, field),
    };
}
