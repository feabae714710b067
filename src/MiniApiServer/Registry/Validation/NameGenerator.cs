using System.Text;

namespace MiniApiServer.Registry.Validation;

/// <summary>
/// Turns <c>metadata.generateName</c> into a name, as apiserver's <c>names.SimpleNameGenerator</c>:
/// the prefix cut to 58 characters, then 5 random characters from apimachinery's <c>util/rand</c>
/// alphabet, which has no vowels (no accidental words) and no easily confused characters (0/o, 1/l, 3/e).
/// The randomness source is injected so tests can fix it.
/// </summary>
public sealed class NameGenerator(Random random)
{
    /// <summary>apimachinery <c>util/rand</c> alphanums.</summary>
    public const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    public const int RandomLength = 5;
    /// <summary>63 (the longest DNS label) minus the random suffix: the prefix is cut to this length.</summary>
    public const int MaxGeneratedNameLength = 63 - RandomLength;

    /// <summary>A generator over the shared thread-safe random source.</summary>
    public static NameGenerator Shared { get; } = new(Random.Shared);

    public string Generate(string generateName)
    {
        var prefix = generateName.Length > MaxGeneratedNameLength ? generateName[..MaxGeneratedNameLength] : generateName;
        var sb = new StringBuilder(prefix, prefix.Length + RandomLength);
        for (var i = 0; i < RandomLength; i++) sb.Append(Alphabet[random.Next(Alphabet.Length)]);
        return sb.ToString();
    }
}
