namespace MiniApiServer.Pki;

/// <summary>
/// A cross-process lock on a certificate directory: a lock file held open with <see cref="FileShare.None"/>
/// (an flock on Unix, a share-mode lock on Windows; both end with the process). The file is never deleted:
/// deleting a lock file lets a third process lock a different inode than the second one waits on.
/// </summary>
internal sealed class PkiDirectoryLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);
    private const int MaxAttempts = 2400; // one minute of waiting: generating the PKI takes well under a second

    private readonly FileStream _stream;

    private PkiDirectoryLock(FileStream stream) => _stream = stream;

    public static PkiDirectoryLock Acquire(string certDir)
    {
        var path = Path.Combine(certDir, PkiFileNames.Lock);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new PkiDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (attempt < MaxAttempts && File.Exists(path))
            {
                // Held by another server (or thread) generating files right now: wait for it.
                Thread.Sleep(RetryDelay);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PkiException(path, $"cannot take the certificate directory lock ({e.Message})", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
