using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Runtime.Containers;

/// <summary>
/// The pod status the kubelet reports for a sandbox (kubelet's <c>convertToAPIContainerStatuses</c> and
/// <c>getPhase</c>, reduced): per container a running, terminated (Completed/Error) or waiting
/// (ContainerCreating, CreateContainerConfigError, CrashLoopBackOff) state with the previous run as lastState;
/// the pod Pending until every container has started once, Running while any runs or will restart, then
/// Succeeded or Failed.
/// </summary>
public static class KubeletStatus
{
    public static string Phase(JsonObject pod, PodSandbox sandbox)
    {
        if (sandbox.Containers.Any(c => c.Current is null)) return "Pending";
        var policy = pod.Str("spec", "restartPolicy") ?? "Always";
        if (sandbox.Containers.Any(c => c.Current!.Running || WillRestart(policy, c.Current.ExitCode))) return "Running";
        return sandbox.Containers.All(c => c.Current!.ExitCode == 0) ? "Succeeded" : "Failed";
    }

    /// <summary>Whether the kubelet restarts a container that exited with <paramref name="exitCode"/> under the restartPolicy.</summary>
    public static bool WillRestart(string restartPolicy, int? exitCode) =>
        exitCode is { } code && (restartPolicy == "Always" || restartPolicy == "OnFailure" && code != 0);

    public static JsonObject ContainerStatus(PodSandbox sandbox, ContainerSlot slot)
    {
        var image = slot.Spec.Str("image") ?? "";
        var status = new JsonObject { ["name"] = slot.Name };
        var current = slot.Current;
        JsonObject state, lastState = slot.Previous is { ExitCode: not null } prev ? new JsonObject { ["terminated"] = Terminated(prev) } : [];
        if (current is null)
        {
            var (reason, message) = slot.Waiting ?? ("ContainerCreating", "");
            state = new JsonObject { ["waiting"] = message.Length > 0 ? new JsonObject { ["reason"] = reason, ["message"] = message } : new JsonObject { ["reason"] = reason } };
        }
        else if (current.Running) state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Obj.Rfc3339(current.StartedAt) } };
        else if (slot.RestartAt is not null)
        {
            state = new JsonObject
            {
                ["waiting"] = new JsonObject
                {
                    ["reason"] = "CrashLoopBackOff",
                    ["message"] = $"back-off {GoDuration(slot.BackOff)} restarting failed container={slot.Name} pod={sandbox.Key.Name}_{sandbox.Key.Namespace}({sandbox.Uid})",
                },
            };
            lastState = new JsonObject { ["terminated"] = Terminated(current) };
        }
        else state = new JsonObject { ["terminated"] = Terminated(current) };
        status["state"] = state;
        status["lastState"] = lastState;
        status["ready"] = current is { Running: true };
        status["restartCount"] = slot.RestartCount;
        status["image"] = image;
        status["imageID"] = current is null ? "" : $"simulated://{image}";
        if (current is not null) status["containerID"] = current.Id;
        status["started"] = current is { Running: true };
        return status;
    }

    static JsonObject Terminated(ContainerInstance instance) => new()
    {
        ["exitCode"] = instance.ExitCode,
        ["reason"] = instance.ExitCode == 0 ? "Completed" : "Error",
        ["startedAt"] = Obj.Rfc3339(instance.StartedAt),
        ["finishedAt"] = Obj.Rfc3339(instance.FinishedAt ?? instance.StartedAt),
        ["containerID"] = instance.Id,
    };

    /// <summary>Go's time.Duration String for whole seconds and minutes: 10s, 1m20s, 5m0s.</summary>
    public static string GoDuration(TimeSpan d)
    {
        var total = (long)d.TotalSeconds;
        return total < 60 ? $"{total}s" : $"{total / 60}m{total % 60}s";
    }
}
