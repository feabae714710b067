namespace MiniApiServer.Hosting;

/// <summary>
/// A file's parsed content, kept current the way kube-apiserver's dynamic file content
/// (dynamiccertificates.DynamicFileCAContent) keeps <c>--client-ca-file</c>: the file is looked at (modification
/// time and size) at most once per <see cref="RecheckInterval"/>, on use; a changed file is parsed again; a file
/// that cannot be read or parsed keeps the previous content and logs why.
/// </summary>
public sealed class ReloadingFile<T> where T : class
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    readonly Func<string?, T, T> parse;
    readonly TimeProvider time;
    readonly ILogger logger;
    readonly string what;
    readonly Lock gate = new();
    volatile T current;
    (DateTime Modified, long Length) stamp;
    DateTimeOffset nextCheck;

    /// <param name="initial">The content read at start (start-up already failed if it was bad).</param>
    /// <param name="parse">Parses the file's text (null when the file does not exist) given the content in force;
    /// throws <see cref="IOException"/>, <see cref="FormatException"/> or <see cref="Pki.PkiException"/> to keep the old content.</param>
    public ReloadingFile(string path, T initial, Func<string?, T, T> parse, TimeProvider time, ILogger logger, string what)
    {
        Path = path;
        (current, this.parse, this.time, this.logger, this.what) = (initial, parse, time, logger, what);
        stamp = Stamp(path);
        nextCheck = time.GetUtcNow() + RecheckInterval;
    }

    public string Path { get; }

    /// <summary>The content in force now, read again first when the file changed.</summary>
    public T Current
    {
        get
        {
            if (time.GetUtcNow() >= nextCheck) ReloadIfChanged();
            return current;
        }
    }

    void ReloadIfChanged()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now < nextCheck) return;
            nextCheck = now + RecheckInterval;
            try
            {
                var seen = Stamp(Path);
                if (seen == stamp) return;
                current = parse(seen.Length < 0 ? null : File.ReadAllText(Path), current);
                stamp = seen;
                logger.LogInformation("Reloaded {What} {Path}", what, Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or Pki.PkiException)
            {
                logger.LogWarning("Keeping the previous {What} ({Path}): {Reason}", what, Path, e.Message);
            }
        }
    }

    static (DateTime Modified, long Length) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
