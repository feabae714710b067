using System.Threading.Channels;

namespace MiniApiServer.Storage;

/// <summary>
/// Fans changes out to watchers and keeps the last <see cref="StoreOptions.HistoryCapacity"/> of them, the
/// way kube-apiserver's watch cache does, so a watch can resume from an older resourceVersion.
/// Subscribing replays history under the same lock that publishing takes, so a watcher sees every
/// change after its starting point exactly once and in order. Publishing never waits for a watcher.
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _lock = new();
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<WatchSubscription> _subscribers = [];
    private readonly int _historyCapacity;
    private readonly int _bufferCapacity;
    // Every change with a resourceVersion above this one is in _history. After a restart the history
    // is empty and this is the current resourceVersion: watching from it works, from older is too old.
    private long _heldAfter;
    private bool _closed;

    public WatchHub(long currentResourceVersion, StoreOptions options)
    {
        _heldAfter = currentResourceVersion;
        _historyCapacity = options.HistoryCapacity;
        _bufferCapacity = options.WatcherBufferCapacity;
    }

    /// <summary>Called by the single writer, in resourceVersion order.</summary>
    public void Publish(WatchEvent change)
    {
        lock (_lock)
        {
            _history.Enqueue(change);
            while (_history.Count > _historyCapacity) _heldAfter = _history.Dequeue().Object.ResourceVersion;

            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                var subscriber = _subscribers[i];
                if (subscriber.Offer(change) == Delivery.TooSlow) _subscribers.RemoveAt(i);
            }
        }
    }

    public IWatchSubscription Subscribe(string resource, string? ns, long afterResourceVersion)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(LiteDbObjectStore));
            // kube-apiserver's watch cache: "too old resource version: %d (%d)" with the newest
            // resourceVersion whose successors are all still held.
            if (afterResourceVersion < _heldAfter) throw new ResourceVersionTooOldException(afterResourceVersion, _heldAfter);

            var subscription = new WatchSubscription(this, resource, ns, afterResourceVersion);
            var replay = _history.Where(subscription.Wants).ToList();
            subscription.Open(replay, _bufferCapacity);
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Ends every watch (the store is closing).</summary>
    public void CompleteAll()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var subscriber in _subscribers) subscriber.Complete();
            _subscribers.Clear();
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            if (_subscribers.Remove(subscription)) subscription.Complete();
        }
    }
}

internal enum Delivery { Delivered, Skipped, TooSlow }

/// <summary>One watcher: its filter and its bounded channel. Written only under the hub's lock.</summary>
internal sealed class WatchSubscription : IWatchSubscription
{
    private readonly WatchHub _hub;
    private readonly string _resource;
    private readonly string? _namespace;
    private readonly long _after;
    private Channel<WatchEvent> _channel = null!;
    private long _lastDelivered;

    public WatchSubscription(WatchHub hub, string resource, string? ns, long afterResourceVersion)
    {
        _hub = hub;
        _resource = resource;
        _namespace = ns;
        _after = afterResourceVersion;
        _lastDelivered = afterResourceVersion;
    }

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    public bool Wants(WatchEvent change) =>
        change.Object.ResourceVersion > _after
        && change.Object.Key.Resource == _resource
        && (_namespace is null || change.Object.Key.Namespace == _namespace);

    /// <summary>The replay gets room of its own, so only live events count against the watcher's buffer.</summary>
    public void Open(IReadOnlyList<WatchEvent> replay, int bufferCapacity)
    {
        _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(replay.Count + bufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = true,
        });
        foreach (var change in replay) Offer(change);
    }

    public Delivery Offer(WatchEvent change)
    {
        if (!Wants(change)) return Delivery.Skipped;
        if (!_channel.Writer.TryWrite(change))
        {
            _channel.Writer.TryComplete(new WatcherTooSlowException(_resource, _lastDelivered));
            return Delivery.TooSlow;
        }
        _lastDelivered = change.Object.ResourceVersion;
        return Delivery.Delivered;
    }

    public void Complete() => _channel.Writer.TryComplete();

    public void Dispose() => _hub.Unsubscribe(this);
}
