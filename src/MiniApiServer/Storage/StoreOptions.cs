namespace MiniApiServer.Storage;

/// <summary>Tuning of <see cref="LiteDbObjectStore"/>; the defaults suit a small cluster.</summary>
public sealed record StoreOptions
{
    /// <summary>
    /// How many past changes are kept so a watch can resume from an older resourceVersion
    /// (kube-apiserver's watch cache plays this role; starting before it answers 410 Gone).
    /// </summary>
    public int HistoryCapacity { get; init; } = 5000;

    /// <summary>
    /// How many live events may wait for one watcher. A watcher further behind is closed rather
    /// than slowing writers, as kube-apiserver closes a blocked cacheWatcher; the client re-lists.
    /// </summary>
    public int WatcherBufferCapacity { get; init; } = 1000;

    internal void Validate()
    {
        if (HistoryCapacity < 0)
            throw new ArgumentOutOfRangeException(nameof(HistoryCapacity), HistoryCapacity, "must be zero or more");
        if (WatcherBufferCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(WatcherBufferCapacity), WatcherBufferCapacity, "must be at least one");
    }
}
