using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// k8s.io/apiserver's token cache (<c>pkg/authentication/token/cache</c>) as the webhook uses it: results are
/// keyed by a keyed hash of the wanted audiences and the token (the token itself is never kept), live for
/// their TTL on the injected clock, and the table is bounded: when full, expired entries go first, then the
/// entry nearest its expiry.
/// </summary>
public sealed class TokenResultCache(TimeProvider time, int capacity = TokenResultCache.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    readonly byte[] hashKey = RandomNumberGenerator.GetBytes(32);
    readonly object evictionLock = new();

    sealed record Entry(AuthenticationResult Result, DateTimeOffset Expires);

    public int Count => entries.Count;

    /// <summary>The cache key: HMAC-SHA256 over each audience and the token, length-prefixed so no two inputs collide.</summary>
    public string Key(IReadOnlyList<string>? audiences, string token)
    {
        var text = new StringBuilder();
        foreach (var a in audiences ?? []) text.Append(a.Length).Append(':').Append(a);
        text.Append('|').Append(token.Length).Append(':').Append(token);
        return Convert.ToBase64String(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(text.ToString())));
    }

    public bool TryGet(string key, out AuthenticationResult result)
    {
        if (entries.TryGetValue(key, out var entry))
        {
            if (time.GetUtcNow() < entry.Expires)
            {
                result = entry.Result;
                return true;
            }
            entries.TryRemove(KeyValuePair.Create(key, entry));
        }
        result = null!;
        return false;
    }

    public void Set(string key, AuthenticationResult result, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero) return;
        if (entries.Count >= capacity && !entries.ContainsKey(key)) MakeRoom();
        entries[key] = new Entry(result, time.GetUtcNow() + ttl);
    }

    void MakeRoom()
    {
        lock (evictionLock)
        {
            if (entries.Count < capacity) return;
            var now = time.GetUtcNow();
            foreach (var (k, e) in entries)
                if (e.Expires <= now) entries.TryRemove(KeyValuePair.Create(k, e));
            while (entries.Count >= capacity)
            {
                var oldest = entries.MinBy(kv => kv.Value.Expires);
                entries.TryRemove(oldest);
            }
        }
    }
}
