using MiniApiServer.Storage;

namespace MiniApiServer.Admission;

/// <summary>
/// Waits, without polling, for something a controller is about to write: probes once, then re-probes on every
/// change to the watched resources in the namespace until the probe answers or the time is up.
/// </summary>
public static class StoreWait
{
    public static T? Until<T>(IObjectStore store, IReadOnlyList<string> resources, string ns, Func<T?> probe, TimeSpan timeout, TimeProvider time)
        where T : class
    {
        // Subscribe before probing, so a write between the probe and the wait still wakes us.
        var from = store.CurrentResourceVersion;
        if (probe() is { } found) return found;
        if (timeout <= TimeSpan.Zero) return null;
        var subscriptions = resources.Select(r => store.Watch(r, ns, from)).ToList();
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            while (true)
            {
                var changes = subscriptions.Select(s => s.Events.WaitToReadAsync(deadline.Token).AsTask()).ToArray();
                var first = Task.WhenAny(changes).GetAwaiter().GetResult();
                // Time is up, or a watch closed (fell behind): one last look.
                if (!first.IsCompletedSuccessfully || !first.Result) return probe();
                foreach (var s in subscriptions) while (s.Events.TryRead(out _)) { }
                if (probe() is { } hit) return hit;
            }
        }
        catch (OperationCanceledException) { return probe(); }
        catch (StorageException) { return probe(); } // the watch fell behind: one last look
        finally
        {
            foreach (var s in subscriptions) s.Dispose();
        }
    }
}
