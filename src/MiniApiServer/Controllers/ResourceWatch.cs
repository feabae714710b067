using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// A second informer for a controller whose <see cref="WatchController"/> watches another resource: lists the
/// resource, then watches it from the list's resourceVersion, and hands every object (and every change, with
/// its type) to a callback. A watch that ends is followed by a fresh list, so nothing is missed.
/// </summary>
public static class ResourceWatch
{
    /// <summary>Called for each listed object (type null) and each watched change.</summary>
    public delegate void Handler(StoredObject obj, WatchEventType? type);

    public static async Task RunAsync(IObjectStore store, string resource, Handler handler, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = store.List(resource, null);
                foreach (var item in list.Items) handler(item, null);
                using var sub = store.Watch(resource, null, list.ResourceVersion);
                await foreach (var ev in sub.Events.ReadAllAsync(ct)) handler(ev.Object, ev.Type);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                logger.LogDebug(e, "watch of {Resource} ended, listing again", resource);
                try { await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
