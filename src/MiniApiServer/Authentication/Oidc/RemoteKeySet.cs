using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>
/// An issuer's signing keys, fetched from its <c>jwks_uri</c> (go-oidc v2.2.1 remoteKeySet, the version kube 1.32
/// uses): keys are tried from the cache first; only when none verifies and the cache is stale (no Cache-Control
/// max-age, or less than 30 s of it left) is the JWKS fetched again — so an unknown <c>kid</c> after a key
/// rotation is found. Concurrent fetches are coalesced (go-oidc's inflight request) and, beyond go-oidc, at most
/// one fetch happens per <see cref="MinimumRefreshInterval"/>: anyone can present tokens with made-up kids.
/// </summary>
public sealed class RemoteKeySet
{
    /// <summary>go-oidc keysExpiryDelta: the allowed clock skew against the cache lifetime the provider sent.</summary>
    public static readonly TimeSpan KeysExpiryDelta = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(10);

    readonly HttpClient _http;
    readonly Uri _jwksUri;
    readonly TimeProvider _time;
    readonly Lock _gate = new();
    readonly JsonWebTokenHandler _handler = new();
    IReadOnlyList<JsonWebKey> _keys = [];
    DateTimeOffset _expiry = DateTimeOffset.MinValue;
    DateTimeOffset _lastFetch = DateTimeOffset.MinValue;
    Task<IReadOnlyList<JsonWebKey>>? _inflight;
    long _fetches;

    public RemoteKeySet(HttpClient http, Uri jwksUri, TimeProvider time)
    {
        _http = http;
        _jwksUri = jwksUri;
        _time = time;
    }

    /// <summary>How many times the JWKS was requested: for tests and metrics.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>
    /// Verifies the token's signature with a key whose kid matches (every key when the token names none), using only
    /// <paramref name="algorithms"/>. Returns null when verified, else go-oidc's error text.
    /// </summary>
    public async Task<string?> VerifySignatureAsync(JsonWebToken token, IReadOnlyList<string> algorithms, CancellationToken ct)
    {
        IReadOnlyList<JsonWebKey> keys;
        DateTimeOffset expiry, lastFetch;
        lock (_gate)
        {
            keys = _keys;
            expiry = _expiry;
            lastFetch = _lastFetch;
        }
        if (await VerifiesAsync(token, keys, algorithms)) return null;

        var now = _time.GetUtcNow();
        // go-oidc: "Keys haven't expired, don't refresh."
        if (now + KeysExpiryDelta <= expiry) return "failed to verify id token signature";
        if (now - lastFetch < MinimumRefreshInterval) return "failed to verify id token signature";
        try
        {
            keys = await RefreshAsync(ct);
        }
        catch (KeySetException e)
        {
            return $"fetching keys {e.Message}";
        }
        return await VerifiesAsync(token, keys, algorithms) ? null : "failed to verify id token signature";
    }

    async Task<bool> VerifiesAsync(JsonWebToken token, IReadOnlyList<JsonWebKey> keys, IReadOnlyList<string> algorithms)
    {
        var kid = token.Kid;
        // go-jose: a token without kid is tried against every key; with a kid only against keys carrying it.
        var candidates = keys.Where(k => string.IsNullOrEmpty(kid) || k.Kid == kid).ToList();
        if (candidates.Count == 0) return false;
        var parameters = new TokenValidationParameters
        {
            // Only the signature is checked here; issuer, audience and times follow go-oidc's rules in IdTokenVerifier.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireAudience = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidAlgorithms = algorithms,
            IssuerSigningKeys = candidates,
            TryAllIssuerSigningKeys = true,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid;
    }

    /// <summary>Fetches the JWKS once for every caller waiting at the same time.</summary>
    Task<IReadOnlyList<JsonWebKey>> RefreshAsync(CancellationToken ct)
    {
        Task<IReadOnlyList<JsonWebKey>> task;
        lock (_gate)
        {
            // A finished fetch is not reused: only one still under way is shared.
            if (_inflight is null || _inflight.IsCompleted)
            {
                _lastFetch = _time.GetUtcNow();
                _inflight = FetchAndStoreAsync();
            }
            task = _inflight;
        }
        return task.WaitAsync(ct);
    }

    async Task<IReadOnlyList<JsonWebKey>> FetchAndStoreAsync()
    {
        var (keys, expiry) = await FetchAsync();
        lock (_gate)
        {
            _keys = keys;
            _expiry = expiry;
        }
        return keys;
    }

    async Task<(IReadOnlyList<JsonWebKey>, DateTimeOffset)> FetchAsync()
    {
        Interlocked.Increment(ref _fetches);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.GetAsync(_jwksUri, CancellationToken.None);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new KeySetException($"oidc: get keys failed {e.Message}");
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
                throw new KeySetException($"oidc: get keys failed: {(int)response.StatusCode} {response.ReasonPhrase} {body}");
            JsonWebKeySet set;
            try
            {
                set = new JsonWebKeySet(body);
            }
            catch (ArgumentException e)
            {
                throw new KeySetException($"oidc: failed to decode keys: {e.Message} {body}");
            }
            // Only public signature keys: a symmetric ("oct") entry must never become an HMAC secret.
            var keys = set.Keys.Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve).ToList();
            // Without Cache-Control the keys expire at once (go-oidc): the next unknown kid refetches.
            var now = _time.GetUtcNow();
            var maxAge = response.Headers.CacheControl is { NoStore: false, NoCache: false } cc ? cc.MaxAge : null;
            var expiry = maxAge is { } age && age > TimeSpan.Zero ? now + age : now;
            return (keys, expiry);
        }
    }

    sealed class KeySetException(string message) : Exception(message);
}
