using System.Text;
using Microsoft.Extensions.Logging;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.TokenFile;
using MiniApiServer.Hosting;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Authentication.TokenFile;

public sealed class TokenFileAuthenticatorTests : IDisposable
{
    private const string Path = "/etc/kubernetes/tokens.csv";
    private readonly TempDirectory _dir = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _dir.Dispose();

    private TokenFileAuthenticator Parse(string content) => TokenFileAuthenticator.Parse(Path, Encoding.UTF8.GetBytes(content), _log);

    /// <summary>The token file answers synchronously (a dictionary look-up).</summary>
    private static UserInfo? UserOf(TokenFileAuthenticator file, string token)
    {
        var answer = file.AuthenticateTokenAsync(token, default);
        Assert.True(answer.IsCompletedSuccessfully);
        var result = answer.Result;
        Assert.Null(result.Error);
        Assert.Equal("token-file", result.Authenticator);
        return result.User;
    }

    public static TheoryData<string, string, string, string, string, string[]> Users => new()
    {
        // why, file, token, name, uid, groups
        { "three columns: no groups", "tok,alice,uid1\n", "tok", "alice", "uid1", [] },
        { "quoted 4th column: several groups", "tok,alice,uid1,\"dev,ops\"\n", "tok", "alice", "uid1", ["dev", "ops"] },
        { "unquoted 5th column is ignored", "tok,alice,uid1,dev,ops\n", "tok", "alice", "uid1", ["dev"] },
        { "groups are not trimmed", "tok,alice,uid1,\"a, b\"\n", "tok", "alice", "uid1", ["a", " b"] },
        { "empty 4th column: one empty group", "tok,alice,uid1,\n", "tok", "alice", "uid1", [""] },
        { "empty uid allowed", "tok,alice,\n", "tok", "alice", "", [] },
        { "whitespace kept in names", "tok, alice, uid1\n", "tok", " alice", " uid1", [] },
        { "leading blank line skipped", "\ntok,alice,uid1\n", "tok", "alice", "uid1", [] },
        { "CRLF normalised", "tok,alice,uid1,g\r\n", "tok", "alice", "uid1", ["g"] },
        { "'#' line is a token", "# a,b,c\n", "# a", "b", "c", [] },
        { "token with a quoted comma", "\"to,k\",alice,uid1\n", "to,k", "alice", "uid1", [] },
        { "duplicate token: the last record wins", "tok,alice,1\ntok,bob,2,g\n", "tok", "bob", "2", ["g"] },
        { "groups with newline inside quotes", "tok,alice,1,\"a\nb\"\n", "tok", "alice", "1", ["a\nb"] },
    };

    [Theory]
    [MemberData(nameof(Users))]
    public void RecordsBecomeUsers(string why, string file, string token, string name, string uid, string[] groups)
    {
        var user = UserOf(Parse(file), token);

        Assert.True(user is not null, why);
        Assert.Equal((name, uid), (user.Name, user.Uid));
        Assert.Equal(groups, user.Groups);
        Assert.Empty(user.Extra);
    }

    public static TheoryData<string, string, string> UnknownTokens => new()
    {
        { "different case", "tok,alice,1\n", "TOK" },
        { "prefix", "tok,alice,1\n", "to" },
        { "BOM is part of the first token", "\uFEFFtok,alice,1\n", "tok" },
        { "empty token record is skipped", ",alice,1\n", "" },
        { "empty file", "", "tok" },
    };

    [Theory]
    [MemberData(nameof(UnknownTokens))]
    public async Task OtherTokensAreNotMine(string why, string file, string token)
    {
        var result = await Parse(file).AuthenticateTokenAsync(token, default);

        Assert.False(result.Succeeded, why);
        Assert.Null(result.Error);
    }

    [Fact]
    public void BomTokenMatchesWithTheBom() => Assert.Equal("alice", UserOf(Parse("\uFEFFtok,alice,1\n"), "\uFEFFtok")?.Name);

    public static TheoryData<string, string, string> StartupErrors => new()
    {
        { "two columns", "tok,alice\n", $"--token-auth-file: token file '{Path}' must have at least 3 columns (token, user name, user uid), found 2 (line 1)" },
        { "a line of spaces", "tok,alice,1\n   \n", $"--token-auth-file: token file '{Path}' must have at least 3 columns (token, user name, user uid), found 1 (line 2)" },
        { "a bare comment", "\n#comment\n", $"--token-auth-file: token file '{Path}' must have at least 3 columns (token, user name, user uid), found 1 (line 2)" },
        { "bare quote", "tok,al\"ice,1\n", $"--token-auth-file: token file '{Path}': parse error on line 1, column 7: bare \" in non-quoted-field" },
        { "text after closing quote", "tok,\"alice\"x,1\n", $"--token-auth-file: token file '{Path}': parse error on line 1, column 11: extraneous or missing \" in quoted-field" },
        { "unterminated quote", "tok,alice,1\ntok2,\"bob,2\n", $"--token-auth-file: token file '{Path}': parse error on line 2, column 13: extraneous or missing \" in quoted-field" },
    };

    [Theory]
    [MemberData(nameof(StartupErrors))]
    public void MalformedFilesStopTheStart(string why, string file, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(file));

        Assert.True(message == error.Message, $"{why}: got {error.Message}");
    }

    [Fact]
    public void EmptyAndDuplicateTokensAreWarnedAbout()
    {
        var file = Parse("a,u1,1\n,u2,2\na,u3,3\n");

        Assert.Equal(1, file.Count);
        Assert.Equal(
        [
            $"empty token has been found in token file '{Path}', record number '2' (line 2)",
            $"duplicate token has been found in token file '{Path}', record number '3' (line 3)",
        ], _log.Warnings);
    }

    [Fact]
    public void LoadReadsTheFileOnce()
    {
        var path = _dir.File("tokens.csv");
        File.WriteAllText(path, "tok,alice,1,system:masters\n");

        var file = TokenFileAuthenticator.Load(path);
        File.WriteAllText(path, "other,bob,2\n"); // kube never reloads the file

        Assert.Equal("alice", UserOf(file, "tok")?.Name);
        Assert.Null(UserOf(file, "other"));
    }

    [Fact]
    public void LoadOfAMissingFileIsAConfigurationError()
    {
        var error = Assert.Throws<ConfigurationException>(() => TokenFileAuthenticator.Load(_dir.File("missing.csv")));

        Assert.StartsWith("--token-auth-file: cannot read token file '", error.Message);
    }

    public static TheoryData<string, string[], bool, bool> FlagCases => new()
    {
        // why, args, fixture present, expect enabled (file exists)
        { "flag not given, no fixture: off", [], false, false },
        { "flag not given, fixture: the fixture", [], true, true },
        { "explicit empty value switches the fixture off", ["--token-auth-file="], true, false },
        { "flag given: the flag's file", ["--token-auth-file=FILE"], false, true },
    };

    [Theory]
    [MemberData(nameof(FlagCases))]
    public void OptionsFromFlags(string why, string[] args, bool fixture, bool enabled)
    {
        var path = _dir.File("tokens.csv");
        File.WriteAllText(path, "tok,alice,1\n");
        var flags = new FlagSet(TokenFileOptions.Flags).Parse([.. args.Select(a => a.Replace("FILE", path))]);

        var options = TokenFileOptions.FromFlags(flags, fixture ? path : null);

        Assert.True(enabled == options is not null, why);
        if (options is not null)
        {
            Assert.Equal(path, options.Path);
            Assert.Equal(1, options.CreateAuthenticator(LoggerFactory.Create(_ => { })).Count);
        }
    }

    [Fact]
    public void FlagNamingAMissingFileIsAConfigurationError()
    {
        var flags = new FlagSet(TokenFileOptions.Flags).Parse(["--token-auth-file=/nonexistent/tokens.csv"]);

        var error = Assert.Throws<ConfigurationException>(() => TokenFileOptions.FromFlags(flags));

        Assert.Equal("--token-auth-file: token file '/nonexistent/tokens.csv' does not exist", error.Message);
    }

    [Fact]
    public void FlagIsKubeApiserversOwn()
    {
        var flag = Assert.Single(TokenFileOptions.Flags);

        Assert.Equal(("token-auth-file", FlagKind.String, ""), (flag.Name, flag.Kind, flag.Default));
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (_warnings)
                {
                    _warnings.Add(formatter(state, exception));
                }
            }
        }
    }
}
