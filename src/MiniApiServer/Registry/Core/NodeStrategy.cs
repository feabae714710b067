using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Registry.Core;

/// <summary>Nodes, served read-only: the one simulated node the pod simulator schedules to.</summary>
public sealed class NodeStrategy() : GenericStrategy(namespaced: false)
{
    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "Node", Plural = "nodes", Singular = "node", Namespaced = false,
        ModelType = typeof(V1Node), ListModelType = typeof(V1NodeList), ShortNames = ["no"],
        Verbs = ResourceDefinition.ReadOnlyVerbs,
        Strategy = new NodeStrategy(),
    };

    protected override bool HasStatus => true;

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Status", "string", "The status of the node"),
        TableColumns.Column("Roles", "string", "The roles of the node"),
        TableColumns.Age,
        TableColumns.Column("Version", "string", "Kubelet Version reported by the node."),
        TableColumns.Column("Internal-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses", 1),
        TableColumns.Column("External-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses", 1),
        TableColumns.Column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        TableColumns.Column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        TableColumns.Column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now)
    {
        var ready = obj.ArrAt("status", "conditions")?.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == "Ready");
        var status = ready?.Str("status") switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
        if (obj.Bool("spec", "unschedulable") == true) status += ",SchedulingDisabled";
        var roles = obj.Labels().Keys
            .Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(k => k["node-role.kubernetes.io/".Length..]).Where(r => r.Length > 0).ToList();
        string Address(string type) => obj.ArrAt("status", "addresses")?.OfType<JsonObject>().FirstOrDefault(a => a.Str("type") == type)?.Str("address") ?? "<none>";
        return
        [
            obj.Name(), status, roles.Count == 0 ? "<none>" : string.Join(",", roles), TableColumns.AgeOf(obj, now),
            obj.Str("status", "nodeInfo", "kubeletVersion") ?? "",
            Address("InternalIP"), Address("ExternalIP"),
            obj.Str("status", "nodeInfo", "osImage") ?? "<unknown>",
            obj.Str("status", "nodeInfo", "kernelVersion") ?? "<unknown>",
            obj.Str("status", "nodeInfo", "containerRuntimeVersion") ?? "<unknown>",
        ];
    }

    public override FieldLabelSet FieldLabels => FieldLabelSet.Node;

    public override string? FieldValue(JsonObject obj, string field) =>
        field == "spec.unschedulable" ? (obj.Bool("spec", "unschedulable") == true ? "true" : "false") : base.FieldValue(obj, field);
}
