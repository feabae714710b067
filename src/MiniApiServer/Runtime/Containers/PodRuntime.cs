using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Runtime.Commands;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Runtime.Shell;
using MiniApiServer.Storage;

namespace MiniApiServer.Runtime.Containers;

/// <summary>
/// The simulated container runtime of the one node: pod sandboxes with their volumes, containers whose main
/// process is the pod's command run by the interpreter, and exec into running containers. Nothing here
/// touches the host: programs are the interpreter's own.
/// </summary>
public sealed class PodRuntime(IObjectStore store, PodVolumes volumes, IPodNetwork network, TimeProvider time, ILogger<PodRuntime> logger)
{
    readonly ConcurrentDictionary<ObjectKey, PodSandbox> sandboxes = new();
    readonly ConcurrentDictionary<(ObjectKey, string), Dictionary<string, string>> environments = new();

    /// <summary>Raised (on a pool thread) when a container's main process ends.</summary>
    public event Action<ObjectKey>? ContainerExited;

    public IPodNetwork Network => network;

    /// <summary>The sandbox of the pod at <paramref name="key"/> with <paramref name="uid"/>, if the node runs it.</summary>
    public PodSandbox? Find(ObjectKey key, string uid) =>
        sandboxes.TryGetValue(key, out var s) && s.Uid == uid ? s : null;

    /// <summary>Sets up the pod's sandbox and volumes; throws <see cref="VolumeSetupException"/> when a volume cannot be mounted.</summary>
    public PodSandbox CreateSandbox(ObjectKey key, JsonObject pod, string podIp)
    {
        var snapshot = pod.Clone();
        snapshot.Ensure("status")["podIP"] = podIp;
        var sandbox = new PodSandbox(key, snapshot, podIp, volumes.Build(snapshot));
        if (sandboxes.TryGetValue(key, out var old)) Stop(old);
        sandboxes[key] = sandbox;
        return sandbox;
    }

    /// <summary>Kills every container of the pod and forgets its sandbox.</summary>
    public void Remove(ObjectKey key)
    {
        if (sandboxes.TryRemove(key, out var sandbox)) Stop(sandbox);
    }

    void Stop(PodSandbox sandbox)
    {
        foreach (var slot in sandbox.Containers) slot.Current?.Kill();
        foreach (var k in environments.Keys.Where(k => k.Item1 == sandbox.Key)) environments.TryRemove(k, out _);
    }

    /// <summary>
    /// Starts a new instance of the container: builds its environment (throws <see cref="ContainerConfigException"/>
    /// when a referenced Secret or ConfigMap key is missing) and runs its main process.
    /// </summary>
    /// <remarks><paramref name="adopt"/> (ID and start time) keeps a container the stored status reports as running:
    /// after a server restart the node is the same node and its containers kept running (their processes start
    /// over here, with empty logs).</remarks>
    public ContainerInstance StartContainer(PodSandbox sandbox, ContainerSlot slot, (string Id, DateTimeOffset StartedAt)? adopt = null)
    {
        var env = ContainerEnvironment.Build(sandbox.Pod, slot.Spec, store, network.KubernetesService);
        environments[(sandbox.Key, slot.Name)] = env;
        var instance = adopt is { } a ? new ContainerInstance(a.Id, a.StartedAt)
            : new ContainerInstance($"simulated://{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}", time.GetUtcNow());
        if (slot.Current is { } previous) slot.Previous = previous;
        slot.Current = instance;
        var argv = MainProcess(slot.Spec, env);
        _ = Task.Run(async () =>
        {
            var code = await RunMainAsync(sandbox, slot, instance, env, argv);
            instance.Exited(code, time.GetUtcNow());
            ContainerExited?.Invoke(sandbox.Key);
        });
        return instance;
    }

    async Task<int> RunMainAsync(PodSandbox sandbox, ContainerSlot slot, ContainerInstance instance, Dictionary<string, string> env, IReadOnlyList<string>? argv)
    {
        await using var stdout = instance.Log.Writer(time);
        await using var stderr = instance.Log.Writer(time);
        try
        {
            if (argv is null || !Programs.Exists(argv[0]))
            {
                // The image's own program (a web server, a database…): it runs, silently, until killed.
                await Task.Delay(Timeout.InfiniteTimeSpan, time, instance.Killed);
                return 0;
            }
            var process = Process(sandbox, slot, argv, env, Stream.Null, stdout, stderr, instance.Killed);
            return await Programs.ExecAsync(process);
        }
        catch (OperationCanceledException) when (instance.Killed.IsCancellationRequested)
        {
            return 137;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "container {Container} of pod {Pod} failed", slot.Name, sandbox.Key);
            return 128;
        }
    }

    /// <summary>
    /// Runs <paramref name="argv"/> in a running container (kubectl exec): the container's environment,
    /// working directory and files. Returns the exit code; killing the container ends the process.
    /// </summary>
    public async Task<int> ExecAsync(PodSandbox sandbox, ContainerSlot slot, IReadOnlyList<string> argv, Stream stdin, Stream stdout, Stream stderr, CancellationToken ct)
    {
        var env = environments.TryGetValue((sandbox.Key, slot.Name), out var e) ? e : [];
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, slot.Current?.Killed ?? CancellationToken.None);
        try
        {
            return await Programs.ExecAsync(Process(sandbox, slot, argv, new Dictionary<string, string>(env), stdin, stdout, stderr, both.Token));
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
            return 137;
        }
    }

    ProcessContext Process(PodSandbox sandbox, ContainerSlot slot, IReadOnlyList<string> argv, Dictionary<string, string> env,
        Stream stdin, Stream stdout, Stream stderr, CancellationToken ct) => new()
    {
        Container = new ContainerContext { Files = sandbox.FileSystem(slot.Spec), Hostname = sandbox.Hostname, Network = network, Time = time },
        Argv = argv,
        Env = env,
        Cwd = slot.Spec.Str("workingDir") is { Length: > 0 } wd ? wd : "/",
        Stdin = stdin,
        Stdout = stdout,
        Stderr = stderr,
        Cancel = ct,
    };

    /// <summary>
    /// The container's main process: <c>command</c> + <c>args</c> ($(VAR) expanded), else the image's entrypoint
    /// and cmd for the few images whose defaults the simulator knows (kubectl and curl images run those tools,
    /// busybox/alpine/debian/ubuntu run sh). Null: the image's own program, which the simulator does not know.
    /// </summary>
    public static IReadOnlyList<string>? MainProcess(JsonObject container, IReadOnlyDictionary<string, string> env)
    {
        var command = container.Strings("command").Select(c => ContainerEnvironment.Expand(c, env)).ToList();
        var args = container.Strings("args").Select(a => ContainerEnvironment.Expand(a, env)).ToList();
        if (command.Count > 0) return [.. command, .. args];
        var image = ImageName(container.Str("image") ?? "");
        if (image.Contains("kubectl", StringComparison.Ordinal)) return ["kubectl", .. args];
        if (image == "curl") return ["curl", .. args];
        if (image is "busybox" or "alpine" or "debian" or "ubuntu" or "bash")
            return args.Count > 0 ? args : [image == "bash" ? "bash" : "sh"];
        return null;
    }

    /// <summary>The image's repository name without registry, path and tag: "docker.io/bitnami/kubectl:1.32" → "kubectl".</summary>
    static string ImageName(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0) image = image[..at];
        var slash = image.LastIndexOf('/');
        var name = image[(slash + 1)..];
        var colon = name.IndexOf(':');
        return colon >= 0 ? name[..colon] : name;
    }
}
