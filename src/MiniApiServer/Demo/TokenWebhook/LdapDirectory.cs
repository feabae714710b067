using MiniApiServer.Hosting;
using YamlDotNet.Serialization;

namespace MiniApiServer.Demo.TokenWebhook;

/// <summary>A directory entry the webhook answers for: the identity every one of its tokens stands for.</summary>
public sealed record DirectoryUser(string Username, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);

/// <summary>
/// <c>fixtures/ldap.yaml</c>: the user directory behind the token webhook, standing in for the LDAP server a
/// real authentication webhook (e.g. Guard, or a company's own service) would consult. Each user has opaque
/// tokens, a UID, groups and optional extra attributes.
/// </summary>
public sealed class LdapDirectory
{
    public const string FileName = "ldap.yaml";

    private readonly Dictionary<string, DirectoryUser> _byToken;

    public LdapDirectory(IReadOnlyDictionary<string, DirectoryUser> byToken) => _byToken = new(byToken, StringComparer.Ordinal);

    public IEnumerable<DirectoryUser> Users => _byToken.Values.Distinct();

    /// <summary>The tokens of each user, for writing kubeconfigs.</summary>
    public IEnumerable<(string Token, DirectoryUser User)> Tokens => _byToken.Select(kv => (kv.Key, kv.Value));

    public DirectoryUser? FindByToken(string token) => _byToken.GetValueOrDefault(token);

    public static LdapDirectory Load(string path)
    {
        var file = FixtureYaml.Read<DirectoryFile>(path);
        var byToken = new Dictionary<string, DirectoryUser>(StringComparer.Ordinal);
        foreach (var (u, i) in (file.Users ?? []).Select((u, i) => (u, i)))
        {
            if (u.Username is not { Length: > 0 } name)
                throw new ConfigurationException($"{path}: users[{i}].username is required");
            var extra = (u.Extra ?? []).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal);
            var user = new DirectoryUser(name, u.Uid ?? "", u.Groups ?? [], extra);
            foreach (var token in u.Tokens ?? [])
            {
                if (token.Length == 0 || !byToken.TryAdd(token, user))
                    throw new ConfigurationException($"{path}: users[{i}] ({name}) has an empty token or one that another entry already has");
            }
        }
        return new LdapDirectory(byToken);
    }

    private sealed class DirectoryFile
    {
        [YamlMember(Alias = "users")] public List<EntryModel>? Users { get; set; }
    }

    private sealed class EntryModel
    {
        [YamlMember(Alias = "username")] public string? Username { get; set; }
        [YamlMember(Alias = "uid")] public string? Uid { get; set; }
        [YamlMember(Alias = "groups")] public List<string>? Groups { get; set; }
        [YamlMember(Alias = "extra")] public Dictionary<string, List<string>>? Extra { get; set; }
        [YamlMember(Alias = "tokens")] public List<string>? Tokens { get; set; }
    }
}
