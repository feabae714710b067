using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// What a fresh cluster has before anyone asks: the namespaces default, kube-system, kube-public and
/// kube-node-lease, and the one simulated Node that pods are scheduled to. Created at start when missing
/// (kube-apiserver's system-namespaces controller and a registering kubelet).
/// </summary>
public sealed class SystemObjects(ResourceRest rest, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    public const string NodeName = "miniapiserver-node";
    public const string NodeIp = "10.89.0.2";
    public const string KubeletVersion = "v1.32.0";

    static readonly WriteOptions Options = new() { FieldManager = "kube-apiserver" };

    public void EnsureCreated()
    {
        foreach (var ns in SystemNamespaces)
            CreateIfMissing(() => rest.Create(NamespaceStrategy.Definition, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, Options));
        CreateIfMissing(() => rest.Create(NodeStrategy.Definition, "", Node(), Options with { FieldManager = "kubelet" }));
        // The node reports itself ready now (its heartbeat is this start).
        var now = Api.Json.Obj.Rfc3339(time.GetUtcNow());
        rest.Write(NodeStrategy.Definition, "", NodeName, Options with { FieldManager = "kubelet" }, "status", cur =>
        {
            var n = cur!;
            n["status"] = NodeStatus(now);
            return n;
        });
    }

    static void CreateIfMissing(Action create)
    {
        try { create(); }
        catch (ApiException e) when (e.Code == 409) { }
    }

    static JsonObject Node() => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = NodeName,
            ["labels"] = new JsonObject
            {
                ["kubernetes.io/hostname"] = NodeName,
                ["kubernetes.io/os"] = "linux",
                ["kubernetes.io/arch"] = "amd64",
                ["node-role.kubernetes.io/control-plane"] = "",
            },
        },
        ["spec"] = new JsonObject { ["podCIDR"] = "10.244.0.0/24", ["podCIDRs"] = new JsonArray("10.244.0.0/24") },
    };

    static JsonObject NodeStatus(string now) => new()
    {
        ["capacity"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "100Gi" },
        ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "100Gi" },
        ["conditions"] = new JsonArray(
            Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
            Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
            Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
            Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status (simulated by MiniApiServer)", now)),
        ["addresses"] = new JsonArray(
            new JsonObject { ["type"] = "InternalIP", ["address"] = NodeIp },
            new JsonObject { ["type"] = "Hostname", ["address"] = NodeName }),
        ["nodeInfo"] = new JsonObject
        {
            ["machineID"] = "", ["systemUUID"] = "", ["bootID"] = "",
            ["kernelVersion"] = RuntimeInformation.OSDescription,
            ["osImage"] = "MiniApiServer simulated node",
            ["containerRuntimeVersion"] = "simulated://1.0",
            ["kubeletVersion"] = KubeletVersion,
            ["kubeProxyVersion"] = "",
            ["operatingSystem"] = "linux",
            ["architecture"] = "amd64",
        },
    };

    static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type, ["status"] = status, ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
    };
}
