using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary>test / [ with the common primaries: -e -f -d -s -z -n, = != (strings), -eq -ne -lt -le -gt -ge, and !.</summary>
public static class TestProgram
{
    public static async Task<int> RunAsync(ProcessContext p)
    {
        var args = p.Args.ToList();
        if (p.Name == "[")
        {
            if (args.Count == 0 || args[^1] != "]")
            {
                await p.ErrAsync("sh: missing ]\n");
                return 2;
            }
            args.RemoveAt(args.Count - 1);
        }
        var negate = false;
        if (args.Count > 0 && args[0] == "!") { negate = true; args.RemoveAt(0); }
        bool? result = args.Count switch
        {
            0 => false,
            1 => args[0].Length > 0,
            2 => Unary(p, args[0], args[1]),
            3 => Binary(args[0], args[1], args[2]),
            _ => null,
        };
        if (result is null)
        {
            await p.ErrAsync($"sh: {p.Name}: unknown operand\n");
            return 2;
        }
        return result.Value != negate ? 0 : 1;
    }

    static bool? Unary(ProcessContext p, string op, string operand)
    {
        var entry = p.Container.Files.Find(p.Resolve(operand));
        return op switch
        {
            "-z" => operand.Length == 0,
            "-n" => operand.Length > 0,
            "-e" => entry is not null,
            "-f" => entry is FsEntry.File,
            "-d" => entry is FsEntry.Directory,
            "-s" => entry is FsEntry.File f && f.Content.Read().Length > 0,
            "-r" => entry is not null,
            _ => null,
        };
    }

    static bool? Binary(string a, string op, string b)
    {
        if (op is "=" or "==") return a == b;
        if (op == "!=") return a != b;
        if (!long.TryParse(a, out var x) || !long.TryParse(b, out var y)) return null;
        return op switch
        {
            "-eq" => x == y, "-ne" => x != y, "-lt" => x < y, "-le" => x <= y, "-gt" => x > y, "-ge" => x >= y,
            _ => null,
        };
    }
}
