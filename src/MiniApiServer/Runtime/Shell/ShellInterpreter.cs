using System.Text;
using MiniApiServer.Runtime.Commands;
using MiniApiServer.Runtime.Files;

namespace MiniApiServer.Runtime.Shell;

/// <summary>
/// A small POSIX sh (busybox's wording for errors): runs a parsed script with parameter and command
/// substitution, field splitting of unquoted expansions, <c>*</c>/<c>?</c> globbing in the last path segment,
/// redirections to <c>/dev/null</c> and between descriptors, and the built-ins a script needs (cd, export,
/// unset, exit, set --, shift, pwd, :). Every other name runs a program from <see cref="Programs"/>.
/// Pipelines run their stages one after the other, each reading the previous one's whole output.
/// </summary>
public sealed class ShellInterpreter
{
    readonly ProcessContext process;
    readonly Dictionary<string, string> vars;
    List<string> positional;
    readonly string scriptName;
    string cwd;
    int status;

    sealed class ExitException(int code) : Exception { public int Code { get; } = code; }

    public ShellInterpreter(ProcessContext process, string scriptName, IReadOnlyList<string> positional)
    {
        this.process = process;
        vars = new Dictionary<string, string>(process.Env);
        this.positional = [.. positional];
        this.scriptName = scriptName;
        cwd = process.Cwd;
    }

    /// <summary>Parses and runs <paramref name="script"/>; returns the exit status (2 for a syntax error, as sh).</summary>
    public async Task<int> RunAsync(string script)
    {
        ListNode tree;
        try { tree = ShellParser.Parse(script); }
        catch (ShellSyntaxException e)
        {
            await process.ErrAsync($"sh: {e.Message}\n");
            return 2;
        }
        try { return await RunListAsync(tree, process); }
        catch (ExitException e) { return e.Code; }
    }

    async Task<int> RunListAsync(ListNode list, ProcessContext io)
    {
        foreach (var item in list.Items)
        {
            if (item.Background)
            {
                // A background job runs on; the shell goes on at once with status 0.
                _ = Task.Run(() => RunAndOrAsync(item, io));
                status = 0;
                continue;
            }
            status = await RunAndOrAsync(item, io);
        }
        return status;
    }

    async Task<int> RunAndOrAsync(AndOrNode node, ProcessContext io)
    {
        var result = await RunPipelineAsync(node.First, io);
        foreach (var (op, pipeline) in node.Rest)
        {
            if (op == "&&" && result != 0 || op == "||" && result == 0) continue;
            result = await RunPipelineAsync(pipeline, io);
        }
        return status = result;
    }

    async Task<int> RunPipelineAsync(PipelineNode node, ProcessContext io)
    {
        var input = io.Stdin;
        var result = 0;
        for (var i = 0; i < node.Commands.Count; i++)
        {
            io.Cancel.ThrowIfCancellationRequested();
            var last = i == node.Commands.Count - 1;
            var output = last ? io.Stdout : new MemoryStream();
            result = await RunCommandAsync(node.Commands[i], io.With(stdin: input, stdout: output));
            if (!last)
            {
                output.Position = 0;
                input = output;
            }
        }
        return node.Negate ? (result == 0 ? 1 : 0) : result;
    }

    async Task<int> RunCommandAsync(ShellNode node, ProcessContext io)
    {
        switch (node)
        {
            case SimpleCommand simple: return await RunSimpleAsync(simple, io);
            case GroupNode group: return await RunListAsync(group.Body, io);
            case IfNode ifNode:
                foreach (var (condition, body) in ifNode.Branches)
                    if (await RunListAsync(condition, io) == 0) return await RunListAsync(body, io);
                return ifNode.Else is { } otherwise ? await RunListAsync(otherwise, io) : 0;
            case LoopNode loop:
                var loopStatus = 0;
                while (true)
                {
                    io.Cancel.ThrowIfCancellationRequested();
                    var c = await RunListAsync(loop.Condition, io);
                    if ((c == 0) == loop.Until) break;
                    loopStatus = await RunListAsync(loop.Body, io);
                    // A loop that does nothing must still yield to the clock and to cancellation.
                    await Task.Yield();
                }
                return loopStatus;
            case ForNode forNode:
                var items = forNode.Items is null ? [.. positional] : await ExpandAsync(forNode.Items, io);
                var forStatus = 0;
                foreach (var item in items)
                {
                    vars[forNode.Variable] = item;
                    forStatus = await RunListAsync(forNode.Body, io);
                }
                return forStatus;
            default: throw new InvalidOperationException($"unknown shell node {node.GetType().Name}");
        }
    }

    async Task<int> RunSimpleAsync(SimpleCommand command, ProcessContext io)
    {
        var argv = await ExpandAsync(command.Words, io);
        var assigned = new List<(string, string)>();
        foreach (var (name, value) in command.Assignments)
            assigned.Add((name, await ExpandWordAsync(value, io)));
        if (argv.Count == 0)
        {
            foreach (var (name, value) in assigned) vars[name] = value;
            return 0;
        }
        var redirected = await RedirectAsync(command.Redirects, io);
        if (redirected.Error is { } error)
        {
            await io.ErrAsync($"sh: {error}\n");
            return 1;
        }
        io = redirected.Io!;
        if (await TryBuiltinAsync(argv, io) is { } builtin) return builtin;
        var env = new Dictionary<string, string>(vars);
        foreach (var (name, value) in assigned) env[name] = value;
        var program = Programs.Find(argv[0]);
        if (program is null)
        {
            await io.ErrAsync($"sh: {argv[0]}: not found\n");
            return 127;
        }
        return await program(io.With(argv: argv, env: env, cwd: cwd));
    }

    sealed record Redirected(ProcessContext? Io, string? Error);

    async Task<Redirected> RedirectAsync(IReadOnlyList<Redirect> redirects, ProcessContext io)
    {
        foreach (var r in redirects)
        {
            var target = await ExpandWordAsync(r.Target, io);
            if (r.Op is ">&" or "<&")
            {
                Stream? source = target switch { "1" => io.Stdout, "2" => io.Stderr, "0" => io.Stdin, _ => null };
                if (source is null) return new(null, $"{target}: bad file descriptor");
                io = r.Fd switch { 1 => io.With(stdout: source), 2 => io.With(stderr: source), _ => io.With(stdin: source) };
                continue;
            }
            var path = ContainerFileSystem.Normalize(target, cwd);
            if (r.Op == "<")
            {
                if (process.Container.Files.Find(path) is not FsEntry.File f) return new(null, $"can't open '{target}': No such file or directory");
                io = io.With(stdin: new MemoryStream(f.Content.Read()));
                continue;
            }
            // The container's files are read-only; only /dev/null takes writes.
            if (path != "/dev/null") return new(null, $"can't create {target}: Read-only file system");
            io = r.Fd == 2 ? io.With(stderr: Stream.Null) : io.With(stdout: Stream.Null);
        }
        return new(io, null);
    }

    async Task<int?> TryBuiltinAsync(List<string> argv, ProcessContext io)
    {
        switch (argv[0])
        {
            case "exit":
                throw new ExitException(argv.Count > 1 && int.TryParse(argv[1], out var code) ? code & 0xff : status);
            case "cd":
                var dir = ContainerFileSystem.Normalize(argv.Count > 1 ? argv[1] : vars.GetValueOrDefault("HOME", "/"), cwd);
                if (process.Container.Files.Find(dir) is not FsEntry.Directory)
                {
                    await io.ErrAsync($"sh: cd: can't cd to {(argv.Count > 1 ? argv[1] : dir)}: No such file or directory\n");
                    return 2;
                }
                cwd = dir;
                vars["PWD"] = dir;
                return 0;
            case "export":
                foreach (var a in argv.Skip(1))
                {
                    var eq = a.IndexOf('=');
                    if (eq > 0) vars[a[..eq]] = a[(eq + 1)..];
                }
                return 0;
            case "unset":
                foreach (var a in argv.Skip(1)) vars.Remove(a);
                return 0;
            case ":":
                return 0;
            case "set" when argv.Count > 1 && argv[1] == "--":
                positional = [.. argv.Skip(2)];
                return 0;
            case "set":
                // set -e/-x and friends change nothing this shell reports.
                return 0;
            case "shift":
                var n = argv.Count > 1 && int.TryParse(argv[1], out var k) ? k : 1;
                positional = [.. positional.Skip(n)];
                return 0;
            case "pwd":
                await io.OutAsync(cwd + "\n");
                return 0;
        }
        return null;
    }

    // ------------------------------------------------------------------ expansion

    async Task<List<string>> ExpandAsync(IEnumerable<Word> words, ProcessContext io)
    {
        var result = new List<string>();
        foreach (var w in words)
        {
            foreach (var field in await ExpandFieldsAsync(w, io, split: true))
                result.AddRange(Glob(field.Text, field.Globbable));
        }
        return result;
    }

    sealed record Field(string Text, bool Globbable);

    /// <summary>A word expanded without field splitting (assignments, redirection targets).</summary>
    async Task<string> ExpandWordAsync(Word word, ProcessContext io) =>
        string.Concat((await ExpandFieldsAsync(word, io, split: false)).Select(f => f.Text));

    /// <summary>The fields of one word: unquoted expansions split on blanks; quoted text stays one field.</summary>
    async Task<List<Field>> ExpandFieldsAsync(Word word, ProcessContext io, bool split)
    {
        var fields = new List<Field>();
        var current = new StringBuilder();
        var started = false;
        var glob = false;
        void Finish()
        {
            if (started) fields.Add(new Field(current.ToString(), glob));
            current.Clear();
            started = false;
            glob = false;
        }
        foreach (var part in word.Parts)
        {
            string value;
            switch (part)
            {
                case WordPart.Literal l:
                    current.Append(l.Text);
                    started = true;
                    if (!l.Quoted && l.Text.IndexOfAny(['*', '?']) >= 0) glob = true;
                    continue;
                case WordPart.Parameter { Name: "@", Quoted: true }:
                    for (var i = 0; i < positional.Count; i++)
                    {
                        if (i > 0) Finish();
                        current.Append(positional[i]);
                        started = true;
                    }
                    continue;
                case WordPart.Parameter p:
                    value = Parameter(p.Name);
                    if (value.Length == 0 && p.Default is { } d) value = string.Concat((await ExpandFieldsAsync(d, io, split: false)).Select(f => f.Text));
                    break;
                case WordPart.Substitution s:
                    value = await SubstituteAsync(s.Script, io);
                    break;
                default: continue;
            }
            if (part.Quoted || !split)
            {
                current.Append(value);
                started = true;
                continue;
            }
            // Field splitting on IFS whitespace.
            var pieces = value.Split([' ', '\t', '\n'], StringSplitOptions.None);
            for (var i = 0; i < pieces.Length; i++)
            {
                if (i > 0 && started) Finish();
                if (pieces[i].Length == 0) continue;
                current.Append(pieces[i]);
                started = true;
            }
        }
        Finish();
        if (!split) return fields.Count == 0 ? [new Field("", false)] : [new Field(string.Concat(fields.Select(f => f.Text)), false)];
        return fields;
    }

    string Parameter(string name) => name switch
    {
        "?" => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "#" => positional.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "@" or "*" => string.Join(' ', positional),
        "$" => "1",
        "!" => "",
        "0" => scriptName,
        [var d] when char.IsAsciiDigit(d) => d - '0' <= positional.Count ? positional[d - '1'] : "",
        _ => vars.GetValueOrDefault(name, ""),
    };

    /// <summary><c>$(…)</c>: the output of the script, run in a copy of this shell, without trailing newlines.</summary>
    async Task<string> SubstituteAsync(string script, ProcessContext io)
    {
        var output = new MemoryStream();
        var sub = new ShellInterpreter(io.With(stdout: output, env: new Dictionary<string, string>(vars), cwd: cwd), scriptName, positional);
        status = await sub.RunAsync(script);
        return Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n');
    }

    /// <summary>Pathname expansion of the last segment; a pattern that matches nothing stays as written (sh).</summary>
    IEnumerable<string> Glob(string pattern, bool globbable)
    {
        if (!globbable) return [pattern];
        var slash = pattern.LastIndexOf('/');
        var dir = slash < 0 ? "" : pattern[..(slash + 1)];
        var namePattern = pattern[(slash + 1)..];
        if (dir.IndexOfAny(['*', '?']) >= 0) return [pattern];
        var entry = process.Container.Files.Find(ContainerFileSystem.Normalize(dir.Length == 0 ? "." : dir, cwd));
        if (entry is not FsEntry.Directory d) return [pattern];
        var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(namePattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$");
        var matches = d.Names.Where(n => !n.StartsWith('.') && regex.IsMatch(n)).Select(n => dir + n).ToList();
        return matches.Count > 0 ? matches : [pattern];
    }
}
