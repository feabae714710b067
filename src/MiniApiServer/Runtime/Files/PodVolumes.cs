using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Runtime.Files;

/// <summary>A volume the kubelet could not set up; the pod waits in ContainerCreating with a FailedMount event.</summary>
public sealed class VolumeSetupException(string volume, string reason)
    : Exception($"MountVolume.SetUp failed for volume \"{volume}\" : {reason}")
{
    public string Volume { get; } = volume;
}

/// <summary>
/// The kubelet's volume plugins, for the volume kinds whose content comes from the API: secret, configMap,
/// projected (serviceAccountToken, configMap, secret, downwardAPI), downwardAPI, and emptyDir (empty). Other
/// kinds (hostPath, persistentVolumeClaim, …) mount as empty folders. File modes follow defaultMode (0644
/// unless set) and per-item mode, as the kubelet writes them.
/// </summary>
public sealed class PodVolumes(IObjectStore store, IEnumerable<IServiceAccountTokenIssuer> issuers, ApiAudiences apiAudiences, TimeProvider time)
{
    /// <summary>kube's default for secret, configMap, projected and downwardAPI volumes (0644).</summary>
    public const int DefaultMode = 0x1A4;

    /// <summary>The content of every volume of <paramref name="pod"/>, by volume name.</summary>
    public Dictionary<string, VolumeContent> Build(JsonObject pod)
    {
        var result = new Dictionary<string, VolumeContent>();
        foreach (var volume in pod.ArrAt("spec", "volumes")?.OfType<JsonObject>() ?? [])
        {
            var name = volume.Str("name") ?? "";
            result[name] = Build(pod, name, volume);
        }
        return result;
    }

    VolumeContent Build(JsonObject pod, string name, JsonObject volume)
    {
        var files = new Dictionary<string, PodFile>();
        try
        {
            if (volume.ObjAt("secret") is { } secret)
                AddSecret(files, pod.Namespace(), secret.Str("secretName") ?? "", secret, Mode(secret, "defaultMode"));
            else if (volume.ObjAt("configMap") is { } cm)
                AddConfigMap(files, pod.Namespace(), cm, Mode(cm, "defaultMode"));
            else if (volume.ObjAt("downwardAPI") is { } downward)
                AddDownwardApi(files, pod, downward, Mode(downward, "defaultMode"));
            else if (volume.ObjAt("projected") is { } projected)
            {
                var mode = Mode(projected, "defaultMode");
                foreach (var source in projected.ArrAt("sources")?.OfType<JsonObject>() ?? [])
                {
                    if (source.ObjAt("serviceAccountToken") is { } sat) AddToken(files, pod, sat, mode);
                    else if (source.ObjAt("configMap") is { } pcm) AddConfigMap(files, pod.Namespace(), pcm, mode);
                    else if (source.ObjAt("secret") is { } ps) AddSecret(files, pod.Namespace(), ps.Str("name") ?? "", ps, mode);
                    else if (source.ObjAt("downwardAPI") is { } pd) AddDownwardApi(files, pod, pd, mode);
                }
            }
        }
        catch (VolumeSourceException e)
        {
            throw new VolumeSetupException(name, e.Message);
        }
        return new VolumeContent(files);
    }

    static int Mode(JsonObject o, string field) => (int)(o.Long(field) ?? DefaultMode);

    sealed class VolumeSourceException(string message) : Exception(message);

    JsonObject? Get(ResourceDefinition def, string ns, string name) => store.Get(ResourceRest.Key(def, ns, name))?.Object;

    void AddSecret(Dictionary<string, PodFile> files, string ns, string secretName, JsonObject source, int mode)
    {
        var secret = Get(SecretStrategy.Definition, ns, secretName);
        if (secret is null)
        {
            if (source.Bool("optional") == true) return;
            throw new VolumeSourceException($"secret \"{secretName}\" not found");
        }
        var data = (secret.ObjAt("data") ?? []).ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value?.GetValue<string>() ?? ""));
        AddItems(files, data, source, mode, key => $"references non-existent secret key: {key}");
    }

    void AddConfigMap(Dictionary<string, PodFile> files, string ns, JsonObject source, int mode)
    {
        var name = source.Str("name") ?? "";
        var cm = Get(ConfigMapStrategy.Definition, ns, name);
        if (cm is null)
        {
            if (source.Bool("optional") == true) return;
            throw new VolumeSourceException($"configmap \"{name}\" not found");
        }
        var data = (cm.ObjAt("data") ?? []).ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value?.GetValue<string>() ?? ""));
        foreach (var (k, v) in cm.ObjAt("binaryData") ?? []) data[k] = Convert.FromBase64String(v?.GetValue<string>() ?? "");
        AddItems(files, data, source, mode, key => $"configmap references non-existent config key: {key}");
    }

    /// <summary>Every key as a file, or only the listed <c>items</c> (key → path, optional mode).</summary>
    static void AddItems(Dictionary<string, PodFile> files, Dictionary<string, byte[]> data, JsonObject source, int mode, Func<string, string> missingKey)
    {
        if (source.ArrAt("items") is not { Count: > 0 } items)
        {
            foreach (var (k, v) in data) files[k] = PodFile.Of(v, mode);
            return;
        }
        foreach (var item in items.OfType<JsonObject>())
        {
            var key = item.Str("key") ?? "";
            if (!data.TryGetValue(key, out var bytes))
            {
                if (source.Bool("optional") == true) continue;
                throw new VolumeSourceException(missingKey(key));
            }
            files[item.Str("path") ?? key] = PodFile.Of(bytes, (int)(item.Long("mode") ?? mode));
        }
    }

    static void AddDownwardApi(Dictionary<string, PodFile> files, JsonObject pod, JsonObject source, int mode)
    {
        foreach (var item in source.ArrAt("items")?.OfType<JsonObject>() ?? [])
        {
            string? value = null;
            if (item.Str("fieldRef", "fieldPath") is { } path) value = FieldPaths.Extract(pod, path);
            else if (item.ObjAt("resourceFieldRef") is { } rf) value = ResourceField(pod, rf);
            if (value is null) continue;
            files[item.Str("path") ?? ""] = PodFile.Of(Encoding.UTF8.GetBytes(value), (int)(item.Long("mode") ?? mode));
        }
    }

    /// <summary>A container's resource request or limit as written in its spec (the divisor is not applied).</summary>
    static string? ResourceField(JsonObject pod, JsonObject rf)
    {
        var container = pod.ArrAt("spec", "containers")?.OfType<JsonObject>().FirstOrDefault(c => c.Str("name") == rf.Str("containerName"));
        var parts = (rf.Str("resource") ?? "").Split('.', 2);
        return parts.Length == 2 ? container?.Str("resources", parts[0], parts[1]) : null;
    }

    void AddToken(Dictionary<string, PodFile> files, JsonObject pod, JsonObject source, int mode)
    {
        if (issuers.FirstOrDefault() is not { } issuer)
            throw new VolumeSourceException("failed to fetch token: the API server has no service account token issuer configured");
        var ns = pod.Namespace();
        var saName = pod.Str("spec", "serviceAccountName") is { Length: > 0 } n ? n : "default";
        var sa = store.Get(ResourceRest.Key(ServiceAccountStrategy.Definition, ns, saName))?.Object
            ?? throw new VolumeSourceException($"failed to fetch token: serviceaccounts \"{saName}\" not found");
        var audience = source.Str("audience");
        var request = new BoundTokenRequest(ns, saName, sa.Uid(),
            string.IsNullOrEmpty(audience) ? apiAudiences.Value : [audience],
            TimeSpan.FromSeconds(source.Long("expirationSeconds") ?? 3600),
            new BoundObjectReference("Pod", pod.Name(), pod.Uid()), ForKubelet: true);
        var tokens = new ServiceAccountTokenSource(issuer, request, time);
        try { tokens.Token(); }
        catch (Exception e) when (e is not VolumeSourceException) { throw new VolumeSourceException($"failed to fetch token: {e.Message}"); }
        files[source.Str("path") ?? "token"] = new PodFile(() => Encoding.UTF8.GetBytes(tokens.Token()), mode);
    }
}
