using System.Text.Json;
using System.Text.RegularExpressions;
using MiniApiServer.Hosting;

namespace MiniApiServer.Demo;

/// <summary>
/// Finding <c>fixtures/</c> and rendering the fixture files that must name a demo provider's address.
/// <para>
/// <c>fixtures/authentication-config.yaml</c> is a template: a provider's URL depends on <c>--secure-port</c>
/// and its CA on <c>--cert-dir</c>, so the file holds placeholders, written as quoted YAML strings
/// (<c>"${DEMO_OIDC_ISSUER_URL}"</c>, <c>"${CLUSTER_CA_PEM}"</c>). At start the demo providers write the
/// rendered copy to <c>&lt;data-dir&gt;/demo/authentication-config.yaml</c>, and that ordinary, complete
/// AuthenticationConfiguration is what the server's <c>--authentication-config</c> default points at. The
/// server's parser never sees a placeholder, and a user can copy the rendered file to a real cluster.
/// </para>
/// </summary>
public static partial class DemoFixtures
{
    public const string AuthenticationConfigFileName = "authentication-config.yaml";
    public const string TokenFileName = "tokens.csv";

    /// <summary>
    /// The fixtures directory: <paramref name="explicitDirectory"/> when given, else <c>./fixtures</c>, else the
    /// first <c>fixtures/</c> (holding users.yaml) above the program's own folder (a build output inside the repository).
    /// </summary>
    public static string Locate(string? explicitDirectory = null)
    {
        if (explicitDirectory is { Length: > 0 })
            return Directory.Exists(explicitDirectory)
                ? Path.GetFullPath(explicitDirectory)
                : throw new ConfigurationException($"fixtures directory \"{explicitDirectory}\" does not exist");
        var candidates = new List<string> { Path.Combine(Directory.GetCurrentDirectory(), "fixtures") };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "fixtures"));
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, DemoUsers.FileName)))
            ?? throw new ConfigurationException($"no fixtures/ directory with {DemoUsers.FileName} found from {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; run from the repository root, or --demo-providers=false");
    }

    /// <summary>Replaces each <c>"${NAME}"</c> with the JSON-quoted value (a valid YAML double-quoted scalar); an unknown name is an error.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values, string templatePath) =>
        Placeholder().Replace(template, match => values.TryGetValue(match.Groups[1].Value, out var value)
            ? JsonSerializer.Serialize(value)
            : throw new ConfigurationException($"{templatePath}: unknown placeholder ${{{match.Groups[1].Value}}} (known: {string.Join(", ", values.Keys)})"));

    [GeneratedRegex("\"\\$\\{([A-Z0-9_]+)\\}\"")]
    private static partial Regex Placeholder();
}
