using System.Security.Cryptography;
using System.Text;
using MiniApiServer.Hosting;
using YamlDotNet.Serialization;

namespace MiniApiServer.Demo;

/// <summary>One person of <c>fixtures/users.yaml</c>: who logs in to the OIDC issuer and to the authenticating proxy.</summary>
public sealed record DemoUser(string Username, string Password, string Uid, string Email, string Name, IReadOnlyList<string> Groups, string? ProxyToken);

/// <summary>
/// The demo identity provider's user database (<c>fixtures/users.yaml</c>). Passwords are plain text on
/// purpose: these are teaching identities, printed in README. Comparisons run in fixed time all the same,
/// as a real provider's must.
/// </summary>
public sealed class DemoUsers
{
    public const string FileName = "users.yaml";

    private readonly Dictionary<string, DemoUser> _byName;
    private readonly Dictionary<string, DemoUser> _byProxyToken;

    public DemoUsers(IEnumerable<DemoUser> users)
    {
        All = users.ToList();
        _byName = All.ToDictionary(u => u.Username, StringComparer.Ordinal);
        _byProxyToken = All.Where(u => u.ProxyToken is { Length: > 0 }).ToDictionary(u => u.ProxyToken!, StringComparer.Ordinal);
    }

    public IReadOnlyList<DemoUser> All { get; }

    /// <summary>The user whose name and password match, or null.</summary>
    public DemoUser? CheckPassword(string username, string password)
    {
        var user = _byName.GetValueOrDefault(username);
        // Compare against something even for an unknown name, so timing does not tell which names exist.
        var expected = user?.Password ?? "\0unknown-user";
        return FixedTimeEquals(expected, password) && user is not null ? user : null;
    }

    /// <summary>The user whose <c>proxyToken</c> this is, or null.</summary>
    public DemoUser? FindByProxyToken(string token) => _byProxyToken.GetValueOrDefault(token);

    public DemoUser? Find(string username) => _byName.GetValueOrDefault(username);

    public static DemoUsers Load(string path)
    {
        var file = FixtureYaml.Read<UsersFile>(path);
        var users = new List<DemoUser>();
        foreach (var (u, i) in (file.Users ?? []).Select((u, i) => (u, i)))
        {
            string Required(string? value, string field) => value is { Length: > 0 }
                ? value
                : throw new ConfigurationException($"{path}: users[{i}].{field} is required");
            var name = Required(u.Username, "username");
            users.Add(new DemoUser(name, Required(u.Password, "password"), u.Uid is { Length: > 0 } uid ? uid : name,
                u.Email ?? "", u.Name ?? name, u.Groups ?? [], u.ProxyToken));
        }
        FixtureYaml.RequireUnique(path, users.Select(u => u.Username), "username");
        FixtureYaml.RequireUnique(path, users.Where(u => u.ProxyToken is { Length: > 0 }).Select(u => u.ProxyToken!), "proxyToken");
        return new DemoUsers(users);
    }

    internal static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(actual)));

    private sealed class UsersFile
    {
        [YamlMember(Alias = "users")] public List<UserModel>? Users { get; set; }
    }

    private sealed class UserModel
    {
        [YamlMember(Alias = "username")] public string? Username { get; set; }
        [YamlMember(Alias = "password")] public string? Password { get; set; }
        [YamlMember(Alias = "uid")] public string? Uid { get; set; }
        [YamlMember(Alias = "email")] public string? Email { get; set; }
        [YamlMember(Alias = "name")] public string? Name { get; set; }
        [YamlMember(Alias = "groups")] public List<string>? Groups { get; set; }
        [YamlMember(Alias = "proxyToken")] public string? ProxyToken { get; set; }
    }
}

/// <summary>Reading the small YAML fixture files: a missing file or a bad document stops the start, naming the file.</summary>
internal static class FixtureYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static T Read<T>(string path) where T : new()
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot be read ({e.Message})");
        }
        try
        {
            return Deserializer.Deserialize<T?>(text) ?? new T();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigurationException($"{path}: {e.Message}");
        }
    }

    public static void RequireUnique(string path, IEnumerable<string> values, string field)
    {
        var duplicate = values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ConfigurationException($"{path}: {field} \"{duplicate.Key}\" appears more than once");
    }
}
