using System.Reflection;
using System.Text;
using System.Xml;
using k8s.Models;

namespace MiniApiServer.Schema;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of KubernetesClient.xml, the XML documentation that ships next to the
/// package's dll (the build copies it to the output). They are kube's own Go doc comments, which is what
/// the OpenAPI <c>description</c>s (and so <c>kubectl explain</c>) show. Loaded once, on first use;
/// when the file is absent every description is simply null.
/// </summary>
internal static class ModelDocumentation
{
    const string FileName = "KubernetesClient.xml";
    static readonly Lazy<IReadOnlyDictionary<string, string>> Summaries = new(Load);

    public static bool Available => Summaries.Value.Count > 0;

    public static string? ForType(Type type) =>
        type.FullName is { } name ? Summaries.Value.GetValueOrDefault("T:" + name) : null;

    public static string? ForProperty(PropertyInfo property) =>
        property.DeclaringType?.FullName is { } owner ? Summaries.Value.GetValueOrDefault($"P:{owner}.{property.Name}") : null;

    static IReadOnlyDictionary<string, string> Load()
    {
        var path = CandidatePaths().FirstOrDefault(File.Exists);
        if (path is null) return new Dictionary<string, string>();
        try
        {
            return Read(path);
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
            return new Dictionary<string, string>();
        }
    }

    static IEnumerable<string> CandidatePaths()
    {
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var dll = typeof(V1Pod).Assembly.Location;
        if (!string.IsNullOrEmpty(dll)) yield return Path.ChangeExtension(dll, ".xml");
    }

    static Dictionary<string, string> Read(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(path, new XmlReaderSettings { IgnoreComments = true, DtdProcessing = DtdProcessing.Prohibit });
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name");
            if (name is null || !(name.StartsWith("T:k8s.Models.", StringComparison.Ordinal) || name.StartsWith("P:k8s.Models.", StringComparison.Ordinal)))
                continue;
            using var member = reader.ReadSubtree();
            if (!member.ReadToFollowing("summary")) continue;
            var text = Normalize(member.ReadElementContentAsString());
            if (text.Length > 0) result[name] = text;
        }
        return result;
    }

    /// <summary>
    /// The XML wraps kube's comments at ~80 columns and indents them; kube's OpenAPI joins the lines of a
    /// paragraph with spaces and keeps blank-line paragraph breaks as "\n\n".
    /// </summary>
    internal static string Normalize(string raw)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        foreach (var line in raw.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                if (current.Length > 0) { paragraphs.Add(current.ToString()); current.Clear(); }
                continue;
            }
            if (current.Length > 0) current.Append(' ');
            current.Append(trimmed);
        }
        if (current.Length > 0) paragraphs.Add(current.ToString());
        return string.Join("\n\n", paragraphs);
    }
}
