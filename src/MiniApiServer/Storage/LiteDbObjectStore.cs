using System.Text.Json.Nodes;

namespace MiniApiServer.Storage;

/// <summary>
/// The object store: current objects in memory (reads and lists never touch the disk), LiteDB as the
/// durable copy, one cluster-wide resourceVersion counter, and watch fan-out with a bounded history.
/// Writes are serialized through one lock and are durable (committed and fsynced) when they return.
/// File and memory modes are the same code over different streams.
/// </summary>
public sealed class LiteDbObjectStore : IObjectStore
{
    private readonly Lock _writeLock = new();
    private readonly LiteDbJournal _journal;
    private readonly WatchHub _hub;
    private volatile ObjectIndex _index;
    private volatile bool _disposed;
    private bool _writing;

    private LiteDbObjectStore(LiteDbJournal journal, StoreOptions options)
    {
        _journal = journal;
        var objects = journal.LoadObjects().ToList();
        // The counter is written with every change; taking the maximum also covers a file whose
        // counter document was lost, so a resourceVersion is never handed out twice.
        var resourceVersion = Math.Max(journal.LoadResourceVersion(), objects.Count == 0 ? 0 : objects.Max(o => o.ResourceVersion));
        _index = ObjectIndex.Load(objects, resourceVersion);
        _hub = new WatchHub(resourceVersion, options);
    }

    /// <summary>Opens (or creates) the database file, conventionally <c>&lt;data-dir&gt;/miniapiserver.db</c>.
    /// The file is held exclusively until <see cref="Dispose"/>.</summary>
    public static LiteDbObjectStore OpenFile(string path, StoreOptions? options = null) =>
        Open(() => LiteDbJournal.OpenFile(path), options);

    /// <summary>A store that forgets everything when disposed (tests, --storage=memory).</summary>
    public static LiteDbObjectStore InMemory(StoreOptions? options = null) =>
        Open(LiteDbJournal.InMemory, options);

    private static LiteDbObjectStore Open(Func<LiteDbJournal> openJournal, StoreOptions? options)
    {
        options ??= new StoreOptions();
        options.Validate();
        var journal = openJournal();
        try
        {
            return new LiteDbObjectStore(journal, options);
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    public long CurrentResourceVersion => Index.ResourceVersion;

    public StoredObject? Get(ObjectKey key) => Index.Get(key);

    public ListResult List(string resource, string? ns)
    {
        var index = Index;
        return new ListResult(index.ResourceVersion, index.List(resource, ns));
    }

    public StoredObject Create(ObjectKey key, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Write(() =>
        {
            if (_index.Get(key) is not null) throw new KeyExistsException(key);
            var stored = Stamp(key, StoredJson.Own(obj, alreadyCopied: false));
            Commit(WatchEventType.Added, stored);
            return stored;
        });
    }

    public StoredObject Update(ObjectKey key, Func<JsonObject?, JsonObject> update, bool createIfMissing = false)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Write(() =>
        {
            var current = _index.Get(key);
            if (current is null && !createIfMissing) throw new KeyNotFoundStorageException(key);

            var copy = current?.Object.DeepClone().AsObject();
            var result = update(copy) ?? throw new InvalidOperationException("the update callback returned null");
            var candidate = StoredJson.Own(result, alreadyCopied: ReferenceEquals(result, copy));
            if (current is not null && StoredJson.SameIgnoringResourceVersion(candidate, current)) return current;

            var stored = Stamp(key, candidate);
            Commit(current is null ? WatchEventType.Added : WatchEventType.Modified, stored);
            return stored;
        });
    }

    public StoredObject Delete(ObjectKey key, Action<StoredObject>? precondition = null) =>
        Write(() =>
        {
            var current = _index.Get(key) ?? throw new KeyNotFoundStorageException(key);
            precondition?.Invoke(current);
            // kube-apiserver reports a deleted object in its last state carrying the deletion's resourceVersion.
            var last = Stamp(key, StoredJson.Own(current.Object, alreadyCopied: false));
            Commit(WatchEventType.Deleted, last);
            return last;
        });

    public IWatchSubscription Watch(string resource, string? ns, long afterResourceVersion)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _hub.Subscribe(resource, ns, afterResourceVersion);
    }

    /// <summary>Closes every watch, checkpoints LiteDB into its data file and closes it.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed) return;
            if (_writing) throw new InvalidOperationException("a store callback must not dispose the store");
            _disposed = true;
            _hub.CompleteAll();
            _journal.Dispose();
        }
    }

    private ObjectIndex Index
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _index;
        }
    }

    /// <summary>Gives the object the next resourceVersion, in metadata.resourceVersion as kube does.</summary>
    private StoredObject Stamp(ObjectKey key, JsonObject owned)
    {
        var resourceVersion = _index.ResourceVersion + 1;
        StoredJson.SetResourceVersion(owned, resourceVersion);
        return new StoredObject(key, resourceVersion, owned);
    }

    /// <summary>Durable first, then visible: persist, publish the new snapshot, tell the watchers.</summary>
    private void Commit(WatchEventType type, StoredObject stored)
    {
        var previous = type == WatchEventType.Modified ? _index.Get(stored.Key) : null;
        if (type == WatchEventType.Deleted) _journal.Remove(stored.Key, stored.ResourceVersion);
        else _journal.Put(stored);

        _index = type == WatchEventType.Deleted
            ? _index.Remove(stored.Key, stored.ResourceVersion)
            : _index.Put(stored, stored.ResourceVersion);
        _hub.Publish(new WatchEvent(type, stored, previous));
    }

    /// <summary>
    /// Runs one write under the write lock. Callbacks (update, precondition) run inside it so the
    /// read-modify-write is atomic (kube's GuaranteedUpdate); a callback that wrote to the store again
    /// would act on a stale object, so that is refused.
    /// </summary>
    private StoredObject Write(Func<StoredObject> write)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writing) throw new InvalidOperationException("a store callback must not write to the store");
            _journal.ThrowIfFaulted();
            _writing = true;
            try
            {
                return write();
            }
            finally
            {
                _writing = false;
            }
        }
    }
}
