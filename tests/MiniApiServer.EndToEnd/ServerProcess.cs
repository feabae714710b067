using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// The real server process, started as a user starts it (the built MiniApiServer.dll, flags on the command
/// line) on a free port (--secure-port=0) with its own cert and data folders, so tests run in parallel.
/// Ready when it prints its "listening on https://…" line.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly TaskCompletionSource<string> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Root { get; }
    public string CertDir => Path.Combine(Root, "certs");
    public string DataDir => Path.Combine(Root, "data");
    public string Url { get; private set; } = "";
    public string AdminKubeconfig => Path.Combine(DataDir, "kubeconfigs", "admin.kubeconfig");
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>
    /// Writes a kubeconfig whose only credential is <paramref name="token"/> into <paramref name="dir"/> and returns
    /// its path: a client certificate would outrank the token (x509 comes before bearer tokens in kube's chain).
    /// </summary>
    public string TokenKubeconfig(string dir, string token)
    {
        var path = Path.Combine(dir, $"token-{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "{{{Url}}}", certificate-authority: "{{{Path.Combine(CertDir, "ca.crt")}}}"}}]
            users: [{name: t, user: {token: "{{{token}}}"}}]
            contexts: [{name: c, context: {cluster: c, user: t}}]
            current-context: c
            """);
        return path;
    }

    readonly bool ownsRoot;

    ServerProcess(string root, bool ownsRoot, IEnumerable<string> args)
    {
        Root = root;
        this.ownsRoot = ownsRoot;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ServerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"the server exited with code {process.ExitCode}:\n{Output}"));
    }

    void OnLine(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
        var m = ListeningLine().Match(line);
        if (m.Success) listening.TrySetResult(m.Groups[1].Value);
    }

    [GeneratedRegex(@"listening on (https://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>Starts a server; <paramref name="extraArgs"/> are added to its flags. Data in memory unless <paramref name="inMemory"/> is false.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string>? extraArgs = null, bool inMemory = true, string? root = null)
    {
        var ownsRoot = root is null;
        root ??= Path.Combine(Path.GetTempPath(), "miniapiserver-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var args = new List<string> { "--secure-port=0", $"--cert-dir={Path.Combine(root, "certs")}", $"--data-dir={Path.Combine(root, "data")}" };
        if (inMemory) args.Add("--in-memory");
        args.AddRange(extraArgs ?? []);
        var server = new ServerProcess(root, ownsRoot, args);
        server.process.Start();
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        server.Url = await server.listening.Task.WaitAsync(timeout.Token);
        return server;
    }

    /// <summary>Stops the server as Ctrl-C does (SIGINT) and waits for it to exit; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (process.HasExited) return process.ExitCode;
        Signal(process.Id, 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        return process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Signal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
        // A root the caller chose (a restart test) is the caller's to remove; a generated one is ours.
        if (ownsRoot) try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The server built beside these tests: src/MiniApiServer/bin/&lt;configuration&gt;/net10.0/MiniApiServer.dll.</summary>
    public static string ServerDll
    {
        get
        {
            var config = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var dll = Path.Combine(RepoRoot, "src", "MiniApiServer", "bin", config, "net10.0", "MiniApiServer.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the server first (dotnet build)", dll);
        }
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MiniApiServer.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("MiniApiServer.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
