using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary>A program in a simulated container: runs with its process context and returns the exit status.</summary>
public delegate Task<int> PodProgram(ProcessContext process);

/// <summary>
/// The programs on a simulated container's PATH. They are the interpreter's own (never host processes): the
/// coreutils a script needs, <c>sh</c>, and the two API clients <c>kubectl</c> and <c>curl</c>.
/// </summary>
public static class Programs
{
    /// <summary>The folders of the image's PATH (the container runtime's default).</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static readonly Dictionary<string, PodProgram> Table = new(StringComparer.Ordinal)
    {
        ["sh"] = ShellProgram.RunAsync,
        ["bash"] = ShellProgram.RunAsync,
        ["ash"] = ShellProgram.RunAsync,
        ["cat"] = TextPrograms.Cat,
        ["ls"] = FilePrograms.Ls,
        ["echo"] = TextPrograms.Echo,
        ["printf"] = TextPrograms.Printf,
        ["env"] = SystemPrograms.Env,
        ["printenv"] = SystemPrograms.Printenv,
        ["pwd"] = SystemPrograms.Pwd,
        ["hostname"] = SystemPrograms.Hostname,
        ["id"] = SystemPrograms.Id,
        ["whoami"] = SystemPrograms.Whoami,
        ["date"] = SystemPrograms.Date,
        ["true"] = _ => Task.FromResult(0),
        ["false"] = _ => Task.FromResult(1),
        ["sleep"] = SystemPrograms.Sleep,
        ["head"] = TextPrograms.Head,
        ["tail"] = TextPrograms.Tail,
        ["wc"] = TextPrograms.Wc,
        ["grep"] = TextPrograms.Grep,
        ["base64"] = TextPrograms.Base64,
        ["test"] = TestProgram.RunAsync,
        ["["] = TestProgram.RunAsync,
        ["kubectl"] = Kubectl.InClusterKubectl.RunAsync,
        ["curl"] = Curl.CurlProgram.RunAsync,
    };

    static readonly HashSet<string> PathFolders = [.. DefaultPath.Split(':')];

    /// <summary>The program <paramref name="name"/> names: a bare name on PATH, or a path into one of PATH's folders.</summary>
    public static PodProgram? Find(string name)
    {
        var slash = name.LastIndexOf('/');
        if (slash >= 0 && !PathFolders.Contains(name[..slash])) return null;
        return Table.GetValueOrDefault(name[(slash + 1)..]);
    }

    public static bool Exists(string name) => Find(name) is not null;

    /// <summary>
    /// execve as the container runtime does it for <c>kubectl exec</c>: the program, or exit status 127 with the
    /// runtime's message when it is not in the image.
    /// </summary>
    public static async Task<int> ExecAsync(ProcessContext process)
    {
        if (Find(process.Argv[0]) is not { } program)
        {
            await process.ErrAsync($"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{process.Argv[0]}\": executable file not found in $PATH: unknown\n");
            return 127;
        }
        return await program(process);
    }
}
