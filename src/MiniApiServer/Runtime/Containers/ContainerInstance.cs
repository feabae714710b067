namespace MiniApiServer.Runtime.Containers;

/// <summary>One run of a container (a new one per restart): its ID, start and end, exit code and log.</summary>
public sealed class ContainerInstance(string id, DateTimeOffset startedAt)
{
    readonly CancellationTokenSource kill = new();

    public string Id { get; } = id;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public ContainerLog Log { get; } = new();
    public CancellationToken Killed => kill.Token;

    /// <summary>Set once the main process ended.</summary>
    public DateTimeOffset? FinishedAt { get; private set; }
    public int? ExitCode { get; private set; }

    public bool Running => ExitCode is null;

    public void Exited(int code, DateTimeOffset at)
    {
        FinishedAt = at;
        ExitCode = code;
        Log.Close();
    }

    /// <summary>SIGKILL: the main process is cancelled; it ends with 137 (128 + 9), as a killed process does.</summary>
    public void Kill() => kill.Cancel();
}

/// <summary>
/// One container of a pod sandbox across its restarts: the current and previous instances, the restart
/// count and the kubelet's crash back-off (10s doubling to 5m; a restart after the first exit is immediate).
/// </summary>
public sealed class ContainerSlot(string name, System.Text.Json.Nodes.JsonObject spec)
{
    public static readonly TimeSpan InitialBackOff = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(5);

    public string Name { get; } = name;
    public System.Text.Json.Nodes.JsonObject Spec { get; } = spec;
    public ContainerInstance? Current { get; set; }
    public ContainerInstance? Previous { get; set; }
    public int RestartCount { get; set; }
    /// <summary>The back-off the next restart waits (zero until the first restart).</summary>
    public TimeSpan BackOff { get; set; } = TimeSpan.Zero;
    /// <summary>When the exited instance is due to be restarted (CrashLoopBackOff until then), or null.</summary>
    public DateTimeOffset? RestartAt { get; set; }
    /// <summary>Why the container cannot start (CreateContainerConfigError), with the message.</summary>
    public (string Reason, string Message)? Waiting { get; set; }
}
