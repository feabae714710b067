using Microsoft.Extensions.Logging;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// k8s.io/apiserver's <c>WebhookTokenAuthenticator.AuthenticateToken</c>, without its cache: the token (and the
/// wanted audiences, when the call is audience-limited) go to the webhook in a TokenReview, retried with
/// back-off; the answer becomes a user, "not mine", or an error.
/// </summary>
public sealed class UncachedWebhookAuthenticator(
    TokenReviewClient client,
    WebhookRetryBackoff backoff,
    IReadOnlyList<string> implicitAudiences,
    TimeProvider time,
    ILogger logger,
    Func<double>? random = null)
{
    public const string AuthenticatorName = "webhook";

    readonly Func<double> random = random ?? Random.Shared.NextDouble;

    /// <summary>The server's API audiences: what a token is taken to be for when the webhook names no audiences.</summary>
    public IReadOnlyList<string> ImplicitAudiences => implicitAudiences;

    public async Task<AuthenticationResult> AuthenticateAsync(string token, IReadOnlyList<string>? wantAudiences, CancellationToken ct)
    {
        var checkAudiences = wantAudiences is { Count: > 0 };
        TokenReviewStatus status;
        try
        {
            status = await backoff.RunAsync(c => client.CreateAsync(token, checkAudiences ? wantAudiences : null, c), time, random, ct);
        }
        catch (WebhookCallException e)
        {
            // kube: "An error here indicates bad configuration or an outage."
            logger.LogError("Failed to make webhook authenticator request: {Error}", e.Message);
            return AuthenticationResult.Failure(AuthenticatorName, e.Message);
        }

        IReadOnlyList<string>? audiences = null;
        if (checkAudiences)
        {
            // The audiences the webhook says the token is for, or the server's own when it says none; kube checks
            // this before looking at status.authenticated, so a mismatch is "not authenticated" without an error.
            var offered = status.Audiences.Count > 0 ? status.Audiences : implicitAudiences;
            audiences = TokenAudiences.Intersect(wantAudiences!, offered);
            if (audiences.Count == 0) return AuthenticationResult.NotMine(AuthenticatorName);
        }

        if (!status.Authenticated)
            return status.Error.Length > 0
                ? AuthenticationResult.Failure(AuthenticatorName, status.Error)
                : AuthenticationResult.NotMine(AuthenticatorName);
        return AuthenticationResult.Success(AuthenticatorName, status.User, audiences);
    }
}
