using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Controllers;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Admission;

/// <summary>
/// The service-account volume the ServiceAccount admission plugin adds to a pod, and its mounts: every init
/// container and container that mounts nothing at <see cref="MountPath"/> gets the volume there, read-only
/// (ephemeral containers are left alone); the volume is added only when some container got the mount.
/// </summary>
public static class TokenVolumes
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string ProjectedVolumePrefix = "kube-api-access-";
    /// <summary>serviceaccount.WarnOnlyBoundTokenExpirationSeconds: the kubelet asks for this lifetime, and the
    /// server may extend such tokens to a year, warning after 3607 s.</summary>
    public const long TokenExpirationSeconds = 3607;
    /// <summary>0644, the default mode of secret and projected volumes (kube sets it explicitly, kubernetes#104464).</summary>
    public const int DefaultMode = 420;

    /// <summary>Bound model (kube 1.22+): a projected volume of a bound token, the cluster CA and the namespace;
    /// an existing <c>kube-api-access-*</c> volume is reused.</summary>
    public static void MountProjected(JsonObject spec, Random random)
    {
        var existing = Volumes(spec).FirstOrDefault(v => v.Str("name")?.StartsWith(ProjectedVolumePrefix, StringComparison.Ordinal) == true);
        var name = existing?.Str("name") ?? new NameGenerator(random).Generate(ProjectedVolumePrefix);
        if (MountEverywhere(spec, name) && existing is null) AddVolume(spec, ProjectedVolume(name));
    }

    /// <summary>Legacy model (kube before 1.22): the account's token Secret as a secret volume named after it
    /// (dots become dashes; a clash gets a generated suffix); a volume of that Secret already there is reused.</summary>
    public static void MountSecret(JsonObject spec, string secretName, Random random)
    {
        var volumes = Volumes(spec).ToList();
        var existing = volumes.FirstOrDefault(v => v.Str("secret", "secretName") == secretName);
        var name = existing?.Str("name");
        if (name is null)
        {
            name = secretName.Replace('.', '-');
            if (volumes.Any(v => v.Str("name") == name)) name = new NameGenerator(random).Generate(name + "-");
        }
        if (MountEverywhere(spec, name) && existing is null)
            AddVolume(spec, new JsonObject
            {
                ["name"] = name,
                ["secret"] = new JsonObject { ["secretName"] = secretName, ["defaultMode"] = DefaultMode },
            });
    }

    /// <summary>The volume exactly as kube 1.32 writes it (TokenVolumeSource).</summary>
    public static JsonObject ProjectedVolume(string name) => new()
    {
        ["name"] = name,
        ["projected"] = new JsonObject
        {
            ["sources"] = new JsonArray(
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = TokenExpirationSeconds, ["path"] = ServiceAccountTokenSecrets.TokenKey } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = RootCaPublisher.ConfigMapName,
                        ["items"] = new JsonArray(new JsonObject { ["key"] = RootCaPublisher.CaKey, ["path"] = RootCaPublisher.CaKey }),
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray(new JsonObject
                        {
                            ["path"] = ServiceAccountTokenSecrets.NamespaceKey,
                            ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                        }),
                    },
                }),
            ["defaultMode"] = DefaultMode,
        },
    };

    static IEnumerable<JsonObject> Volumes(JsonObject spec) => spec.ArrAt("volumes")?.OfType<JsonObject>() ?? [];

    static void AddVolume(JsonObject spec, JsonObject volume)
    {
        var volumes = spec.ArrAt("volumes") ?? [];
        volumes.Add(volume);
        spec["volumes"] = volumes;
    }

    /// <summary>Mounts the volume in every init container and container without a mount at the path; true when
    /// any container got it.</summary>
    static bool MountEverywhere(JsonObject spec, string volumeName)
    {
        var mounted = false;
        foreach (var list in new[] { "initContainers", "containers" })
            foreach (var c in spec.ArrAt(list)?.OfType<JsonObject>() ?? [])
            {
                var mounts = c.ArrAt("volumeMounts") ?? [];
                if (mounts.OfType<JsonObject>().Any(m => m.Str("mountPath") == MountPath)) continue;
                mounts.Add(new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
                c["volumeMounts"] = mounts;
                mounted = true;
            }
        return mounted;
    }
}
