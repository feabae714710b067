using System.Text;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Network;

namespace MiniApiServer.Runtime.Shell;

/// <summary>What every process of one container shares: its files, its pod's identity, the network and the clock.</summary>
public sealed class ContainerContext
{
    public required ContainerFileSystem Files { get; init; }
    /// <summary>The pod's hostname: spec.hostname, else the pod name.</summary>
    public required string Hostname { get; init; }
    public required IPodNetwork Network { get; init; }
    public required TimeProvider Time { get; init; }
}

/// <summary>One running program: its argv, environment, working directory and standard streams.</summary>
public sealed class ProcessContext
{
    public required ContainerContext Container { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public required Dictionary<string, string> Env { get; init; }
    public required string Cwd { get; init; }
    public required Stream Stdin { get; init; }
    public required Stream Stdout { get; init; }
    public required Stream Stderr { get; init; }
    public required CancellationToken Cancel { get; init; }

    public string Name => Path.GetFileName(Argv[0]);
    public IReadOnlyList<string> Args => [.. Argv.Skip(1)];
    public TimeProvider Time => Container.Time;

    public Task OutAsync(string text) => WriteAsync(Stdout, text);
    public Task ErrAsync(string text) => WriteAsync(Stderr, text);

    async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), Cancel);
        await stream.FlushAsync(Cancel);
    }

    /// <summary>An absolute path for <paramref name="path"/> relative to the working directory.</summary>
    public string Resolve(string path) => ContainerFileSystem.Normalize(path, Cwd);

    /// <summary>The bytes of a file, or the reason it cannot be read (as coreutils words it).</summary>
    public byte[]? ReadFile(string path, out string? error)
    {
        error = null;
        switch (Container.Files.Find(Resolve(path)))
        {
            case FsEntry.File f: return f.Content.Read();
            case FsEntry.Directory: error = "Is a directory"; return null;
            default: error = "No such file or directory"; return null;
        }
    }

    /// <summary>The same process with other streams or arguments (a pipeline stage, a command substitution).</summary>
    public ProcessContext With(IReadOnlyList<string>? argv = null, Stream? stdin = null, Stream? stdout = null, Stream? stderr = null,
        Dictionary<string, string>? env = null, string? cwd = null) => new()
    {
        Container = Container,
        Argv = argv ?? Argv,
        Env = env ?? Env,
        Cwd = cwd ?? Cwd,
        Stdin = stdin ?? Stdin,
        Stdout = stdout ?? Stdout,
        Stderr = stderr ?? Stderr,
        Cancel = Cancel,
    };
}
