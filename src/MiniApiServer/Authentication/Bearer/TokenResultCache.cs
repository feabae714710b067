namespace MiniApiServer.Authentication.Bearer;

/// <summary>A cache key: the 32 bytes of an HMAC-SHA256, compared as four numbers (no string, no token kept).</summary>
internal readonly record struct TokenKey(ulong A, ulong B, ulong C, ulong D);

/// <summary>
/// Token answers by key, each until its deadline (inclusive), bounded to <c>capacity</c> entries: when full, the
/// least recently used entry goes. kube-apiserver's cache is unbounded (striped maps swept by TTL); a bound keeps
/// a flood of distinct bad-but-cacheable tokens from growing memory without end.
/// </summary>
internal sealed class TokenResultCache(int capacity)
{
    private sealed record Entry(TokenKey Key, ExpiringTokenResult Answer, DateTimeOffset Deadline);

    private readonly Lock _lock = new();
    private readonly Dictionary<TokenKey, LinkedListNode<Entry>> _byKey = [];
    private readonly LinkedList<Entry> _recency = new();

    public int Capacity => capacity;

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

    public bool TryGet(TokenKey key, DateTimeOffset now, out ExpiringTokenResult answer)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                if (now <= node.Value.Deadline)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    answer = node.Value.Answer;
                    return true;
                }
                _recency.Remove(node);
                _byKey.Remove(key);
            }
        }
        answer = default;
        return false;
    }

    public void Set(TokenKey key, ExpiringTokenResult answer, DateTimeOffset deadline)
    {
        lock (_lock)
        {
            if (_byKey.Remove(key, out var old))
            {
                _recency.Remove(old);
            }
            _byKey[key] = _recency.AddFirst(new Entry(key, answer, deadline));
            while (_byKey.Count > capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byKey.Remove(last.Value.Key);
            }
        }
    }
}
