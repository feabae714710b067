using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary>cat, echo, printf, head, tail, wc, grep and base64, with GNU coreutils' messages.</summary>
public static class TextPrograms
{
    /// <summary>The bytes of each named file ("-" or none: stdin), reporting unreadable ones as <paramref name="tool"/> does.</summary>
    static async Task<(List<byte[]> Inputs, bool Failed)> InputsAsync(ProcessContext p, IReadOnlyList<string> files, string tool)
    {
        var inputs = new List<byte[]>();
        var failed = false;
        if (files.Count == 0) files = ["-"];
        foreach (var f in files)
        {
            if (f == "-")
            {
                var ms = new MemoryStream();
                await p.Stdin.CopyToAsync(ms, p.Cancel);
                inputs.Add(ms.ToArray());
                continue;
            }
            if (p.ReadFile(f, out var error) is { } bytes) inputs.Add(bytes);
            else
            {
                await p.ErrAsync($"{tool}: {f}: {error}\n");
                failed = true;
            }
        }
        return (inputs, failed);
    }

    public static async Task<int> Cat(ProcessContext p)
    {
        var files = p.Args.Where(a => a == "-" || !a.StartsWith('-')).ToList();
        if (files.Count == 0 || files.Contains("-") && files.Count == 1)
        {
            // Stream stdin through as it comes (kubectl exec -i … cat echoes line by line).
            await p.Stdin.CopyToAsync(p.Stdout, p.Cancel);
            return 0;
        }
        var (inputs, failed) = await InputsAsync(p, files, "cat");
        foreach (var bytes in inputs) await p.Stdout.WriteAsync(bytes, p.Cancel);
        return failed ? 1 : 0;
    }

    public static async Task<int> Echo(ProcessContext p)
    {
        var args = p.Args.ToList();
        var newline = true;
        if (args.Count > 0 && args[0] == "-n") { newline = false; args.RemoveAt(0); }
        await p.OutAsync(string.Join(' ', args) + (newline ? "\n" : ""));
        return 0;
    }

    /// <summary>printf FORMAT [ARGS]: %s, %d, %%, and the escapes \n \t \\; the format is reused while arguments remain.</summary>
    public static async Task<int> Printf(ProcessContext p)
    {
        if (p.Args.Count == 0)
        {
            await p.ErrAsync("printf: missing operand\n");
            return 1;
        }
        var format = p.Args[0].Replace("\\n", "\n").Replace("\\t", "\t").Replace("\\\\", "\\");
        var args = new Queue<string>(p.Args.Skip(1));
        var sb = new StringBuilder();
        do
        {
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
                var spec = format[++i];
                switch (spec)
                {
                    case '%': sb.Append('%'); break;
                    case 's': sb.Append(args.Count > 0 ? args.Dequeue() : ""); break;
                    case 'd': sb.Append(args.Count > 0 && long.TryParse(args.Dequeue(), out var n) ? n.ToString(CultureInfo.InvariantCulture) : "0"); break;
                    default: sb.Append('%').Append(spec); break;
                }
            }
        } while (args.Count > 0 && format.Contains('%'));
        await p.OutAsync(sb.ToString());
        return 0;
    }

    static (int Count, List<string> Files, bool Bytes) CountOption(IReadOnlyList<string> args)
    {
        var count = 10;
        var bytes = false;
        var files = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "-n" or "-c" && i + 1 < args.Count) { bytes = a == "-c"; count = int.Parse(args[++i].TrimStart('+'), CultureInfo.InvariantCulture); }
            else if (a.StartsWith("-n", StringComparison.Ordinal) && int.TryParse(a[2..], out var n)) count = n;
            else if (a.Length > 1 && a[0] == '-' && int.TryParse(a[1..], out var m)) count = m;
            else files.Add(a);
        }
        return (count, files, bytes);
    }

    static List<string> Lines(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    public static async Task<int> Head(ProcessContext p)
    {
        var (count, files, bytes) = CountOption(p.Args);
        var (inputs, failed) = await InputsAsync(p, files, "head");
        foreach (var input in inputs)
        {
            if (bytes) await p.Stdout.WriteAsync(input.AsMemory(0, Math.Min(count, input.Length)), p.Cancel);
            else foreach (var line in Lines(input).Take(count)) await p.OutAsync(line + "\n");
        }
        return failed ? 1 : 0;
    }

    public static async Task<int> Tail(ProcessContext p)
    {
        var (count, files, bytes) = CountOption(p.Args);
        var (inputs, failed) = await InputsAsync(p, files, "tail");
        foreach (var input in inputs)
        {
            if (bytes) await p.Stdout.WriteAsync(input.AsMemory(Math.Max(0, input.Length - count)), p.Cancel);
            else foreach (var line in Lines(input).TakeLast(count)) await p.OutAsync(line + "\n");
        }
        return failed ? 1 : 0;
    }

    public static async Task<int> Wc(ProcessContext p)
    {
        var flags = string.Concat(p.Args.Where(a => a.StartsWith('-') && a.Length > 1).Select(a => a[1..]));
        var files = p.Args.Where(a => !a.StartsWith('-') || a == "-").ToList();
        var (inputs, failed) = await InputsAsync(p, files, "wc");
        if (flags.Length == 0) flags = "lwc";
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var text = Encoding.UTF8.GetString(input);
            var counts = new List<long>();
            if (flags.Contains('l')) counts.Add(input.Count(b => b == '\n'));
            if (flags.Contains('w')) counts.Add(text.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Length);
            if (flags.Contains('c')) counts.Add(input.Length);
            var name = files.Count > i && files[i] != "-" ? " " + files[i] : "";
            // GNU wc pads to a common width only when it prints more than one count.
            var cells = counts.Count == 1 ? counts.Select(c => c.ToString(CultureInfo.InvariantCulture)) : counts.Select(c => c.ToString(CultureInfo.InvariantCulture).PadLeft(7));
            await p.OutAsync(string.Join(' ', cells) + name + "\n");
        }
        return failed ? 1 : 0;
    }

    public static async Task<int> Grep(ProcessContext p)
    {
        bool ignoreCase = false, invert = false, count = false, quiet = false;
        string? pattern = null;
        var files = new List<string>();
        foreach (var a in p.Args)
        {
            if (a.StartsWith('-') && a.Length > 1 && pattern is null)
            {
                foreach (var f in a[1..])
                {
                    if (f == 'i') ignoreCase = true;
                    else if (f == 'v') invert = true;
                    else if (f == 'c') count = true;
                    else if (f == 'q') quiet = true;
                }
                continue;
            }
            if (pattern is null) pattern = a;
            else files.Add(a);
        }
        if (pattern is null)
        {
            await p.ErrAsync("Usage: grep [OPTION]... PATTERNS [FILE]...\n");
            return 2;
        }
        var regex = new Regex(pattern, ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        var (inputs, failed) = await InputsAsync(p, files, "grep");
        var matched = 0;
        foreach (var input in inputs)
            foreach (var line in Lines(input))
            {
                if (regex.IsMatch(line) == invert) continue;
                matched++;
                if (!count && !quiet) await p.OutAsync(line + "\n");
            }
        if (count) await p.OutAsync(matched.ToString(CultureInfo.InvariantCulture) + "\n");
        return failed ? 2 : matched > 0 ? 0 : 1;
    }

    public static async Task<int> Base64(ProcessContext p)
    {
        var decode = p.Args.Any(a => a is "-d" or "--decode");
        var files = p.Args.Where(a => !a.StartsWith('-') || a == "-").ToList();
        var (inputs, failed) = await InputsAsync(p, files, "base64");
        if (failed) return 1;
        var all = inputs.SelectMany(b => b).ToArray();
        if (decode)
        {
            try { await p.Stdout.WriteAsync(Convert.FromBase64String(Encoding.ASCII.GetString(all).Replace("\n", "").Trim()), p.Cancel); }
            catch (FormatException)
            {
                await p.ErrAsync("base64: invalid input\n");
                return 1;
            }
            return 0;
        }
        var encoded = Convert.ToBase64String(all);
        // GNU base64 wraps at 76 columns.
        for (var i = 0; i < encoded.Length; i += 76) await p.OutAsync(encoded.Substring(i, Math.Min(76, encoded.Length - i)) + "\n");
        return 0;
    }
}
