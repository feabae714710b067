using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using MiniApiServer.Runtime.Containers;

namespace MiniApiServer.Runtime.Streaming;

/// <summary>
/// One exec over an accepted WebSocket: messages from the client feed stdin (channel 0), its CLOSE signal
/// (v5) ends stdin, resize messages are accepted; the process writes to stdout/stderr (channels 1/2, only those
/// the client asked for; with a TTY stderr joins stdout), and at the end the exit status goes on channel 3 and
/// the socket is closed normally. A client that goes away kills the process.
/// </summary>
public sealed class ExecSession(WebSocket socket, string protocol, bool stdin, bool stdout, bool stderr, bool tty)
{
    readonly SemaphoreSlim sendLock = new(1, 1);
    readonly Pipe input = new();

    public async Task RunAsync(PodRuntime runtime, PodSandbox sandbox, ContainerSlot slot, IReadOnlyList<string> command, CancellationToken aborted)
    {
        using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var receive = ReceiveLoopAsync(clientGone);
        if (!stdin) await input.Writer.CompleteAsync();
        var outStream = stdout ? new ChannelStream(this, RemoteCommand.Stdout) : Stream.Null;
        var errStream = tty ? outStream : stderr ? new ChannelStream(this, RemoteCommand.Stderr) : Stream.Null;
        int code;
        try
        {
            code = await runtime.ExecAsync(sandbox, slot, command, input.Reader.AsStream(), outStream, errStream, clientGone.Token);
        }
        catch (Exception) when (clientGone.IsCancellationRequested)
        {
            return; // the client left; nobody to tell
        }
        if (clientGone.IsCancellationRequested) return;
        try
        {
            await SendAsync(RemoteCommand.Error, Encoding.UTF8.GetBytes(RemoteCommand.ExitStatus(code, command).ToJsonString()), aborted);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", aborted);
            // Let the client answer the close; the receive loop ends with it.
            await receive.WaitAsync(TimeSpan.FromSeconds(5), aborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException) { }
    }

    async Task ReceiveLoopAsync(CancellationTokenSource clientGone)
    {
        var buffer = new byte[32 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, clientGone.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                var data = message.ToArray();
                message.SetLength(0);
                if (data.Length == 0) continue;
                switch (data[0])
                {
                    case RemoteCommand.Stdin when stdin:
                        await input.Writer.WriteAsync(data.AsMemory(1), clientGone.Token);
                        break;
                    case RemoteCommand.Close when protocol == RemoteCommand.V5 && data.Length > 1 && data[1] == RemoteCommand.Stdin:
                        await input.Writer.CompleteAsync();
                        break;
                }
            }
            await input.Writer.CompleteAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The connection broke before the command ended: stop it.
            await input.Writer.CompleteAsync();
            await clientGone.CancelAsync();
        }
    }

    async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsMemory(1));
        await sendLock.WaitAsync(ct);
        try { await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct); }
        finally { sendLock.Release(); }
    }

    /// <summary>A process's output stream: each write is one binary message on the channel.</summary>
    sealed class ChannelStream(ExecSession session, byte channel) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length > 0) await session.SendAsync(channel, buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
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
