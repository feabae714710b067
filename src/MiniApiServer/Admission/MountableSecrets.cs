using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Controllers;

namespace MiniApiServer.Admission;

/// <summary>
/// The Secrets a pod spec names, and the ServiceAccount plugin's opt-in rule (annotation
/// <c>kubernetes.io/enforce-mountable-secrets: "true"</c>, deprecated since 1.32): such an account's pods may use
/// only the Secrets in its <c>secrets</c> list and only its imagePullSecrets. Messages are kube's.
/// </summary>
public static class MountableSecrets
{
    /// <summary>The first reference the account does not allow, as kube words it, or null.</summary>
    public static string? FirstViolation(JsonObject sa, JsonObject spec)
    {
        var allowed = ServiceAccountTokenSecrets.ReferencedNames(sa).ToHashSet();
        var saName = sa.Name();
        const string Tail = "is not allowed because service account {0} does not reference that secret";
        foreach (var v in Objects(spec, "volumes"))
            if (v.Str("secret", "secretName") is { } secretName && !allowed.Contains(secretName))
                return $"volume with secret.secretName=\"{secretName}\" {string.Format(Tail, saName)}";
        foreach (var (list, what) in new[] { ("initContainers", "init container"), ("containers", "container") })
            foreach (var c in Objects(spec, list))
            {
                foreach (var env in Objects(c, "env"))
                    if (env.Str("valueFrom", "secretKeyRef", "name") is { } s && !allowed.Contains(s))
                        return $"{what} {c.Str("name")} with envVar {env.Str("name")} referencing secret.secretName=\"{s}\" {string.Format(Tail, saName)}";
                foreach (var from in Objects(c, "envFrom"))
                    if (from.Str("secretRef", "name") is { } s && !allowed.Contains(s))
                        return $"{what} {c.Str("name")} with envFrom referencing secret.secretName=\"{s}\" {string.Format(Tail, saName)}";
            }
        var pullSecrets = Objects(sa, "imagePullSecrets").Select(r => r.Str("name")).ToHashSet();
        var refs = Objects(spec, "imagePullSecrets").ToList();
        for (var i = 0; i < refs.Count; i++)
            if (!pullSecrets.Contains(refs[i].Str("name")))
                return $"imagePullSecrets[{i}].name=\"{refs[i].Str("name")}\" is not allowed because service account {saName} does not reference that imagePullSecret";
        return null;
    }

    /// <summary>Every Secret the spec names (kube's VisitPodSecretNames): pull secrets, secret and projected
    /// volumes, volume plugins' secretRefs, and env/envFrom of all containers.</summary>
    public static IEnumerable<string> ReferencedSecretNames(JsonObject spec)
    {
        foreach (var r in Objects(spec, "imagePullSecrets")) if (r.Str("name") is { } n) yield return n;
        foreach (var v in Objects(spec, "volumes"))
        {
            if (v.Str("secret", "secretName") is { } s) yield return s;
            if (v.Str("azureFile", "secretName") is { } az) yield return az;
            if (v.Str("csi", "nodePublishSecretRef", "name") is { } csi) yield return csi;
            foreach (var source in Objects(v.ObjAt("projected") ?? [], "sources"))
                if (source.Str("secret", "name") is { } ps) yield return ps;
            foreach (var plugin in new[] { "cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos" })
                if (v.Str(plugin, "secretRef", "name") is { } pr) yield return pr;
        }
        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
            foreach (var c in Objects(spec, list))
            {
                foreach (var env in Objects(c, "env"))
                    if (env.Str("valueFrom", "secretKeyRef", "name") is { } s) yield return s;
                foreach (var from in Objects(c, "envFrom"))
                    if (from.Str("secretRef", "name") is { } s) yield return s;
            }
    }

    static IEnumerable<JsonObject> Objects(JsonObject o, string key) => o.ArrAt(key)?.OfType<JsonObject>() ?? [];
}
