using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// The simulated scheduler and kubelet. A new pod is bound to the simulated node (PodScheduled), its
/// images "pulled" and containers started after <see cref="StartDelay"/> (Running, Ready, a pod IP, running
/// container statuses, the kubelet's events). A pod marked for deletion has its containers stopped at once
/// and is then deleted with a zero grace period, as the kubelet does when its containers are gone.
/// </summary>
public sealed class PodSimulator(ResourceRest rest, EventRecorder events, TimeProvider clock, ILogger<PodSimulator> logger)
    : WatchController(rest.Store, PodStrategy.Definition, clock, logger)
{
    /// <summary>How long the simulated image pull and container start take.</summary>
    public static readonly TimeSpan StartDelay = TimeSpan.FromMilliseconds(300);

    static readonly WriteOptions Scheduler = new() { FieldManager = "kube-scheduler" };
    static readonly WriteOptions Kubelet = new() { FieldManager = "kubelet" };

    int nextIp = 10;

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null) return null;
        var pod = current.Object;
        var def = PodStrategy.Definition;
        if (pod.IsDeleting())
        {
            if (pod.Str("status", "phase") is not ("Succeeded" or "Failed"))
                foreach (var c in pod.ArrAt("spec", "containers")?.OfType<JsonObject>() ?? [])
                    events.Record(pod, "Pod", "Normal", "Killing", $"Stopping container {c.Str("name")}", "kubelet", SystemObjects.NodeName, $"spec.containers{{{c.Str("name")}}}");
            try { rest.Delete(def, key.Namespace, key.Name, new DeleteOptionsInput { GracePeriodSeconds = 0, PreconditionUid = pod.Uid() }); }
            catch (ApiException e) when (e.Code is 404 or 409) { }
            return null;
        }
        var now = Obj.Rfc3339(Time.GetUtcNow());
        if (string.IsNullOrEmpty(pod.Str("spec", "nodeName")))
        {
            // The scheduler binds through pods/binding: the one write that may set spec.nodeName.
            var bound = rest.Write(def, key.Namespace, key.Name, Scheduler, "binding", cur =>
            {
                var pod = cur ?? throw new InvalidOperationException("pod vanished");
                pod.Ensure("spec")["nodeName"] = SystemObjects.NodeName;
                return pod;
            });
            bound = rest.Write(def, key.Namespace, key.Name, Scheduler, "status", cur =>
            {
                var pod = cur ?? throw new InvalidOperationException("pod vanished");
                SetCondition(pod, "PodScheduled", "True", now);
                return pod;
            });
            events.Record(bound, "Pod", "Normal", "Scheduled", $"Successfully assigned {key.Namespace}/{key.Name} to {SystemObjects.NodeName}", "default-scheduler");
            return StartDelay;
        }
        if (pod.Str("status", "phase") == "Pending" && pod.ArrAt("status", "containerStatuses") is null)
        {
            var started = Time.GetUtcNow() - pod.Time("metadata", "creationTimestamp");
            if (started < StartDelay) return StartDelay - started;
            Start(key, pod, now);
        }
        return null;
    }

    void Start(ObjectKey key, JsonObject pod, string now)
    {
        var ip = $"10.244.0.{Interlocked.Increment(ref nextIp) % 250 + 2}";
        var containers = pod.ArrAt("spec", "containers")?.OfType<JsonObject>().ToList() ?? [];
        foreach (var c in containers)
        {
            var name = c.Str("name");
            var image = c.Str("image");
            var field = $"spec.containers{{{name}}}";
            events.Record(pod, "Pod", "Normal", "Pulling", $"Pulling image \"{image}\"", "kubelet", SystemObjects.NodeName, field);
            events.Record(pod, "Pod", "Normal", "Pulled", $"Successfully pulled image \"{image}\" in 0s (0s including waiting). Image size: 0 bytes.", "kubelet", SystemObjects.NodeName, field);
            events.Record(pod, "Pod", "Normal", "Created", $"Created container: {name}", "kubelet", SystemObjects.NodeName, field);
            events.Record(pod, "Pod", "Normal", "Started", $"Started container {name}", "kubelet", SystemObjects.NodeName, field);
        }
        rest.Write(PodStrategy.Definition, key.Namespace, key.Name, Kubelet, "status", cur =>
        {
            var pod = cur ?? throw new InvalidOperationException("pod vanished");
            var status = pod.Ensure("status");
            status["phase"] = "Running";
            status["hostIP"] = SystemObjects.NodeIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = SystemObjects.NodeIp });
            status["podIP"] = ip;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            status["startTime"] = now;
            foreach (var type in new[] { "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady" })
                SetCondition(pod, type, "True", now);
            status["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Str("name"),
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
                ["lastState"] = new JsonObject(),
                ["ready"] = true,
                ["restartCount"] = 0,
                ["image"] = c.Str("image"),
                ["imageID"] = $"simulated://{c.Str("image")}",
                ["containerID"] = $"simulated://{pod.Uid()}/{c.Str("name")}",
                ["started"] = true,
            }).ToArray());
            return pod;
        });
    }

    static void SetCondition(JsonObject pod, string type, string status, string now)
    {
        var conditions = pod.Ensure("status").ArrAt("conditions") ?? [];
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing.Str("status") != status) existing["lastTransitionTime"] = now;
        existing["status"] = status;
        existing["lastProbeTime"] = null;
        pod["status"]!["conditions"] = conditions;
    }
}
