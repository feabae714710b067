namespace MiniApiServer.Pki;

/// <summary>
/// The certificate directory cannot be used as it is (half a key pair, a key that does not belong to
/// its certificate, a certificate not signed by its CA, an unreadable file). Like kubeadm, which refuses
/// to guess, start-up stops: the host prints <see cref="Exception.Message"/> — one line that names the
/// file — and exits with code 2 (bad configuration).
/// </summary>
public sealed class PkiException(string filePath, string problem, Exception? inner = null)
    : Exception($"{filePath}: {problem}", inner)
{
    /// <summary>The file the problem is about.</summary>
    public string FilePath { get; } = filePath;
}
