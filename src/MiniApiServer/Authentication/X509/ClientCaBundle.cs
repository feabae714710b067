using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Pki;

namespace MiniApiServer.Authentication.X509;

/// <summary>The roots that client certificates must chain to, and a number that changes whenever they do.</summary>
public sealed record ClientCaSnapshot(X509Certificate2Collection Roots, long Generation);

/// <summary>
/// The <c>--client-ca-file</c> bundle: one or more PEM certificates. kube-apiserver watches the file and
/// swaps the roots in place when it changes (dynamiccertificates.DynamicFileCAContent), keeping the old
/// roots when the new content does not parse; this class does the same, looking at the file's size and
/// modification time at most once per <see cref="RecheckInterval"/>.
/// </summary>
public sealed class ClientCaBundle
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private volatile ClientCaSnapshot _current;
    private (DateTime Modified, long Length) _fileStamp;
    private DateTimeOffset _nextCheck;

    /// <summary>Fixed roots (no file behind them).</summary>
    public ClientCaBundle(X509Certificate2Collection roots)
    {
        if (roots.Count == 0)
        {
            throw new ArgumentException("a client CA bundle needs at least one certificate", nameof(roots));
        }
        _current = new ClientCaSnapshot(roots, 1);
        _time = TimeProvider.System;
        _logger = NullLogger.Instance;
    }

    private ClientCaBundle(string path, TimeProvider time, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _time = time;
        _logger = logger;
        _fileStamp = Stamp(_path);
        _current = new ClientCaSnapshot(Parse(_path, File.ReadAllText(_path)), 1);
        _nextCheck = time.GetUtcNow() + RecheckInterval;
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
    public ClientCaSnapshot Current
    {
        get
        {
            if (_path is not null && _time.GetUtcNow() >= _nextCheck)
            {
                ReloadIfChanged(_path);
            }
            return _current;
        }
    }

    private void ReloadIfChanged(string path)
    {
        lock (_reloadLock)
        {
            var now = _time.GetUtcNow();
            if (now < _nextCheck)
            {
                return;
            }
            _nextCheck = now + RecheckInterval;
            try
            {
                var stamp = Stamp(path);
                if (stamp == _fileStamp)
                {
                    return;
                }
                var roots = Parse(path, File.ReadAllText(path));
                _fileStamp = stamp;
                _current = new ClientCaSnapshot(roots, _current.Generation + 1);
                _logger.LogInformation("Reloaded client CA bundle {Path}: {Count} certificate(s)", path, roots.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
            {
                _logger.LogWarning("Keeping the previous client CA bundle: {Reason}", e.Message);
            }
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return (info.LastWriteTimeUtc, info.Length);
    }

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
