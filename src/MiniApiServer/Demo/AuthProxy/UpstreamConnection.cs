using System.Text;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>
/// One HTTP/1.1 connection to the API server, as a duplex stream with a read buffer: header lines are read
/// from the buffer, and whatever the buffer already holds past the header block is handed out first as body
/// (or, after <c>101 Switching Protocols</c>, as the first bytes of the upgraded stream). Disposing it closes
/// the connection.
/// </summary>
internal sealed class UpstreamConnection(Stream inner, IDisposable? owner) : Stream
{
    /// <summary>Go's net/http refuses header blocks over 1 MB (DefaultMaxHeaderBytes); no single line gets longer here.</summary>
    private const int MaxLineBytes = 1 << 20;

    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next CRLF- (or LF-) terminated line without its terminator; null at end of stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r') length--;
                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxLineBytes) throw new IOException("upstream header line too long");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = await inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0) return null;
            _end += read;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }
        return await inner.ReadAsync(destination, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_start < _end)
        {
            var n = Math.Min(count, _end - _start);
            Buffer.BlockCopy(_buffer, _start, buffer, offset, n);
            _start += n;
            return n;
        }
        return inner.Read(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) => inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            owner?.Dispose();
        }
        base.Dispose(disposing);
    }
}
