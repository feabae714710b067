using MiniApiServer.Authentication.ServiceAccounts;

namespace MiniApiServer.Runtime.Files;

/// <summary>
/// The kubelet's token manager for one projected <c>serviceAccountToken</c> source: it asks the API server for
/// a bound token (TokenRequest with the pod as bound object) and asks again when the token needs refreshing —
/// once 80% of its requested lifetime has passed, or 24 hours after issue, whichever comes first (kubelet's
/// <c>requiresRefresh</c>; its up-to-10-second jitter is left out). The token is refreshed when read, which is
/// when a container could notice.
/// </summary>
public sealed class ServiceAccountTokenSource(IServiceAccountTokenIssuer issuer, BoundTokenRequest request, TimeProvider time)
{
    static readonly TimeSpan MaxTtl = TimeSpan.FromHours(24);

    readonly Lock gate = new();
    IssuedToken? current;
    DateTimeOffset refreshAt;

    /// <summary>How many tokens were issued so far (the first included).</summary>
    public int Issued { get; private set; }

    public string Token()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (current is null || now >= refreshAt)
            {
                current = issuer.IssueBound(request);
                Issued++;
                var lifetime = request.Lifetime;
                refreshAt = now + (lifetime * 0.8 < MaxTtl ? lifetime * 0.8 : MaxTtl);
            }
            return current.Token;
        }
    }
}
