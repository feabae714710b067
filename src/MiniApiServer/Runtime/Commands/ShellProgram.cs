using System.Text;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary><c>sh -c 'script' [name [args…]]</c>, <c>sh file [args…]</c>, or <c>sh</c> reading its script from stdin.</summary>
public static class ShellProgram
{
    public static async Task<int> RunAsync(ProcessContext p)
    {
        var args = p.Args.ToList();
        // Options before the script (-e, -x, -l …) change nothing this shell reports.
        var command = false;
        while (args.Count > 0 && args[0].StartsWith('-') && args[0].Length > 1)
        {
            if (args[0].Contains('c')) command = true;
            args.RemoveAt(0);
        }
        if (command)
        {
            if (args.Count == 0)
            {
                await p.ErrAsync("sh: -c requires an argument\n");
                return 2;
            }
            var name = args.Count > 1 ? args[1] : p.Argv[0];
            return await new ShellInterpreter(p, name, [.. args.Skip(2)]).RunAsync(args[0]);
        }
        if (args.Count > 0)
        {
            if (p.ReadFile(args[0], out var error) is not { } bytes)
            {
                await p.ErrAsync($"sh: can't open '{args[0]}': {error}\n");
                return 2;
            }
            return await new ShellInterpreter(p, args[0], [.. args.Skip(1)]).RunAsync(Encoding.UTF8.GetString(bytes));
        }
        // No script: commands come from stdin until it ends (an exec without -i has an empty stdin).
        using var reader = new StreamReader(p.Stdin, Encoding.UTF8, leaveOpen: true);
        var script = await reader.ReadToEndAsync(p.Cancel);
        return await new ShellInterpreter(p, p.Argv[0], []).RunAsync(script);
    }
}
