using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>The shared acceptance smoke script (../shared/acceptance/smoke.sh beside the repository) against a server.</summary>
public sealed class SmokeScriptTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    [SkippableFact]
    public async Task SmokeScriptPassesEveryCheck()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var script = Path.GetFullPath(Path.Combine(ServerProcess.RepoRoot, "..", "shared", "acceptance", "smoke.sh"));
        Skip.IfNot(File.Exists(script), $"the acceptance script is not at {script}");

        var psi = new ProcessStartInfo("bash") { WorkingDirectory = ServerProcess.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(fx.Server.AdminKubeconfig);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;

        Assert.True(p.ExitCode == 0, $"smoke.sh exited {p.ExitCode}:\n{output}");
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^\d+ passed, 0 failed$", last);
        Assert.DoesNotContain("FAIL ", output);
    }
}
