using System.Text.Json.Nodes;

namespace MiniApiServer.Storage;

/// <summary>
/// Where an object lives: its resource (group-qualified plural, e.g. "pods" or
/// "roles.rbac.authorization.k8s.io"), namespace ("" for cluster-scoped kinds) and name.
/// </summary>
public readonly record struct ObjectKey(string Resource, string Namespace, string Name)
{
    public override string ToString() => $"{Resource}/{Namespace}/{Name}";
}

/// <summary>An object as stored: the whole JSON document, with its resourceVersion already written into
/// <c>metadata.resourceVersion</c>. Treat <see cref="Object"/> as immutable: clone before changing it.</summary>
public sealed record StoredObject(ObjectKey Key, long ResourceVersion, JsonObject Object);

public enum WatchEventType { Added, Modified, Deleted }

/// <summary>One change. For <see cref="WatchEventType.Deleted"/> the object is its last state, carrying the
/// resourceVersion of the deletion (as kube-apiserver does). <see cref="Previous"/> is the state before a
/// modification (kube's watch cache keeps it too), so a filtered watch can tell an object entering or
/// leaving its selector.</summary>
public sealed record WatchEvent(WatchEventType Type, StoredObject Object, StoredObject? Previous = null);

public sealed record ListResult(long ResourceVersion, IReadOnlyList<StoredObject> Items);

/// <summary>Thrown by the store; the API layer maps these to Status errors.</summary>
public class StorageException(string message) : Exception(message);
public sealed class KeyExistsException(ObjectKey key) : StorageException($"key exists: {key}") { public ObjectKey Key { get; } = key; }
public sealed class KeyNotFoundStorageException(ObjectKey key) : StorageException($"key not found: {key}") { public ObjectKey Key { get; } = key; }
/// <summary>A precondition (resourceVersion or uid) did not hold.</summary>
public sealed class ConflictException(ObjectKey key, string message) : StorageException(message) { public ObjectKey Key { get; } = key; }
/// <summary>A watch asked to start before the oldest change still held (HTTP 410 Gone).</summary>
public sealed class ResourceVersionTooOldException(long requested, long oldest) : StorageException($"too old resource version: {requested} ({oldest})")
{
    public long Requested { get; } = requested;
    public long Oldest { get; } = oldest;
}

/// <summary>
/// The one storage seam (kube's <c>storage.Interface</c>, reduced): every write gets the next
/// cluster-wide resourceVersion, writes are serialized and durable once the call returns, and every
/// change is offered to watchers in resourceVersion order.
/// </summary>
public interface IObjectStore : IDisposable
{
    /// <summary>The resourceVersion of the newest change (0 for an empty store).</summary>
    long CurrentResourceVersion { get; }

    StoredObject? Get(ObjectKey key);

    /// <summary>Every object of a resource, in one namespace (or all when <paramref name="ns"/> is null),
    /// sorted by namespace then name, consistent as of the returned resourceVersion.</summary>
    ListResult List(string resource, string? ns);

    /// <summary>Stores a new object; throws <see cref="KeyExistsException"/> when the key is taken.</summary>
    StoredObject Create(ObjectKey key, JsonObject obj);

    /// <summary>
    /// kube's GuaranteedUpdate: reads the current object, calls <paramref name="update"/> with a deep copy,
    /// and stores what it returns, atomically. The callback may throw (e.g. a Status error) to abort.
    /// Returning the same JSON as the current object stores nothing and returns the current object unchanged.
    /// Throws <see cref="KeyNotFoundStorageException"/> when absent, unless <paramref name="createIfMissing"/>
    /// is true, in which case the callback receives null.
    /// </summary>
    StoredObject Update(ObjectKey key, Func<JsonObject?, JsonObject> update, bool createIfMissing = false);

    /// <summary>Removes the object if <paramref name="precondition"/> (given the current object) allows;
    /// returns its last state with the deletion's resourceVersion. Throws when absent.</summary>
    StoredObject Delete(ObjectKey key, Action<StoredObject>? precondition = null);

    /// <summary>
    /// Changes of a resource after <paramref name="afterResourceVersion"/>, in order, then live ones, until
    /// disposed. Throws <see cref="ResourceVersionTooOldException"/> when that point is no longer held.
    /// </summary>
    IWatchSubscription Watch(string resource, string? ns, long afterResourceVersion);
}

public interface IWatchSubscription : IDisposable
{
    /// <summary>Events in order. Completes when the subscription is disposed, or with an exception when
    /// the watcher fell too far behind (kube closes such watches; the client re-lists).</summary>
    System.Threading.Channels.ChannelReader<WatchEvent> Events { get; }
}
