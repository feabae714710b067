using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Controllers;
using MiniApiServer.Hosting;
using MiniApiServer.Registry.Core;
using MiniApiServer.Registry.Validation;
using MiniApiServer.Storage;

namespace MiniApiServer.Admission;

/// <summary>
/// kube-apiserver's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go). On pod
/// CREATE it sets <c>spec.serviceAccountName</c> to "default" when empty, requires the account to exist (403),
/// mounts the account's credentials at /var/run/secrets/kubernetes.io/serviceaccount in every container and init
/// container unless turned off (the pod's <c>automountServiceAccountToken</c> wins over the account's), and copies
/// the account's imagePullSecrets into a pod that has none. What is mounted follows the token model:
/// <see cref="ServiceAccountTokenMode.Bound"/> adds the projected <c>kube-api-access-*</c> volume of kube 1.22+;
/// <see cref="ServiceAccountTokenMode.Legacy"/> mounts the account's token Secret, as kube did before.
/// Mirror pods are never changed, and may not reference accounts, Secrets or token projections.
/// </summary>
public sealed class ServiceAccountAdmission(IObjectStore store, ServiceAccountTokenMode mode, IRandomSource random, TimeProvider time) : IAdmissionPlugin
{
    public const string DefaultServiceAccountName = "default";
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";
    public const string EnforceMountableSecretsAnnotation = "kubernetes.io/enforce-mountable-secrets";

    public string Name => "ServiceAccount";

    /// <summary>How long a missing "default" account is waited for (kube looks it up again up to 10 times at one
    /// 100–199 ms interval, since the serviceaccounts controller is about to create it).</summary>
    public TimeSpan DefaultAccountWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Legacy model: how long a pod waits for the tokens controller to list a token Secret in its
    /// account. Kube before 1.22 failed at once (ServerTimeout, and the client retried after a second); the
    /// simulator waits for the controller's write instead, and fails the same way only when it never comes.</summary>
    public TimeSpan LegacyTokenWait { get; init; } = TimeSpan.FromSeconds(3);

    static readonly string[] AccountResources = [ServiceAccountStrategy.Definition.StorageResource];
    static readonly string[] AccountAndSecretResources = [ServiceAccountStrategy.Definition.StorageResource, SecretStrategy.Definition.StorageResource];

    static bool Applies(AdmissionAttributes a) =>
        a.Resource.Kind == "Pod" && a.Resource.Group == "" && a.Operation == AdmissionOperation.Create && a.Subresource is null && a.Object is not null;

    public void Admit(AdmissionAttributes a)
    {
        if (!Applies(a)) return;
        var pod = a.Object!;
        // Mirror pods are the kubelet's copies of static pods: changing them makes the kubelet delete them.
        if (IsMirrorPod(pod) || !NamespaceActive(a.Namespace)) return;
        var spec = pod.Ensure("spec");
        if (spec.Str("serviceAccountName") is not { Length: > 0 } saName)
        {
            saName = DefaultServiceAccountName;
            spec["serviceAccountName"] = saName;
        }
        spec["serviceAccount"] = saName; // the deprecated alias always reads as serviceAccountName (v1 conversion)
        var sa = GetServiceAccount(a, saName);
        if (ShouldAutomount(sa, spec))
        {
            if (mode == ServiceAccountTokenMode.Bound)
                TokenVolumes.MountProjected(spec, random.Random);
            else
                TokenVolumes.MountSecret(spec, LegacyTokenSecret(sa), random.Random);
        }
        if ((spec.ArrAt("imagePullSecrets")?.Count ?? 0) == 0 && sa.ArrAt("imagePullSecrets") is { Count: > 0 } pullSecrets)
            spec["imagePullSecrets"] = new JsonArray(pullSecrets.OfType<JsonObject>()
                .Select(r => (JsonNode?)new JsonObject { ["name"] = r.Str("name") }).ToArray());
    }

    public void Validate(AdmissionAttributes a)
    {
        if (!Applies(a)) return;
        var pod = a.Object!;
        var spec = pod.ObjAt("spec");
        if (IsMirrorPod(pod))
        {
            ValidateMirrorPod(a, spec);
            return;
        }
        if (!NamespaceActive(a.Namespace)) return;
        if (spec.Str("serviceAccountName") is not { Length: > 0 } saName)
            throw Forbidden(a, $"no service account specified for pod {a.Namespace}/{a.Name}");
        var sa = GetServiceAccount(a, saName);
        if (bool.TryParse(sa.Str("metadata", "annotations", EnforceMountableSecretsAnnotation), out var enforce) && enforce
            && MountableSecrets.FirstViolation(sa, spec!) is { } violation)
            throw Forbidden(a, violation);
    }

    static bool IsMirrorPod(JsonObject pod) => pod.ObjAt("metadata", "annotations")?.ContainsKey(MirrorPodAnnotation) == true;

    void ValidateMirrorPod(AdmissionAttributes a, JsonObject? spec)
    {
        if (spec.Str("serviceAccountName") is { Length: > 0 })
            throw Forbidden(a, "a mirror pod may not reference service accounts");
        if (spec is not null && MountableSecrets.ReferencedSecretNames(spec).Any())
            throw Forbidden(a, "a mirror pod may not reference secrets");
        if (spec?.ArrAt("volumes")?.OfType<JsonObject>().Any(v => v.ArrAt("projected", "sources")?.OfType<JsonObject>().Any(s => s["serviceAccountToken"] is not null) == true) == true)
            throw Forbidden(a, "a mirror pod may not use ServiceAccountToken volume projections");
    }

    /// <summary>A missing or terminating namespace is NamespaceLifecycle's to reject (it runs first in kube).</summary>
    bool NamespaceActive(string ns) =>
        store.Get(new ObjectKey(NamespaceStrategy.Definition.StorageResource, "", ns)) is { } found && !found.Object.IsDeleting();

    /// <summary>The account, waiting briefly for "default" (its controller may not have created it yet).</summary>
    JsonObject GetServiceAccount(AdmissionAttributes a, string name)
    {
        var key = ResourceRest.Key(ServiceAccountStrategy.Definition, a.Namespace, name);
        var wait = name == DefaultServiceAccountName ? DefaultAccountWait : TimeSpan.Zero;
        return StoreWait.Until(store, AccountResources, a.Namespace, () => store.Get(key)?.Object, wait, time)
            ?? throw Forbidden(a, $"error looking up service account {a.Namespace}/{name}: serviceaccount \"{name}\" not found");
    }

    /// <summary>Legacy model: the first Secret in the account's <c>secrets</c> that is one of its tokens, waiting
    /// for the tokens controller when there is none yet.</summary>
    string LegacyTokenSecret(JsonObject sa)
    {
        var ns = sa.Namespace();
        var saKey = ResourceRest.Key(ServiceAccountStrategy.Definition, ns, sa.Name());
        string? Probe()
        {
            var live = store.Get(saKey)?.Object;
            if (live is null || live.Uid() != sa.Uid()) return null;
            return ServiceAccountTokenSecrets.ReferencedNames(live).FirstOrDefault(name =>
                store.Get(ResourceRest.Key(SecretStrategy.Definition, ns, name))?.Object is { } secret
                && ServiceAccountTokenSecrets.BelongsTo(secret, live));
        }
        return StoreWait.Until(store, AccountAndSecretResources, ns, Probe, LegacyTokenWait, time)
            ?? throw NoApiToken(sa.Name());
    }

    /// <summary>kube's legacy error: a ServerTimeout (500) asking the client to retry after a second.</summary>
    static ApiException NoApiToken(string saName) => new(StatusErrors.Failure(500, "ServerTimeout",
        $"No API token found for service account \"{saName}\", retry after the token is automatically created and added to the service account",
        new V1StatusDetails { Kind = "serviceaccounts", Name = "create pod", RetryAfterSeconds = 1 }));

    /// <summary>The pod's preference wins, then the account's, else true.</summary>
    static bool ShouldAutomount(JsonObject sa, JsonObject spec) =>
        spec.Bool("automountServiceAccountToken") ?? sa.Bool("automountServiceAccountToken") ?? true;

    /// <summary>admission.NewForbidden: <c>pods "web" is forbidden: …</c>, named by generateName while the name is
    /// still to be generated.</summary>
    static ApiException Forbidden(AdmissionAttributes a, string why)
    {
        var name = NameForErrors(a);
        return StatusErrors.Forbidden($"pods \"{name}\" is forbidden: {why}", "", "pods", name);
    }

    /// <summary>Kube's mutating admission runs before the name is generated, so its errors name a generateName pod
    /// by the prefix. Here the name is generated first; a name that is the (cut) prefix plus the generated
    /// characters is reported as the prefix.</summary>
    static string NameForErrors(AdmissionAttributes a)
    {
        if (a.Object.Str("metadata", "generateName") is not { Length: > 0 } prefix) return a.Name;
        var cut = prefix.Length > NameGenerator.MaxGeneratedNameLength ? prefix[..NameGenerator.MaxGeneratedNameLength] : prefix;
        var generated = a.Name.Length == cut.Length + NameGenerator.RandomLength && a.Name.StartsWith(cut, StringComparison.Ordinal);
        return generated ? prefix : a.Name;
    }
}
