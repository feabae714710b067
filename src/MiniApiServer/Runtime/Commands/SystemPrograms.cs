using System.Globalization;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands;

/// <summary>env, printenv, pwd, hostname, id, whoami, date and sleep. Containers run as root unless told otherwise.</summary>
public static class SystemPrograms
{
    public static async Task<int> Env(ProcessContext p)
    {
        foreach (var (k, v) in p.Env) await p.OutAsync($"{k}={v}\n");
        return 0;
    }

    public static async Task<int> Printenv(ProcessContext p)
    {
        if (p.Args.Count == 0) return await Env(p);
        var missing = false;
        foreach (var name in p.Args)
        {
            if (p.Env.TryGetValue(name, out var v)) await p.OutAsync(v + "\n");
            else missing = true;
        }
        return missing ? 1 : 0;
    }

    public static async Task<int> Pwd(ProcessContext p)
    {
        await p.OutAsync(p.Cwd + "\n");
        return 0;
    }

    public static async Task<int> Hostname(ProcessContext p)
    {
        await p.OutAsync(p.Container.Hostname + "\n");
        return 0;
    }

    public static async Task<int> Id(ProcessContext p)
    {
        await p.OutAsync("uid=0(root) gid=0(root) groups=0(root)\n");
        return 0;
    }

    public static async Task<int> Whoami(ProcessContext p)
    {
        await p.OutAsync("root\n");
        return 0;
    }

    /// <summary>date: the container's clock in coreutils' default format (UTC, the container's zone).</summary>
    public static async Task<int> Date(ProcessContext p)
    {
        var now = p.Time.GetUtcNow().UtcDateTime;
        await p.OutAsync(string.Create(CultureInfo.InvariantCulture, $"{now:ddd MMM} {now.Day,2} {now:HH:mm:ss} UTC {now:yyyy}\n"));
        return 0;
    }

    /// <summary>sleep NUMBER[SUFFIX]… (s, m, h, d; fractions allowed) or "infinity", on the container's clock.</summary>
    public static async Task<int> Sleep(ProcessContext p)
    {
        if (p.Args.Count == 0)
        {
            await p.ErrAsync("sleep: missing operand\n");
            return 1;
        }
        var total = TimeSpan.Zero;
        foreach (var a in p.Args)
        {
            if (a is "infinity" or "inf")
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, p.Time, p.Cancel);
                return 0;
            }
            var unit = a[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
            var number = unit == 0 ? a : a[..^1];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            {
                await p.ErrAsync($"sleep: invalid time interval '{a}'\n");
                return 1;
            }
            total += TimeSpan.FromSeconds(n * (unit == 0 ? 1 : unit));
        }
        await Task.Delay(total, p.Time, p.Cancel);
        return 0;
    }
}
