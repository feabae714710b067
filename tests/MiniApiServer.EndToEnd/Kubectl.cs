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
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
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

    public async Task<KubectlResult> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<KubectlResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        psi.ArgumentList.Add($"--kubeconfig={kubeconfig}");
        psi.ArgumentList.Add($"--cache-dir={cacheDir}");
        psi.ArgumentList.Add("--request-timeout=30s");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["KUBE_EDITOR"] = "true";
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

    /// <summary>Runs and asserts success, returning stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {r}");
        return r.StdOut;
    }
}
