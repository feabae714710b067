namespace MiniApiServer.Runtime.Containers;

/// <summary>One line of a container's output, stamped when the runtime received it (CRI log format's time).</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Time, byte[] Bytes);

/// <summary>
/// What a container instance wrote to stdout and stderr, line by line, as the container runtime's log file
/// keeps it: bounded to <see cref="MaxBytes"/> (the kubelet's default containerLogMaxSize, 10Mi; the oldest lines
/// go first), and closed when the instance ends. Followers wait for new lines or the close.
/// </summary>
public sealed class ContainerLog
{
    public const int MaxBytes = 10 * 1024 * 1024;

    readonly Lock gate = new();
    readonly LinkedList<LogLine> lines = new();
    long nextSequence;
    long size;
    TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Closed { get; private set; }

    public void Append(DateTimeOffset time, byte[] line)
    {
        lock (gate)
        {
            if (Closed) return;
            lines.AddLast(new LogLine(nextSequence++, time, line));
            size += line.Length;
            while (size > MaxBytes && lines.First is { } first)
            {
                size -= first.Value.Bytes.Length;
                lines.RemoveFirst();
            }
            Signal();
        }
    }

    public void Close()
    {
        lock (gate)
        {
            Closed = true;
            Signal();
        }
    }

    void Signal()
    {
        var old = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>The lines from <paramref name="fromSequence"/> on, whether the log is closed, and a task that
    /// completes at the next change.</summary>
    public (IReadOnlyList<LogLine> Lines, bool Closed, Task Changed) Read(long fromSequence)
    {
        lock (gate)
            return ([.. lines.Where(l => l.Sequence >= fromSequence)], Closed, changed.Task);
    }

    /// <summary>A stream a process writes to: complete lines become log lines; a last partial line is kept
    /// when the instance ends.</summary>
    public Stream Writer(TimeProvider time) => new LineWriter(this, time);

    sealed class LineWriter(ContainerLog log, TimeProvider time) : Stream
    {
        readonly MemoryStream partial = new();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (partial)
            {
                while (buffer.Length > 0)
                {
                    var nl = buffer.IndexOf((byte)'\n');
                    if (nl < 0) { partial.Write(buffer); return; }
                    partial.Write(buffer[..(nl + 1)]);
                    log.Append(time.GetUtcNow(), partial.ToArray());
                    partial.SetLength(0);
                    buffer = buffer[(nl + 1)..];
                }
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        /// <summary>Ends the stream: a partial last line is logged as it is.</summary>
        public override void Flush() { }

        protected override void Dispose(bool disposing)
        {
            lock (partial)
                if (partial.Length > 0)
                {
                    log.Append(time.GetUtcNow(), partial.ToArray());
                    partial.SetLength(0);
                }
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
