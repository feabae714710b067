namespace MiniApiServer.Runtime.Files;

/// <summary>One file a volume projects: its bytes are read at access, so a refreshed token is seen at once;
/// <paramref name="Mode"/> is the permission bits the kubelet writes (defaultMode or the item's mode).</summary>
public sealed record PodFile(Func<byte[]> Read, int Mode)
{
    public static PodFile Of(byte[] bytes, int mode) => new(() => bytes, mode);
}

/// <summary>
/// The files of one volume, by path relative to the volume root ("token", "ssl/ca.crt"). The kubelet writes
/// secret, configMap, projected and downwardAPI volumes through an atomic writer (a <c>..data</c> symlink to a
/// timestamped folder); that indirection is invisible to <c>cat</c> and left out here, as are the dot entries
/// <c>ls</c> hides. An emptyDir starts empty.
/// </summary>
public sealed class VolumeContent(IReadOnlyDictionary<string, PodFile> files)
{
    public static readonly VolumeContent Empty = new(new Dictionary<string, PodFile>());

    public IReadOnlyDictionary<string, PodFile> Files { get; } = files;
}
