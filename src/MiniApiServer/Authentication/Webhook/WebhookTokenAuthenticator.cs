using System.Collections.Concurrent;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// The webhook token authenticator kube-apiserver puts in its token union: the webhook call wrapped in
/// <c>tokencache.New(webhook, cacheErrs: false, ttl, ttl)</c>. Authenticated and unauthenticated answers are
/// cached for <c>--authentication-token-webhook-cache-ttl</c>; errors (an outage, or a review that came back
/// with <c>status.error</c>) are never cached. Concurrent lookups of one key share a single webhook call.
/// The wanted audiences are the current <see cref="TokenAudiences"/> scope's, else the server's API
/// audiences, as kube-apiserver's authentication filter puts them on every request.
/// </summary>
public sealed class WebhookTokenAuthenticator(UncachedWebhookAuthenticator webhook, TimeSpan cacheTtl, TokenResultCache cache) : ITokenAuthenticator
{
    readonly ConcurrentDictionary<string, Lazy<Task<AuthenticationResult>>> inFlight = new(StringComparer.Ordinal);

    public string Name => UncachedWebhookAuthenticator.AuthenticatorName;

    public TimeSpan CacheTtl => cacheTtl;

    public ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        AuthenticateTokenAsync(token, TokenAudiences.Current ?? (webhook.ImplicitAudiences.Count > 0 ? webhook.ImplicitAudiences : null), cancellationToken);

    /// <summary>Authenticates <paramref name="token"/> for <paramref name="audiences"/> (null or empty: not audience-limited).</summary>
    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        var key = cache.Key(audiences, token);
        if (cache.TryGet(key, out var cached)) return cached;

        var call = inFlight.GetOrAdd(key, k => new Lazy<Task<AuthenticationResult>>(() => CallAndCacheAsync(k, token, audiences)));
        return await call.Value.WaitAsync(cancellationToken);
    }

    /// <summary>One shared webhook call: not cancelled by any one waiter (each call is bounded by its own timeout and the retry steps).</summary>
    async Task<AuthenticationResult> CallAndCacheAsync(string key, string token, IReadOnlyList<string>? audiences)
    {
        try
        {
            var result = await webhook.AuthenticateAsync(token, audiences, CancellationToken.None);
            if (result.Error is null) cache.Set(key, result, cacheTtl);
            return result;
        }
        finally
        {
            inFlight.TryRemove(key, out _);
        }
    }
}
