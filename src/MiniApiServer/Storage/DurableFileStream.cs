namespace MiniApiServer.Storage;

/// <summary>
/// A file whose <see cref="Flush"/> reaches the disk (fsync). LiteDB calls Flush on a stream it was given
/// when a checkpoint has copied the log into the data file, and the store calls it after each commit,
/// so an acknowledged write survives a power loss, not only a crash of the process. Opened without
/// sharing, so a second server on the same data directory fails at start instead of corrupting it.
/// </summary>
internal sealed class DurableFileStream(string path) : Stream
{
    private readonly FileStream _file = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None,
        bufferSize: 0, FileOptions.RandomAccess);

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _file.Length;
    public override long Position { get => _file.Position; set => _file.Position = value; }

    public override void Flush() => _file.Flush(flushToDisk: true);
    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);
    public override void SetLength(long value) => _file.SetLength(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
