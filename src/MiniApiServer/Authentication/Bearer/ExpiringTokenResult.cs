namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// A token authenticator's answer and the last instant it holds (inclusive), when the credential says: a JWT's
/// <c>exp</c> (plus any leeway the authenticator grants), a bootstrap token's expiration. Null: no limit of its
/// own. The token cache never serves an answer past this instant, so an expired token fails at the exact second
/// even though successes are cached for 10 s. <see cref="Warnings"/>: what the authenticators said for the client
/// while producing this answer (<see cref="TokenWarnings"/>), kept so a cached answer repeats them.
/// </summary>
public readonly record struct ExpiringTokenResult(AuthenticationResult Result, DateTimeOffset? ValidUntil = null, IReadOnlyList<string>? Warnings = null);

/// <summary>
/// A token authenticator that can say until when its answer is valid. Implement it (besides
/// <see cref="ITokenAuthenticator"/>) when the credential carries its own expiry.
/// </summary>
public interface IExpiringTokenAuthenticator : ITokenAuthenticator
{
    ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken);
}

public static class TokenAuthenticatorExtensions
{
    /// <summary>The answer with its validity limit: from <see cref="IExpiringTokenAuthenticator"/> when implemented, else unlimited.</summary>
    public static async ValueTask<ExpiringTokenResult> AuthenticateWithExpiryAsync(this ITokenAuthenticator authenticator, string token, CancellationToken cancellationToken) =>
        authenticator is IExpiringTokenAuthenticator expiring
            ? await expiring.AuthenticateExpiringTokenAsync(token, cancellationToken)
            : new ExpiringTokenResult(await authenticator.AuthenticateTokenAsync(token, cancellationToken));
}
