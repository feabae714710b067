namespace MiniApiServer.Runtime.Files;

/// <summary>A path seen from inside a container: a file, a directory, or nothing.</summary>
public abstract record FsEntry
{
    public sealed record File(PodFile Content) : FsEntry;
    public sealed record Directory(IReadOnlyList<string> Names) : FsEntry;
}

/// <summary>
/// The read-only file tree of one container: the image's few well-known files (the kubelet-managed
/// <c>/etc/hosts</c>, <c>/etc/hostname</c>, <c>/etc/resolv.conf</c>) with the pod's volumes mounted over it at
/// their <c>volumeMounts[].mountPath</c> (a <c>subPath</c> mounts one entry of the volume). A deeper mount
/// hides what lies under it, as a bind mount does.
/// </summary>
public sealed class ContainerFileSystem
{
    readonly List<(string Path, Dictionary<string, PodFile> Files)> mounts;

    public ContainerFileSystem(IReadOnlyDictionary<string, PodFile> image, IEnumerable<(string MountPath, VolumeContent Volume, string? SubPath)> volumeMounts)
    {
        mounts = [("/", new Dictionary<string, PodFile>(image))];
        foreach (var (mountPath, volume, subPath) in volumeMounts)
        {
            var files = new Dictionary<string, PodFile>();
            var prefix = string.IsNullOrEmpty(subPath) ? "" : subPath.Trim('/');
            foreach (var (rel, file) in volume.Files)
            {
                if (prefix.Length == 0) files[rel] = file;
                else if (rel == prefix) files[""] = file; // a single file mounted with subPath
                else if (rel.StartsWith(prefix + "/", StringComparison.Ordinal)) files[rel[(prefix.Length + 1)..]] = file;
            }
            mounts.Add((Normalize(mountPath, "/"), files));
        }
        // The deepest mount wins.
        mounts.Sort((a, b) => b.Path.Length.CompareTo(a.Path.Length));
    }

    /// <summary>An absolute, clean path: <paramref name="path"/> resolved against <paramref name="cwd"/>, "." and ".." folded.</summary>
    public static string Normalize(string path, string cwd)
    {
        var full = path.StartsWith('/') ? path : cwd.TrimEnd('/') + "/" + path;
        var parts = new List<string>();
        foreach (var p in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>What is at the absolute, normalized <paramref name="path"/>.</summary>
    public FsEntry? Find(string path)
    {
        foreach (var (mountPath, files) in mounts)
        {
            string rel;
            if (path == mountPath) rel = "";
            else if (mountPath == "/") rel = path.TrimStart('/');
            else if (path.StartsWith(mountPath + "/", StringComparison.Ordinal)) rel = path[(mountPath.Length + 1)..];
            else continue;
            if (files.TryGetValue(rel, out var file)) return new FsEntry.File(file);
            var names = new SortedSet<string>(StringComparer.Ordinal);
            var dirPrefix = rel.Length == 0 ? "" : rel + "/";
            foreach (var key in files.Keys)
                if (key.Length > dirPrefix.Length && key.StartsWith(dirPrefix, StringComparison.Ordinal))
                    names.Add(key[dirPrefix.Length..].Split('/')[0]);
            // Mount points are directories of their parent even when nothing else lives there.
            foreach (var (other, _) in mounts)
            {
                var parent = path == "/" ? "/" : path + "/";
                if (other.Length > parent.Length && other.StartsWith(parent, StringComparison.Ordinal))
                    names.Add(other[parent.Length..].Split('/')[0]);
            }
            if (names.Count > 0 || rel.Length == 0) return new FsEntry.Directory([.. names]);
            return null;
        }
        return null;
    }
}
