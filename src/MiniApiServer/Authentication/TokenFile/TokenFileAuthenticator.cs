using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.TokenFile;

/// <summary>
/// kube-apiserver's <c>--token-auth-file</c> (k8s.io/apiserver token/tokenfile): a CSV file read once at start,
/// one record per token: <c>token,user name,uid[,groups]</c>. The token must match exactly; the groups field is
/// split on every comma and nothing is trimmed; columns after the fourth are ignored. A changed file needs a restart.
/// </summary>
public sealed class TokenFileAuthenticator : ITokenAuthenticator
{
    public const string AuthenticatorName = "token-file";

    private readonly Dictionary<string, UserInfo> _users;

    private TokenFileAuthenticator(Dictionary<string, UserInfo> users) => _users = users;

    public string Name => AuthenticatorName;

    /// <summary>How many tokens the file defines (after skipped and overridden records).</summary>
    public int Count => _users.Count;

    /// <summary>The user names the file defines (for the start-up check of names that collide across mechanisms).</summary>
    public IEnumerable<string> UserNames => _users.Values.Select(u => u.Name).Distinct();

    /// <summary>Every token and its user, in the order the file first names each token (for ready-made kubeconfigs).</summary>
    public IEnumerable<(string Token, UserInfo User)> Entries => _users.Select(kv => (kv.Key, kv.Value));

    /// <summary>The first token the file gives <paramref name="userName"/>, or null when the file has none for that user.</summary>
    public (string Token, UserInfo User)? FirstTokenOf(string userName) =>
        Entries.Where(e => e.User.Name == userName).Select(e => ((string, UserInfo)?)e).FirstOrDefault();

    /// <summary>
    /// Reads and parses the token file. A missing or unreadable file, a CSV syntax error or a record of fewer
    /// than three columns stops the start: <see cref="ConfigurationException"/> naming the flag, the file and the line.
    /// </summary>
    public static TokenFileAuthenticator Load(string path, ILogger? logger = null)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"--token-auth-file: cannot read token file '{path}': {e.Message}");
        }
        return Parse(path, content, logger ?? NullLogger.Instance);
    }

    /// <summary>Parses the bytes of a token file; <paramref name="path"/> only names it in messages.</summary>
    public static TokenFileAuthenticator Parse(string path, byte[] content, ILogger logger)
    {
        List<CsvRecord> records;
        try
        {
            records = GoCsvReader.ReadAll(content);
        }
        catch (CsvParseException e)
        {
            throw new ConfigurationException($"--token-auth-file: token file '{path}': {e.Message}");
        }

        var users = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        var recordNumber = 0;
        foreach (var record in records)
        {
            var fields = record.Fields;
            if (fields.Count < 3)
            {
                // kube's own wording; the line number is ours (kube does not say where).
                throw new ConfigurationException(
                    $"--token-auth-file: token file '{path}' must have at least 3 columns (token, user name, user uid), found {fields.Count} (line {record.Line})");
            }
            recordNumber++;
            var token = fields[0];
            if (token.Length == 0)
            {
                logger.LogWarning("empty token has been found in token file '{Path}', record number '{Record}' (line {Line})", path, recordNumber, record.Line);
                continue;
            }
            if (users.ContainsKey(token))
            {
                logger.LogWarning("duplicate token has been found in token file '{Path}', record number '{Record}' (line {Line})", path, recordNumber, record.Line);
            }
            // Go's strings.Split: "" gives one empty group, "a, b" gives "a" and " b"; no 4th column, no groups.
            IReadOnlyList<string> groups = fields.Count >= 4 ? fields[3].Split(',') : [];
            users[token] = new UserInfo(fields[1], fields[2], groups, UserInfo.NoExtra);
        }
        return new TokenFileAuthenticator(users);
    }

    /// <summary>A known token is its user; an unknown one is "not mine" (the bearer layer makes that "invalid bearer token").</summary>
    public ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_users.TryGetValue(token, out var user)
            ? AuthenticationResult.Success(Name, user)
            : AuthenticationResult.NotMine(Name));
}
