using System.Globalization;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary>ls, as GNU ls prints when its output is not a terminal: one name per line; -l for the long form; -a adds . and ..</summary>
public static class FilePrograms
{
    public static async Task<int> Ls(ProcessContext p)
    {
        var flags = string.Concat(p.Args.Where(a => a.StartsWith('-') && a.Length > 1).Select(a => a[1..]));
        var paths = p.Args.Where(a => !a.StartsWith('-') || a == "-").ToList();
        var longForm = flags.Contains('l');
        var all = flags.Contains('a');
        if (paths.Count == 0) paths.Add(".");
        var status = 0;
        var files = new List<(string Name, FsEntry Entry)>();
        var dirs = new List<(string Name, FsEntry.Directory Entry, string Abs)>();
        foreach (var path in paths)
        {
            var abs = p.Resolve(path);
            switch (p.Container.Files.Find(abs))
            {
                case FsEntry.Directory d: dirs.Add((path, d, abs)); break;
                case FsEntry.File f: files.Add((path, f)); break;
                default:
                    await p.ErrAsync($"ls: cannot access '{path}': No such file or directory\n");
                    status = 2;
                    break;
            }
        }
        foreach (var (name, entry) in files) await p.OutAsync(Line(p, name, entry, longForm));
        var headers = paths.Count > 1;
        for (var i = 0; i < dirs.Count; i++)
        {
            var (name, dir, abs) = dirs[i];
            if (headers) await p.OutAsync((i > 0 || files.Count > 0 ? "\n" : "") + name + ":\n");
            var entries = dir.Names.Select(n => (n, p.Container.Files.Find(abs.TrimEnd('/') + "/" + n))).ToList();
            if (longForm) await p.OutAsync($"total {entries.Sum(e => e.Item2 is FsEntry.File f ? (f.Content.Read().Length + 1023) / 1024 * 4 : 0)}\n");
            if (all)
            {
                await p.OutAsync(Line(p, ".", dir, longForm));
                await p.OutAsync(Line(p, "..", dir, longForm));
            }
            foreach (var (n, e) in entries)
                if (e is not null) await p.OutAsync(Line(p, n, e, longForm));
        }
        return status;
    }

    static string Line(ProcessContext p, string name, FsEntry entry, bool longForm)
    {
        if (!longForm) return name + "\n";
        var (mode, size) = entry switch
        {
            FsEntry.File f => ("-" + Permissions(f.Content.Mode), f.Content.Read().Length),
            _ => ("drwxr-xr-x", 4096),
        };
        var when = p.Time.GetUtcNow().UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{mode} 1 root root {size,5} {when:MMM} {when.Day,2} {when:HH:mm} {name}\n");
    }

    /// <summary>rwx triplets of a permission mode (0644 → rw-r--r--).</summary>
    public static string Permissions(int mode)
    {
        var chars = new char[9];
        for (var i = 0; i < 9; i++) chars[i] = (mode & (1 << (8 - i))) != 0 ? "rwx"[i % 3] : '-';
        return new string(chars);
    }
}
