using System.Collections.Concurrent;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;

namespace MiniApiServer.Tests.Authentication.Bearer;

/// <summary>
/// A token authenticator for tests: known tokens are users (optionally valid until a given instant), tokens
/// starting "bad:" are errors, anything else is "not mine". It counts calls, records the audiences it saw, and can
/// hold every call until <see cref="Release"/> so concurrent callers overlap for certain.
/// </summary>
internal sealed class FakeTokens(string name = "fake") : IExpiringTokenAuthenticator
{
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTimeOffset? ValidUntil)> _users = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>?> _audiences = new();
    private TaskCompletionSource? _gate;
    private int _calls;

    public string Name => name;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<IReadOnlyList<string>?> AudiencesSeen => [.. _audiences];

    public Func<string, Exception>? Throw { get; set; }

    public FakeTokens With(string token, string user, DateTimeOffset? validUntil = null)
    {
        _users[token] = (User(user), validUntil);
        return this;
    }

    public static UserInfo User(string name) => new(name, "uid-" + name, ["group-" + name], UserInfo.NoExtra);

    /// <summary>From now on calls wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateExpiringTokenAsync(token, cancellationToken)).Result;

    public async ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _audiences.Enqueue(TokenAudiences.Current);
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        if (Throw is { } thrower)
        {
            throw thrower(token);
        }
        if (token.StartsWith("bad:", StringComparison.Ordinal))
        {
            return new ExpiringTokenResult(AuthenticationResult.Failure(name, token[4..]));
        }
        return _users.TryGetValue(token, out var known)
            ? new ExpiringTokenResult(AuthenticationResult.Success(name, known.User), known.ValidUntil)
            : new ExpiringTokenResult(AuthenticationResult.NotMine(name));
    }
}

/// <summary>A plain <see cref="ITokenAuthenticator"/> (no expiry), answering from a function.</summary>
internal sealed class PlainTokens(string name, Func<string, AuthenticationResult> answer) : ITokenAuthenticator
{
    public int Calls;

    public string Name => name;

    public ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return ValueTask.FromResult(answer(token));
    }
}
