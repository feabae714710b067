using System.Diagnostics;

namespace MiniApiServer.EndToEnd;

public sealed record KubectlResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}

/// <summary>
/// Real kubectl, as a user runs it. /usr/bin/kubectl on these machines dispatches to the build matching the
/// server's minor version; a test can also name a build (1.31, 1.32, 1.33) directly. Every call gets the
/// test's own --cache-dir, so no discovery or OpenAPI cache leaks between tests or servers.
/// </summary>
public sealed class Kubectl(string kubeconfig, string? version = null)
{
    readonly string cacheDir = Path.Combine(Path.GetTempPath(), "miniapiserver-kubectl-cache", Guid.NewGuid().ToString("N"));

    /// <summary>The dispatcher on PATH, or null when kubectl is not installed.</summary>
    public static string? Dispatcher =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    /// <summary>The binary of one kubectl build (e.g. "1.31"), found beside the dispatcher it links to.</summary>
    public static string? Build(string version)
    {
        if (Dispatcher is not { } d) return null;
        var target = new FileInfo(d).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? d;
        var path = Path.Combine(Path.GetDirectoryName(target)!, $"kubectl.{version}");
        return File.Exists(path) ? path : null;
    }

    public static bool Available => Dispatcher is not null;

    public string Binary => version is null ? Dispatcher! : Build(version) ?? throw new FileNotFoundException($"kubectl.{version} is not installed");

    /// <summary>The build this instance runs ("1.27" …), or null for the dispatcher.</summary>
    public string? Version => version;

    /// <summary>Extra environment for every call, e.g. KUBE_EDITOR for <c>kubectl edit</c>.</summary>
    public Dictionary<string, string> Environment { get; } = new() { ["KUBE_EDITOR"] = "true" };

    public async Task<KubectlResult> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<KubectlResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        var psi = StartInfo(args);
        psi.RedirectStandardInput = stdin is not null;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish"); }
        return new KubectlResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The process start of one call. Later flags win in kubectl (pflag), so a caller's own
    /// --request-timeout overrides the default 30s given here.
    /// </summary>
    ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add($"--kubeconfig={kubeconfig}");
        psi.ArgumentList.Add($"--cache-dir={cacheDir}");
        psi.ArgumentList.Add("--request-timeout=30s");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Starts a long-running call (e.g. <c>get -w</c>) whose output the test reads while it runs.</summary>
    public KubectlProcess Start(params string[] args) => new(Process.Start(StartInfo(args))!, args);

    /// <summary>Runs and asserts success, returning stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {r}");
        return r.StdOut;
    }
}

/// <summary>A kubectl call running in the background; its output is collected line by line as it comes.</summary>
public sealed class KubectlProcess : IAsyncDisposable
{
    readonly Process process;
    readonly string[] args;
    readonly System.Text.StringBuilder stdout = new(), stderr = new();
    readonly TaskCompletionSource stdoutEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly SemaphoreSlim changed = new(0);

    internal KubectlProcess(Process process, string[] args)
    {
        this.process = process;
        this.args = args;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) stdoutEnded.TrySetResult();
            else lock (stdout) stdout.AppendLine(e.Data);
            changed.Release();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StdOut { get { lock (stdout) return stdout.ToString(); } }
    public string StdErr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Waits until stdout satisfies <paramref name="done"/>; fails the test with the output so far when
    /// kubectl ends first or <paramref name="timeout"/> passes.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var text = StdOut;
            if (done(text)) return text;
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero || stdoutEnded.Task.IsCompleted)
                Assert.Fail($"kubectl {string.Join(' ', args)}: the expected output did not come (ended: {stdoutEnded.Task.IsCompleted})\nstdout:\n{text}\nstderr:\n{StdErr}");
            await changed.WaitAsync(left);
        }
    }

    /// <summary>Waits for the process to end by itself (e.g. at --request-timeout) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        await stdoutEnded.Task.WaitAsync(cts.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
