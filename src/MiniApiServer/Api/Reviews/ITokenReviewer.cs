using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Api.Reviews;

/// <summary>What the TokenReview API needs from authentication: the server's API audiences, and a token reviewed for some audiences.</summary>
public interface ITokenReviewer
{
    /// <summary>The server's <c>--api-audiences</c>: what a review without <c>spec.audiences</c> asks for.</summary>
    IReadOnlyList<string> ApiAudiences { get; }

    /// <summary>
    /// The token as kube-apiserver's full request authenticator sees it on a fake request carrying only
    /// <c>Authorization: Bearer &lt;token&gt;</c>, audience-limited to <paramref name="audiences"/> (empty: not limited).
    /// </summary>
    ValueTask<AuthenticationResult> ReviewAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="ITokenReviewer"/> over the server's token union (the same cached union the request road's bearer
/// authenticator uses). kube-apiserver's TokenReview runs the whole request authenticator on a fake request
/// with nothing but the Authorization header; of that chain only these parts can answer such a request,
/// and they are reproduced here: the bearer-token reader (<c>request/bearertoken</c>), the token union, the
/// audience-agnostic wrapping of tokens that carry no audiences (<c>WrapAudienceAgnosticToken</c>), the
/// <c>system:authenticated</c> group adder, and anonymous when nothing claimed the request.
/// </summary>
public sealed class TokenUnionReviewer(ITokenAuthenticator tokens, IReadOnlyList<string> apiAudiences, bool anonymousEnabled) : ITokenReviewer
{
    /// <summary>kube's bearertoken <c>invalidToken</c>: a token no authenticator accepted and none errored on.</summary>
    public const string InvalidBearerToken = "invalid bearer token";

    public IReadOnlyList<string> ApiAudiences => apiAudiences;

    public async ValueTask<AuthenticationResult> ReviewAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        if (BearerToken("Bearer " + token) is not { } bearer) return NothingClaimed();

        AuthenticationResult result;
        using (TokenAudiences.Use(audiences))
            result = await tokens.AuthenticateTokenAsync(bearer, cancellationToken);

        if (result.Succeeded && result.Audiences is null && audiences.Count > 0)
        {
            // An authenticator that does not know audiences (token file, bootstrap tokens) is good for the
            // server's API audiences only; kube wraps it so, and reports those audiences as the token's.
            var implied = TokenAudiences.Intersect(apiAudiences, audiences);
            result = implied.Count == 0 ? AuthenticationResult.NotMine(result.Authenticator) : result with { Audiences = implied };
        }
        if (result.Succeeded) return result with { User = AuthenticationChain.AddAuthenticatedGroup(result.User!) };
        return AuthenticationResult.Failure(result.Authenticator, result.Error ?? InvalidBearerToken);
    }

    /// <summary>
    /// kube's bearer-token reader on <c>Authorization: Bearer &lt;token&gt;</c>: the header is trimmed and split on
    /// spaces into at most three parts; the second is the token. An empty one (a token starting with a space)
    /// is "no credential", not an error.
    /// </summary>
    static string? BearerToken(string header)
    {
        var parts = header.Trim().Split(' ', 3);
        return parts.Length < 2 || parts[1].Length == 0 ? null : parts[1];
    }

    /// <summary>No authenticator claimed the fake request: anonymous when enabled, else not authenticated (without an error).</summary>
    AuthenticationResult NothingClaimed() => anonymousEnabled
        ? AuthenticationResult.Success("anonymous", AuthenticationChain.AnonymousUser)
        : AuthenticationResult.NotMine("bearer");
}
