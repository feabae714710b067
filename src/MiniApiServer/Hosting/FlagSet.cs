using System.Globalization;

namespace MiniApiServer.Hosting;

/// <summary>A bad flag or configuration value: the program prints the message as one line and exits 2.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

public enum FlagKind { String, Bool, Int, StringList, Duration }

public sealed record FlagDefinition(string Name, FlagKind Kind, string Default, string Help);

/// <summary>
/// kube-apiserver-style flags (pflag): <c>--flag=value</c> and <c>--flag value</c>; a boolean is
/// <c>--flag</c> or <c>--flag=false</c>; a list flag may repeat and may hold a comma list. The set is
/// declarative, so <c>--help</c> prints every flag with its default from the same table.
/// </summary>
public sealed class FlagSet(IEnumerable<FlagDefinition> definitions)
{
    readonly Dictionary<string, FlagDefinition> defs = definitions.ToDictionary(d => d.Name);
    readonly Dictionary<string, List<string>> values = [];

    /// <summary>Settings the ASP.NET Core host passes as arguments to the entry point; they are not server flags.</summary>
    static readonly HashSet<string> HostSettings = ["applicationName", "environment", "contentRoot"];

    public IEnumerable<FlagDefinition> Definitions => defs.Values.OrderBy(d => d.Name, StringComparer.Ordinal);

    /// <summary>Parses the arguments; throws <see cref="ConfigurationException"/> naming the bad flag.</summary>
    public FlagSet Parse(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new ConfigurationException($"unexpected argument \"{arg}\": flags are written --name=value");
            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            if (HostSettings.Contains(name)) continue; // set by the ASP.NET host (e.g. WebApplicationFactory), not by users
            if (!defs.TryGetValue(name, out var def))
                throw new ConfigurationException($"unknown flag: --{name} (see --help)");
            string value;
            if (eq >= 0) value = arg[(eq + 1)..];
            else if (def.Kind == FlagKind.Bool) value = "true";
            else if (i + 1 < args.Count) value = args[++i];
            else throw new ConfigurationException($"flag needs an argument: --{name}");
            Validate(def, value);
            if (!values.TryGetValue(name, out var list)) values[name] = list = [];
            if (def.Kind != FlagKind.StringList) list.Clear();
            list.Add(value);
        }
        return this;
    }

    static void Validate(FlagDefinition def, string value)
    {
        var ok = def.Kind switch
        {
            FlagKind.Bool => value is "true" or "false" or "1" or "0" or "True" or "False" or "TRUE" or "FALSE" or "t" or "f" or "T" or "F",
            FlagKind.Int => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            FlagKind.Duration => value.Length == 0 || GoDuration.TryParse(value, out _),
            _ => true,
        };
        if (!ok) throw new ConfigurationException($"invalid argument \"{value}\" for \"--{def.Name}\" flag: expected {def.Kind.ToString().ToLowerInvariant()}");
    }

    /// <summary>True when the flag was given on the command line (even with an empty value).</summary>
    public bool IsSet(string name) => values.ContainsKey(Def(name).Name);

    public string GetString(string name) => values.TryGetValue(Def(name).Name, out var v) ? v[^1] : defs[name].Default;

    public bool GetBool(string name) => GetString(name) is "true" or "1" or "True" or "TRUE" or "t" or "T";

    public int GetInt(string name) => int.Parse(GetString(name), CultureInfo.InvariantCulture);

    public TimeSpan GetDuration(string name) => GoDuration.TryParse(GetString(name), out var d) ? d : TimeSpan.Zero;

    /// <summary>Every value of a list flag, repeated or comma separated; empty entries dropped.</summary>
    public IReadOnlyList<string> GetList(string name)
    {
        var raw = values.TryGetValue(Def(name).Name, out var v) ? v : [defs[name].Default];
        return raw.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
    }

    FlagDefinition Def(string name) => defs.TryGetValue(name, out var d) ? d : throw new ArgumentException($"no flag {name} is defined", nameof(name));

    public string Usage()
    {
        var lines = Definitions.Select(d =>
        {
            var head = d.Kind switch { FlagKind.Bool => $"--{d.Name}", FlagKind.StringList => $"--{d.Name} strings", _ => $"--{d.Name} {d.Kind.ToString().ToLowerInvariant()}" };
            var dflt = d.Default.Length == 0 ? "" : $" (default {d.Default})";
            return $"      {head,-46} {d.Help}{dflt}";
        });
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Go's time.ParseDuration for the forms flags use: "10s", "1h30m", "500ms", "2m0s".</summary>
public static class GoDuration
{
    public static bool TryParse(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (s == "0") return true;
        if (s.Length == 0) return false;
        var i = 0;
        double totalMs = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
            var ustart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            double unitMs = s[ustart..i] switch
            {
                "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000,
                _ => double.NaN,
            };
            if (double.IsNaN(unitMs)) return false;
            totalMs += n * unitMs;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
