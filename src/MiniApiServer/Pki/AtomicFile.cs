namespace MiniApiServer.Pki;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary file in the
/// same directory, is flushed to disk, and is then renamed into place (a rename within one directory is
/// atomic). Secrets are created 0600 from the start, never chmod-ed after being written.
/// </summary>
public static class AtomicFile
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> (UTF-8) to <paramref name="path"/>, replacing it when <paramref name="overwrite"/>.</summary>
    public static void WriteAllText(string path, string content, bool secret, bool overwrite = true)
    {
        var temp = WriteTemp(path, content, secret);
        try
        {
            File.Move(temp, path, overwrite);
        }
        finally
        {
            File.Delete(temp); // no-op after a successful move
        }
    }

    /// <summary>
    /// Writes the temporary file beside <paramref name="path"/> and returns its name; the caller renames it
    /// with <see cref="File.Move(string, string, bool)"/> (so that two files can be prepared before either lands).
    /// </summary>
    public static string WriteTemp(string path, string content, bool secret)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? Private : Public;
        }
        using (var stream = new FileStream(temp, options))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        return temp;
    }
}
