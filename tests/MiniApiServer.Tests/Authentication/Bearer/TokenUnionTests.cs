using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

public sealed class TokenUnionTests
{
    private static PlainTokens Member(string name, Func<string, AuthenticationResult> answer) => new(name, answer);
    private static AuthenticationResult Ok(string name) => AuthenticationResult.Success(name, FakeTokens.User(name));

    public static TheoryData<string, string[], string?, string?> Cases => new()
    {
        // why, member answers in order ("ok", "no", "err:<msg>"), winner, error
        { "first success wins", ["ok", "ok"], "m0", null },
        { "not mine then success", ["no", "ok"], "m1", null },
        { "error does not stop the union", ["err:expired", "ok"], "m1", null },
        { "nobody: not mine", ["no", "no"], null, null },
        { "no members: not mine", [], null, null },
        { "one error", ["no", "err:expired"], null, "expired" },
        { "errors aggregated in order", ["err:a", "no", "err:b"], null, "[a, b]" },
        { "duplicate errors printed once", ["err:a", "err:a"], null, "a" },
        { "duplicates among several", ["err:a", "err:b", "err:a"], null, "[a, b]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FirstSuccessWinsAndErrorsAreCollected(string why, string[] answers, string? winner, string? error)
    {
        var members = answers.Select((a, i) => Member($"m{i}", _ => a switch
        {
            "ok" => Ok($"m{i}"),
            "no" => AuthenticationResult.NotMine($"m{i}"),
            _ => AuthenticationResult.Failure($"m{i}", a[4..]),
        })).ToList();

        var result = await new TokenUnion(members).AuthenticateTokenAsync("t", default);

        Assert.True((winner, error) == (result.User?.Name, result.Error), $"{why}: got {result}");
        if (winner is not null)
        {
            var index = int.Parse(winner[1..]);
            Assert.Equal(winner, result.Authenticator);
            Assert.All(members.Skip(index + 1), m => Assert.Equal(0, m.Calls)); // later members are not asked
        }
    }

    [Fact]
    public async Task WinnersExpiryIsPassedOn()
    {
        var until = DateTimeOffset.Parse("2030-01-01T00:00:00Z");
        var union = new TokenUnion([Member("file", _ => AuthenticationResult.NotMine("file")), new FakeTokens("jwt").With("t", "alice", until)]);

        var answer = await union.AuthenticateExpiringTokenAsync("t", default);

        Assert.Equal(("alice", "jwt", until), (answer.Result.User?.Name, answer.Result.Authenticator, answer.ValidUntil));
    }
}
