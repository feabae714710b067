namespace MiniApiServer.Storage;

/// <summary>
/// Completes a watch whose reader fell more than <see cref="StoreOptions.WatcherBufferCapacity"/> events
/// behind. Every event before it was delivered in order; the client must re-list and watch again, as
/// it does when kube-apiserver terminates a watcher that cannot keep up.
/// </summary>
public sealed class WatcherTooSlowException(string resource, long lastDeliveredResourceVersion)
    : StorageException($"watch of {resource} closed: the watcher fell too far behind after resourceVersion {lastDeliveredResourceVersion}")
{
    /// <summary>The resourceVersion of the last event placed in the watcher's channel.</summary>
    public long LastDeliveredResourceVersion { get; } = lastDeliveredResourceVersion;
}
