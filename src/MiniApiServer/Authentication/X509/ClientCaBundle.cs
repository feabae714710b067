using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Authentication.X509;

/// <summary>The roots that client certificates must chain to, and a number that changes whenever they do.</summary>
public sealed record ClientCaSnapshot(X509Certificate2Collection Roots, long Generation);

/// <summary>
/// The <c>--client-ca-file</c> bundle: one or more PEM certificates. kube-apiserver watches the file and
/// swaps the roots in place when it changes (dynamiccertificates.DynamicFileCAContent), keeping the old
/// roots when the new content does not parse; this class does the same, looking at the file's size and
/// modification time at most once a second (<see cref="ReloadingFile{T}"/>).
/// </summary>
public sealed class ClientCaBundle
{
    private readonly ReloadingFile<ClientCaSnapshot>? _file;
    private readonly ClientCaSnapshot _fixed = null!;

    /// <summary>Fixed roots (no file behind them).</summary>
    public ClientCaBundle(X509Certificate2Collection roots)
    {
        if (roots.Count == 0)
        {
            throw new ArgumentException("a client CA bundle needs at least one certificate", nameof(roots));
        }
        _fixed = new ClientCaSnapshot(roots, 1);
    }

    private ClientCaBundle(string path, TimeProvider time, ILogger logger)
    {
        path = Path.GetFullPath(path);
        _file = new ReloadingFile<ClientCaSnapshot>(path, new ClientCaSnapshot(Parse(path, File.ReadAllText(path)), 1),
            (pem, previous) => new ClientCaSnapshot(Parse(path, pem ?? throw new PkiException(path, "does not exist")), previous.Generation + 1),
            time, logger, "client CA bundle");
    }

    /// <summary>Reads <paramref name="path"/>; a missing or certificate-less file is a <see cref="PkiException"/> (start-up stops, as in kube-apiserver).</summary>
    public static ClientCaBundle FromFile(string path, TimeProvider time, ILogger? logger = null)
    {
        try
        {
            return new ClientCaBundle(path, time, logger ?? NullLogger.Instance);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PkiException(path, $"cannot read the client CA file ({e.Message})", e);
        }
    }

    /// <summary>The roots in force now (reloaded first when the file changed).</summary>
    public ClientCaSnapshot Current => _file?.Current ?? _fixed;

    internal static X509Certificate2Collection Parse(string path, string pem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new PkiException(path, $"is not a PEM certificate bundle ({e.Message})", e);
        }
        if (roots.Count == 0)
        {
            // client-go certutil: "data does not contain any valid RSA or ECDSA certificates".
            throw new PkiException(path, "contains no PEM certificate");
        }
        return roots;
    }
}
