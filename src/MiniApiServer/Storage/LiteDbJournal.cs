using LiteDB;
using LiteDB.Engine;

namespace MiniApiServer.Storage;

/// <summary>
/// The durable copy of the store in LiteDB: one document per object
/// <c>{_id: "resource/namespace/name", resource, namespace, name, rv, json}</c> and the cluster-wide
/// resourceVersion counter. Every change writes the object and the counter in one transaction, so a
/// restart finds exactly what was acknowledged and the counter never goes backwards, even when the
/// newest object was deleted. Not thread-safe: the store calls it under its write lock (concurrent
/// LiteDB 5 writes to different collections have corrupted files, LiteDB issue #2825).
/// </summary>
internal sealed class LiteDbJournal : IDisposable
{
    private const string ObjectsCollection = "objects";
    private const string MetaCollection = "meta";
    private const string CounterId = "resourceVersion";

    private readonly Stream _data;
    private readonly Stream _log;
    private readonly Action? _afterClose;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _objects;
    private readonly ILiteCollection<BsonDocument> _meta;
    private Exception? _fault;

    private LiteDbJournal(Stream data, Stream log, Action? afterClose)
    {
        _data = data;
        _log = log;
        _afterClose = afterClose;
        // One engine over our two streams: LiteDB's direct (single-process, no shared mutex) engine,
        // identical for a file and for memory. Binary collation keeps "Foo" and "foo" distinct keys
        // (LiteDB's default collation ignores case).
        var engine = new LiteEngine(new EngineSettings { DataStream = data, LogStream = log, Collation = Collation.Binary });
        _db = new LiteDatabase(engine, disposeOnClose: true);
        _objects = _db.GetCollection(ObjectsCollection, BsonAutoId.ObjectId);
        _meta = _db.GetCollection(MetaCollection, BsonAutoId.ObjectId);
    }

    /// <summary>
    /// Opens <paramref name="path"/> and its write-ahead log "&lt;name&gt;-log&lt;ext&gt;" beside it (LiteDB's own
    /// naming, so LiteDB tools open the pair).
    /// </summary>
    public static LiteDbJournal OpenFile(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var logPath = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + "-log" + Path.GetExtension(full));
        var data = new DurableFileStream(full);
        DurableFileStream? log = null;
        try
        {
            log = new DurableFileStream(logPath);
            // An empty log is LiteDB's sign of a clean close; remove it as LiteDB does for its own files.
            return new LiteDbJournal(data, log, () => { if (new FileInfo(logPath) is { Exists: true, Length: 0 }) File.Delete(logPath); });
        }
        catch
        {
            log?.Dispose();
            data.Dispose();
            throw;
        }
    }

    public static LiteDbJournal InMemory() => new(new MemoryStream(), new MemoryStream(), afterClose: null);

    public long LoadResourceVersion() => _meta.FindById(CounterId)?["value"].AsInt64 ?? 0;

    public IEnumerable<StoredObject> LoadObjects() =>
        _objects.FindAll().Select(doc => new StoredObject(
            new ObjectKey(doc["resource"].AsString, doc["namespace"].AsString, doc["name"].AsString),
            doc["rv"].AsInt64,
            StoredJson.Parse(doc["json"].AsString)));

    public int CountObjects() => _objects.Count();

    /// <summary>Writes (or replaces) an object with the counter, atomically and durably.</summary>
    public void Put(StoredObject stored) => Commit(stored.ResourceVersion, () => _objects.Upsert(new BsonDocument
    {
        ["_id"] = Id(stored.Key),
        ["resource"] = stored.Key.Resource,
        ["namespace"] = stored.Key.Namespace,
        ["name"] = stored.Key.Name,
        ["rv"] = stored.ResourceVersion,
        ["json"] = stored.Object.ToJsonString(),
    }));

    /// <summary>Removes an object and advances the counter, atomically and durably.</summary>
    public void Remove(ObjectKey key, long resourceVersion) => Commit(resourceVersion, () => _objects.Delete(Id(key)));

    private void Commit(long resourceVersion, Action change)
    {
        if (!_db.BeginTrans()) throw new InvalidOperationException("a LiteDB transaction is already open on this thread");
        try
        {
            change();
            _meta.Upsert(new BsonDocument { ["_id"] = CounterId, ["value"] = resourceVersion });
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
        // LiteDB 5.0.21 commits by writing log pages without fsync; this makes the commit durable.
        try
        {
            _log.Flush();
        }
        catch (IOException e)
        {
            // The commit is in LiteDB but may not be on disk; handing out more resourceVersions on top
            // of it could break what was acknowledged, so the store refuses writes from now on.
            _fault = e;
            throw new StorageException($"the database could not be flushed to disk: {e.Message}");
        }
    }

    public void ThrowIfFaulted()
    {
        if (_fault is not null) throw new StorageException($"the store stopped accepting writes after a disk failure: {_fault.Message}");
    }

    private static string Id(ObjectKey key) => key.ToString();

    public void Dispose()
    {
        // Closing LiteDB checkpoints the log into the data file and fsyncs it.
        _db.Dispose();
        _log.Flush();
        _log.Dispose();
        _data.Dispose();
        _afterClose?.Invoke();
    }
}
