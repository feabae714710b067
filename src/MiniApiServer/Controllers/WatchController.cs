using System.Threading.Channels;
using MiniApiServer.Registry;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// The shape of every controller (kube's informer + work queue, reduced): list the resource, then watch it
/// from the list's resourceVersion, and hand each changed key to <see cref="Reconcile"/> on one worker. A
/// watch that ends (history too old, watcher too slow) is followed by a fresh list, so nothing is missed.
/// Reconcile may ask to be called again later for the same key.
/// </summary>
public abstract class WatchController(IObjectStore store, ResourceDefinition watched, TimeProvider time, ILogger logger) : BackgroundService
{
    readonly Channel<ObjectKey> queue = Channel.CreateUnbounded<ObjectKey>(new UnboundedChannelOptions { SingleReader = true });
    readonly HashSet<ObjectKey> queued = [];

    protected IObjectStore Store => store;
    protected TimeProvider Time => time;

    /// <summary>Brings the world in line with the object at <paramref name="key"/> (null when it is gone).
    /// Returns a delay to be called again after, or null.</summary>
    protected abstract TimeSpan? Reconcile(ObjectKey key, StoredObject? current);

    protected void Enqueue(ObjectKey key)
    {
        lock (queued) if (!queued.Add(key)) return;
        queue.Writer.TryWrite(key);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = Task.Run(() => WorkAsync(stoppingToken), stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = store.List(watched.StorageResource, null);
                foreach (var item in list.Items) Enqueue(item.Key);
                using var sub = store.Watch(watched.StorageResource, null, list.ResourceVersion);
                await foreach (var ev in sub.Events.ReadAllAsync(stoppingToken)) Enqueue(ev.Object.Key);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                logger.LogDebug(e, "{Controller}: watch ended, listing again", GetType().Name);
            }
        }
        await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    async Task WorkAsync(CancellationToken ct)
    {
        await foreach (var key in queue.Reader.ReadAllAsync(ct))
        {
            ct.ThrowIfCancellationRequested(); // a busy queue must still stop with the host
            lock (queued) queued.Remove(key);
            TimeSpan? again = null;
            try
            {
                again = Reconcile(key, store.Get(key));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{Controller}: reconciling {Key} failed; retrying", GetType().Name, key);
                again = TimeSpan.FromMilliseconds(500);
            }
            if (again is { } delay) _ = RequeueAfter(key, delay, ct);
        }
    }

    async Task RequeueAfter(ObjectKey key, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct);
            Enqueue(key);
        }
        catch (OperationCanceledException) { }
    }
}
