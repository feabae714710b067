using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// k8s.io/apiserver token/cache, wrapped once around the whole token union so every token source benefits.
/// kube-apiserver's settings (NewBuiltInAuthenticationOptions, no flag): successes are kept 10 s, failures 0 s
/// (not kept). Answers are keyed by an HMAC-SHA256, under a random per-process key, of the token and the request's
/// audiences (<see cref="TokenAudiences"/>), length-prefixed so "ab"+"c" ≠ "a"+"bc": the token itself is never
/// stored, and untrusted input cannot be pre-computed to collide. Concurrent lookups of one key share a single
/// call of the inner authenticator (kube: singleflight), detached from any one request and limited to 30 s.
/// Beyond kube: the cache is bounded (least recently used entries go), and never serves an answer past the
/// <see cref="ExpiringTokenResult.ValidUntil"/> its authenticator reported, so a token expires at the exact second.
/// The warnings the inner authenticators gave (<see cref="TokenWarnings"/>) are stored with the answer and replayed
/// to every caller — the one that caused the lookup, those that joined it, and every later cache hit — as kube's
/// cached token authenticator replays its recorded warnings and audit annotations.
/// </summary>
public sealed class CachedTokenAuthenticator : IExpiringTokenAuthenticator
{
    public static readonly TimeSpan DefaultSuccessTtl = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultFailureTtl = TimeSpan.Zero;
    public const int DefaultCapacity = 4096;

    /// <summary>kube's sharedLookupTimeout: a shared lookup is cancelled after this, whoever waits for it.</summary>
    public static readonly TimeSpan SharedLookupTimeout = TimeSpan.FromSeconds(30);

    private readonly ITokenAuthenticator _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _successTtl;
    private readonly TimeSpan _failureTtl;
    private readonly TokenResultCache _cache;
    private readonly byte[] _hmacKey = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _inFlightLock = new();
    private readonly Dictionary<TokenKey, Task<ExpiringTokenResult>> _inFlight = [];
    private long _innerCalls;

    /// <param name="failureTtl">How long "not mine" and errors are kept (kube-apiserver passes cacheErrs=true); 0 keeps none.</param>
    public CachedTokenAuthenticator(ITokenAuthenticator inner, TimeProvider time, TimeSpan? successTtl = null, TimeSpan? failureTtl = null, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _successTtl = successTtl ?? DefaultSuccessTtl;
        _failureTtl = failureTtl ?? DefaultFailureTtl;
        ArgumentOutOfRangeException.ThrowIfLessThan(_successTtl, TimeSpan.Zero, nameof(successTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(_failureTtl, TimeSpan.Zero, nameof(failureTtl));
        _inner = inner;
        _time = time;
        _cache = new TokenResultCache(capacity);
    }

    public string Name => _inner.Name;

    public ITokenAuthenticator Inner => _inner;

    /// <summary>How many times the inner authenticator was called (cache misses that were not joined).</summary>
    internal long InnerCalls => Interlocked.Read(ref _innerCalls);

    internal int CachedAnswers => _cache.Count;

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateExpiringTokenAsync(token, cancellationToken)).Result;

    /// <summary>
    /// The cached answer, or the inner authenticator's (joined with a lookup of the same key already running).
    /// Cancelling <paramref name="cancellationToken"/> abandons the wait (OperationCanceledException), not the shared lookup.
    /// </summary>
    public async ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken) =>
        Replay(await LookUpAsync(token, cancellationToken));

    private static ExpiringTokenResult Replay(ExpiringTokenResult answer)
    {
        foreach (var warning in answer.Warnings ?? [])
        {
            TokenWarnings.Add(warning);
        }
        return answer;
    }

    private async ValueTask<ExpiringTokenResult> LookUpAsync(string token, CancellationToken cancellationToken)
    {
        var audiences = TokenAudiences.Current;
        var key = KeyOf(token, audiences);
        if (_cache.TryGet(key, _time.GetUtcNow(), out var hit))
        {
            return hit;
        }

        Task<ExpiringTokenResult>? shared;
        TaskCompletionSource<ExpiringTokenResult>? owned = null;
        lock (_inFlightLock)
        {
            // Again under the lock: a lookup may have finished (stored, then left _inFlight) since the first look.
            if (_cache.TryGet(key, _time.GetUtcNow(), out hit))
            {
                return hit;
            }
            if (!_inFlight.TryGetValue(key, out shared))
            {
                owned = new TaskCompletionSource<ExpiringTokenResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                shared = owned.Task;
                _inFlight[key] = shared;
            }
        }
        if (owned is not null)
        {
            _ = LookupAsync(key, token, audiences, owned);
        }
        return await shared.WaitAsync(cancellationToken);
    }

    private async Task LookupAsync(TokenKey key, string token, IReadOnlyList<string>? audiences, TaskCompletionSource<ExpiringTokenResult> completion)
    {
        try
        {
            Interlocked.Increment(ref _innerCalls);
            using var timeout = new CancellationTokenSource(SharedLookupTimeout, _time);
            using var scope = TokenAudiences.Use(audiences);
            // The shared lookup records its own warnings (not into whichever request started it): all callers replay them.
            using var warnings = TokenWarnings.Record();
            var answer = await _inner.AuthenticateWithExpiryAsync(token, timeout.Token);
            answer = answer with { Warnings = [.. (answer.Warnings ?? []).Union(warnings.Warnings)] };
            lock (_inFlightLock)
            {
                Store(key, answer, _time.GetUtcNow());
                _inFlight.Remove(key);
            }
            completion.SetResult(answer);
        }
        catch (Exception e)
        {
            // A crash or the shared timeout: every waiter sees it, and nothing is cached.
            lock (_inFlightLock)
            {
                _inFlight.Remove(key);
            }
            completion.SetException(e);
        }
    }

    private void Store(TokenKey key, ExpiringTokenResult answer, DateTimeOffset now)
    {
        var ttl = answer.Result.Succeeded ? _successTtl : _failureTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }
        var deadline = now + ttl;
        if (answer.ValidUntil is { } validUntil)
        {
            if (validUntil < now)
            {
                return;
            }
            if (validUntil < deadline)
            {
                deadline = validUntil;
            }
        }
        _cache.Set(key, answer, deadline);
    }

    /// <summary>HMAC-SHA256(len(token) token len(audiences) {len(a) a}…), lengths as big-endian uint32, as kube's keyFunc.</summary>
    internal TokenKey KeyOf(string token, IReadOnlyList<string>? audiences)
    {
        var length = 4 + Encoding.UTF8.GetByteCount(token) + 4;
        if (audiences is not null)
        {
            foreach (var audience in audiences)
            {
                length += 4 + Encoding.UTF8.GetByteCount(audience);
            }
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        var input = rented.AsSpan(0, length);
        try
        {
            var at = WriteString(input, 0, token);
            BinaryPrimitives.WriteUInt32BigEndian(input[at..], (uint)(audiences?.Count ?? 0));
            at += 4;
            if (audiences is not null)
            {
                foreach (var audience in audiences)
                {
                    at = WriteString(input, at, audience);
                }
            }
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_hmacKey, input, mac);
            return new TokenKey(
                BinaryPrimitives.ReadUInt64LittleEndian(mac),
                BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(mac[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(mac[24..]));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input); // the token does not linger in pooled memory
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WriteString(Span<byte> destination, int at, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, destination[(at + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)written);
        return at + 4 + written;
    }
}
