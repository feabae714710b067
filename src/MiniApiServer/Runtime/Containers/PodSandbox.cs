using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Storage;

namespace MiniApiServer.Runtime.Containers;

/// <summary>
/// A pod as the node runs it: its IP, its mounted volumes and its containers. Built from the pod as it was
/// when the sandbox was created (a later spec change does not reach running containers, as on a node).
/// </summary>
public sealed class PodSandbox(ObjectKey key, JsonObject pod, string podIp, IReadOnlyDictionary<string, VolumeContent> volumes)
{
    public ObjectKey Key { get; } = key;
    public string Uid { get; } = pod.Uid();
    /// <summary>The pod with status.podIP filled in, for the downward API.</summary>
    public JsonObject Pod { get; } = pod;
    public string PodIp { get; } = podIp;
    public IReadOnlyDictionary<string, VolumeContent> Volumes { get; } = volumes;
    public List<ContainerSlot> Containers { get; } =
        [.. (pod.ArrAt("spec", "containers")?.OfType<JsonObject>() ?? []).Select(c => new ContainerSlot(c.Str("name") ?? "", c))];

    public ContainerSlot? Container(string name) => Containers.FirstOrDefault(c => c.Name == name);

    public string Hostname => Pod.Str("spec", "hostname") is { Length: > 0 } h ? h : Pod.Name();

    /// <summary>The container's files: the kubelet-managed /etc files, then its volumeMounts.</summary>
    public ContainerFileSystem FileSystem(JsonObject container)
    {
        var image = new Dictionary<string, PodFile>
        {
            ["etc/hostname"] = Text(Hostname + "\n"),
            ["etc/hosts"] = Text("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
                "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" + $"{PodIp}\t{Hostname}\n"),
            ["etc/resolv.conf"] = Text($"search {Key.Namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"),
            ["dev/null"] = PodFile.Of([], 0x1B6),
        };
        var mounts = new List<(string, VolumeContent, string?)>();
        foreach (var m in container.ArrAt("volumeMounts")?.OfType<JsonObject>() ?? [])
            if (Volumes.TryGetValue(m.Str("name") ?? "", out var volume))
                mounts.Add((m.Str("mountPath") ?? "/", volume, m.Str("subPath")));
        return new ContainerFileSystem(image, mounts);
    }

    static PodFile Text(string s) => PodFile.Of(Encoding.UTF8.GetBytes(s), 0x1A4);
}
