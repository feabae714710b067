using System.Text;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Runtime.Commands;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Tests.Runtime;

/// <summary>The outcome of one program run in a test container.</summary>
public sealed record RunResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// A container for tests: files given as path → text (mounted at "/"), an environment, a clock and a pod
/// network (by default one with no API server), and a way to run argv or a sh script in it.
/// </summary>
public sealed class ContainerHarness
{
    public Dictionary<string, string> Files { get; } = [];
    public Dictionary<string, string> Env { get; } = new() { ["PATH"] = Programs.DefaultPath, ["HOSTNAME"] = "web", ["HOME"] = "/root" };
    public TimeProvider Time { get; init; } = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
    public IPodNetwork Network { get; init; } = new ApiServerPodNetwork();

    public ContainerContext Context() => new()
    {
        Files = new ContainerFileSystem(
            Files.ToDictionary(kv => kv.Key.TrimStart('/'), kv => PodFile.Of(Encoding.UTF8.GetBytes(kv.Value), 0x1A4)), []),
        Hostname = "web",
        Network = Network,
        Time = Time,
    };

    public Task<RunResult> ShAsync(string script, string stdin = "") => ExecAsync(["sh", "-c", script], stdin);

    public async Task<RunResult> ExecAsync(IReadOnlyList<string> argv, string stdin = "", CancellationToken ct = default)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var process = new ProcessContext
        {
            Container = Context(),
            Argv = argv,
            Env = new Dictionary<string, string>(Env),
            Cwd = "/",
            Stdin = new MemoryStream(Encoding.UTF8.GetBytes(stdin)),
            Stdout = stdout,
            Stderr = stderr,
            Cancel = ct,
        };
        var code = await Programs.ExecAsync(process);
        return new RunResult(code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
