using System.Globalization;
using System.Text;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>A read-only body stream over the connection; disposing it closes the connection.</summary>
internal abstract class BodyReadStream(UpstreamConnection connection) : Stream
{
    protected UpstreamConnection Connection { get; } = connection;

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public abstract override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default);

    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Connection.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A body framed by <c>Content-Length</c> (RFC 9112 §6.3).</summary>
internal sealed class ContentLengthReadStream(UpstreamConnection connection, long length) : BodyReadStream(connection)
{
    private long _remaining = length;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || destination.Length == 0) return 0;
        var read = await Connection.ReadAsync(destination[..(int)Math.Min(destination.Length, _remaining)], cancellationToken);
        if (read == 0) throw new IOException($"upstream closed the connection with {_remaining} bytes of the body unsent");
        _remaining -= read;
        return read;
    }
}

/// <summary>
/// A <c>Transfer-Encoding: chunked</c> body (RFC 9112 §7.1), decoded chunk by chunk: each read returns as
/// soon as data of the current chunk arrives, so a watch's events pass through one by one.
/// </summary>
internal sealed class ChunkedReadStream(UpstreamConnection connection) : BodyReadStream(connection)
{
    private long _chunkRemaining;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_done || destination.Length == 0) return 0;
        if (_chunkRemaining == 0)
        {
            var sizeLine = await Connection.ReadLineAsync(cancellationToken) ?? throw new IOException("upstream closed the connection inside a chunked body");
            var size = sizeLine.Split(';', 2)[0].Trim();
            if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkRemaining) || _chunkRemaining < 0)
                throw new IOException($"upstream sent a bad chunk size \"{sizeLine}\"");
            if (_chunkRemaining == 0)
            {
                // Trailer section, ended by an empty line.
                while (await Connection.ReadLineAsync(cancellationToken) is { Length: > 0 }) { }
                _done = true;
                return 0;
            }
        }
        var read = await Connection.ReadAsync(destination[..(int)Math.Min(destination.Length, _chunkRemaining)], cancellationToken);
        if (read == 0) throw new IOException("upstream closed the connection inside a chunk");
        _chunkRemaining -= read;
        if (_chunkRemaining == 0) await Connection.ReadLineAsync(cancellationToken); // the CRLF after the chunk data
        return read;
    }
}

/// <summary>A body that ends when the server closes the connection (no length, not chunked).</summary>
internal sealed class UntilCloseReadStream(UpstreamConnection connection) : BodyReadStream(connection)
{
    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
        Connection.ReadAsync(destination, cancellationToken);
}

/// <summary>Writes a request body of unknown length with chunked framing; <see cref="FinishAsync"/> writes the last chunk.</summary>
internal sealed class ChunkedWriteStream(Stream connection) : Stream
{
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (source.Length == 0) return;
        await connection.WriteAsync(Encoding.ASCII.GetBytes($"{source.Length:X}\r\n"), cancellationToken);
        await connection.WriteAsync(source, cancellationToken);
        await connection.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task FlushAsync(CancellationToken cancellationToken) => connection.FlushAsync(cancellationToken);

    public async Task FinishAsync(CancellationToken cancellationToken) => await connection.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);

    public override bool CanRead => false;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => connection.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// Response content whose stream is the given one itself (not a read-only wrapper, as StreamContent gives):
/// after a 101 the forwarder writes the client's bytes into it.
/// </summary>
internal sealed class RawStreamContent(Stream stream) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream target, System.Net.TransportContext? context) => stream.CopyToAsync(target);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) stream.Dispose();
        base.Dispose(disposing);
    }
}
