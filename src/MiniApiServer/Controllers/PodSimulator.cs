using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Runtime.Containers;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// The simulated scheduler and kubelet. A new pod is bound to the simulated node (PodScheduled); after
/// <see cref="StartDelay"/> its volumes are mounted and its containers started in the <see cref="PodRuntime"/>
/// (a pod IP, the kubelet's events). A container whose command ends terminates with its exit code and is
/// restarted per restartPolicy with the kubelet's crash back-off; the status follows (Running, Completed,
/// Error, CrashLoopBackOff, Succeeded, Failed). A volume that cannot be mounted (FailedMount) or an env
/// reference that cannot be resolved (CreateContainerConfigError) keeps the pod Pending and is retried. A pod
/// marked for deletion has its containers killed and is then deleted with a zero grace period.
/// </summary>
public sealed class PodSimulator : WatchController
{
    /// <summary>How long the simulated image pull and container start take.</summary>
    public static readonly TimeSpan StartDelay = TimeSpan.FromMilliseconds(300);

    /// <summary>How soon a failed mount or container config is retried (the kubelet's pod sync period is about this order).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    static readonly WriteOptions Scheduler = new() { FieldManager = "kube-scheduler" };
    static readonly WriteOptions Kubelet = new() { FieldManager = "kubelet" };

    readonly ResourceRest rest;
    readonly EventRecorder events;
    readonly PodRuntime runtime;
    readonly HashSet<(string Uid, string Message)> reported = [];
    int nextIp = 10;

    public PodSimulator(ResourceRest rest, EventRecorder events, PodRuntime runtime, TimeProvider clock, ILogger<PodSimulator> logger)
        : base(rest.Store, PodStrategy.Definition, clock, logger)
    {
        this.rest = rest;
        this.events = events;
        this.runtime = runtime;
        runtime.ContainerExited += Enqueue;
    }

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null)
        {
            runtime.Remove(key);
            return null;
        }
        var pod = current.Object;
        var def = PodStrategy.Definition;
        if (pod.IsDeleting())
        {
            if (runtime.Find(key, pod.Uid()) is { } sandbox)
                foreach (var c in sandbox.Containers.Where(c => c.Current is { Running: true }))
                    Event(pod, "Normal", "Killing", $"Stopping container {c.Name}", c.Name);
            runtime.Remove(key);
            try { rest.Delete(def, key.Namespace, key.Name, new DeleteOptionsInput { GracePeriodSeconds = 0, PreconditionUid = pod.Uid() }); }
            catch (ApiException e) when (e.Code is 404 or 409) { }
            return null;
        }
        var now = Time.GetUtcNow();
        if (string.IsNullOrEmpty(pod.Str("spec", "nodeName")))
        {
            Schedule(key, Obj.Rfc3339(now));
            return StartDelay;
        }
        if (pod.Str("status", "phase") is "Succeeded" or "Failed") return null;

        var box = runtime.Find(key, pod.Uid());
        if (box is null)
        {
            var age = now - pod.Time("metadata", "creationTimestamp");
            if (age < StartDelay) return StartDelay - age;
            var ip = pod.Str("status", "podIP") is { Length: > 0 } known ? known : $"10.244.0.{Interlocked.Increment(ref nextIp) % 250 + 2}";
            try { box = runtime.CreateSandbox(key, pod, ip); }
            catch (VolumeSetupException e)
            {
                if (Report(pod, e.Message)) events.Record(pod, "Pod", "Warning", "FailedMount", e.Message, "kubelet", SystemObjects.NodeName);
                WriteStatus(key, pod, null);
                return RetryDelay;
            }
            foreach (var slot in box.Containers)
            {
                if (Running(pod, slot.Name) is { } adopt)
                {
                    // The server restarted; the node's containers did not: keep their identity and status.
                    slot.RestartCount = adopt.RestartCount;
                    try { runtime.StartContainer(box, slot, (adopt.Id, adopt.StartedAt)); continue; }
                    catch (ContainerConfigException) { }
                }
                Start(pod, box, slot, first: true);
            }
        }

        TimeSpan? next = null;
        void Soon(TimeSpan d) => next = next is { } n && n < d ? n : d;
        var policy = pod.Str("spec", "restartPolicy") ?? "Always";
        foreach (var slot in box.Containers)
        {
            if (slot.Current is null)
            {
                // CreateContainerConfigError: try again, the Secret or ConfigMap may exist by now.
                if (!Start(pod, box, slot, first: true)) Soon(RetryDelay);
                continue;
            }
            if (slot.Current.Running) continue;
            if (!KubeletStatus.WillRestart(policy, slot.Current.ExitCode)) continue;
            if (slot.RestartAt is null)
            {
                slot.RestartAt = slot.Current.FinishedAt!.Value + slot.BackOff;
                if (slot.BackOff > TimeSpan.Zero)
                    Event(pod, "Warning", "BackOff", $"Back-off restarting failed container {slot.Name} in pod {key.Name}_{key.Namespace}({pod.Uid()})", slot.Name);
            }
            if (now >= slot.RestartAt)
            {
                slot.RestartAt = null;
                slot.RestartCount++;
                slot.BackOff = slot.BackOff == TimeSpan.Zero ? ContainerSlot.InitialBackOff
                    : slot.BackOff * 2 < ContainerSlot.MaxBackOff ? slot.BackOff * 2 : ContainerSlot.MaxBackOff;
                if (!Start(pod, box, slot, first: false)) Soon(RetryDelay);
            }
            else Soon(slot.RestartAt.Value - now);
        }
        WriteStatus(key, pod, box);
        return next;
    }

    /// <summary>A container the stored status reports as running: its ID, start time and restart count.</summary>
    static (string Id, DateTimeOffset StartedAt, int RestartCount)? Running(JsonObject pod, string container)
    {
        var status = pod.ArrAt("status", "containerStatuses")?.OfType<JsonObject>().FirstOrDefault(c => c.Str("name") == container);
        if (status?.Str("containerID") is not { Length: > 0 } id || status.Time("state", "running", "startedAt") is not { } started) return null;
        return (id, started, (int)(status.Long("restartCount") ?? 0));
    }

    void Schedule(ObjectKey key, string now)
    {
        var def = PodStrategy.Definition;
        // The scheduler binds through pods/binding: the one write that may set spec.nodeName.
        rest.Write(def, key.Namespace, key.Name, Scheduler, "binding", cur =>
        {
            var pod = cur ?? throw new InvalidOperationException("pod vanished");
            pod.Ensure("spec")["nodeName"] = SystemObjects.NodeName;
            return pod;
        });
        var bound = rest.Write(def, key.Namespace, key.Name, Scheduler, "status", cur =>
        {
            var pod = cur ?? throw new InvalidOperationException("pod vanished");
            SetCondition(pod, "PodScheduled", "True", now);
            return pod;
        });
        events.Record(bound, "Pod", "Normal", "Scheduled", $"Successfully assigned {key.Namespace}/{key.Name} to {SystemObjects.NodeName}", "default-scheduler");
    }

    /// <summary>Starts a new instance of the container with the kubelet's events; false when its config cannot be resolved.</summary>
    bool Start(JsonObject pod, PodSandbox box, ContainerSlot slot, bool first)
    {
        var image = slot.Spec.Str("image") ?? "";
        if (first && slot.Waiting is null)
        {
            Event(pod, "Normal", "Pulling", $"Pulling image \"{image}\"", slot.Name);
            Event(pod, "Normal", "Pulled", $"Successfully pulled image \"{image}\" in 0s (0s including waiting). Image size: 0 bytes.", slot.Name);
        }
        else if (!first) Event(pod, "Normal", "Pulled", $"Container image \"{image}\" already present on machine", slot.Name);
        try
        {
            runtime.StartContainer(box, slot);
        }
        catch (ContainerConfigException e)
        {
            slot.Waiting = ("CreateContainerConfigError", e.Message);
            if (Report(pod, e.Message)) Event(pod, "Warning", "Failed", $"Error: {e.Message}", slot.Name);
            return false;
        }
        slot.Waiting = null;
        Event(pod, "Normal", "Created", $"Created container: {slot.Name}", slot.Name);
        Event(pod, "Normal", "Started", $"Started container {slot.Name}", slot.Name);
        return true;
    }

    void Event(JsonObject pod, string type, string reason, string message, string container) =>
        events.Record(pod, "Pod", type, reason, message, "kubelet", SystemObjects.NodeName, $"spec.containers{{{container}}}");

    /// <summary>True the first time a problem is seen for this pod (the kubelet's event would be aggregated after).</summary>
    bool Report(JsonObject pod, string message)
    {
        lock (reported) return reported.Add((pod.Uid(), message));
    }

    /// <summary>Writes the kubelet's view of the pod when it differs from the stored status (no write, no event otherwise).</summary>
    void WriteStatus(ObjectKey key, JsonObject stored, PodSandbox? box)
    {
        var desired = DesiredStatus(stored, box, Obj.Rfc3339(Time.GetUtcNow()));
        if (JsonNode.DeepEquals(desired, stored.ObjAt("status"))) return;
        try
        {
            rest.Write(PodStrategy.Definition, key.Namespace, key.Name, Kubelet, "status", cur =>
            {
                var pod = cur ?? throw new InvalidOperationException("pod vanished");
                if (pod.Uid() != stored.Uid()) throw new PodReplacedException();
                pod["status"] = DesiredStatus(pod, box, Obj.Rfc3339(Time.GetUtcNow()));
                return pod;
            });
        }
        catch (PodReplacedException) { }
    }

    /// <summary>The pod was deleted and created again under the same name: this status is not its.</summary>
    sealed class PodReplacedException : Exception;

    static JsonObject DesiredStatus(JsonObject pod, PodSandbox? box, string now)
    {
        var copy = pod.Clone();
        var status = copy.Ensure("status");
        var containers = pod.ArrAt("spec", "containers")?.OfType<JsonObject>().ToList() ?? [];
        if (box is null)
        {
            // Volumes not mounted yet: every container waits in ContainerCreating.
            status["phase"] = "Pending";
            status["containerStatuses"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Str("name"),
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                ["lastState"] = new JsonObject(),
                ["ready"] = false,
                ["restartCount"] = 0,
                ["image"] = c.Str("image"),
                ["imageID"] = "",
                ["started"] = false,
            })]);
            SetCondition(copy, "Initialized", "True", now);
            NotReady(copy, containers.Select(c => c.Str("name") ?? ""), "ContainersNotReady", now);
            return Detached(copy);
        }
        var phase = KubeletStatus.Phase(pod, box);
        status["phase"] = phase;
        status["hostIP"] = SystemObjects.NodeIp;
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = SystemObjects.NodeIp });
        status["podIP"] = box.PodIp;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = box.PodIp });
        status["startTime"] ??= now;
        status["containerStatuses"] = new JsonArray([.. box.Containers.Select(c => (JsonNode)KubeletStatus.ContainerStatus(box, c))]);
        var terminal = phase is "Succeeded" or "Failed";
        SetCondition(copy, "PodReadyToStartContainers", terminal ? "False" : "True", now);
        SetCondition(copy, "Initialized", "True", now);
        var unready = box.Containers.Where(c => c.Current is not { Running: true }).Select(c => c.Name).ToList();
        if (unready.Count == 0)
        {
            SetCondition(copy, "Ready", "True", now);
            SetCondition(copy, "ContainersReady", "True", now);
        }
        else NotReady(copy, unready, terminal ? "PodCompleted" : "ContainersNotReady", now);
        return Detached(copy);
    }

    static JsonObject Detached(JsonObject pod)
    {
        var status = pod.ObjAt("status")!;
        pod.Remove("status");
        return status;
    }

    static void NotReady(JsonObject pod, IEnumerable<string> unready, string reason, string now)
    {
        var message = reason == "PodCompleted" ? null : $"containers with unready status: [{string.Join(' ', unready)}]";
        SetCondition(pod, "Ready", "False", now, reason, message);
        SetCondition(pod, "ContainersReady", "False", now, reason, message);
    }

    static void SetCondition(JsonObject pod, string type, string status, string now, string? reason = null, string? message = null)
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
        if (reason is null) existing.Remove("reason"); else existing["reason"] = reason;
        if (message is null) existing.Remove("message"); else existing["message"] = message;
        pod["status"]!["conditions"] = conditions;
    }
}
