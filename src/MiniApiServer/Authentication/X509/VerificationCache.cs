namespace MiniApiServer.Authentication.X509;

/// <summary>
/// Results of client-certificate verification, keyed by the hash of the leaf and intermediates, bounded to
/// <c>capacity</c> entries (least recently used leaves first). An entry serves only while the clock is not past
/// its deadline and the client CA bundle is the one it was computed against. Chain building costs hundreds of
/// microseconds; kube-apiserver caches it too (per TLS connection, x509.go certificateVerifier).
/// </summary>
internal sealed class VerificationCache(int capacity)
{
    private sealed record Entry(string Key, AuthenticationResult Result, DateTimeOffset ValidUntil, long Generation);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byKey.Count;
            }
        }
    }

    public bool TryGet(string key, DateTimeOffset now, long generation, out AuthenticationResult result)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                if (now <= node.Value.ValidUntil && node.Value.Generation == generation)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    result = node.Value.Result;
                    return true;
                }
                _recency.Remove(node);
                _byKey.Remove(key);
            }
        }
        result = null!;
        return false;
    }

    public void Set(string key, AuthenticationResult result, DateTimeOffset validUntil, long generation)
    {
        lock (_lock)
        {
            if (_byKey.Remove(key, out var old))
            {
                _recency.Remove(old);
            }
            _byKey[key] = _recency.AddFirst(new Entry(key, result, validUntil, generation));
            while (_byKey.Count > capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byKey.Remove(last.Value.Key);
            }
        }
    }
}
