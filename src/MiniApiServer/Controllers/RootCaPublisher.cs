using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// kube-controller-manager's root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher): every
/// namespace has a ConfigMap <c>kube-root-ca.crt</c> whose only data key <c>ca.crt</c> is the cluster CA, with a
/// <c>kubernetes.io/description</c> annotation. It is created with the namespace, created again when deleted,
/// and put back when its data or annotation is changed. Pods read it through the kube-api-access volume.
/// </summary>
public sealed class RootCaPublisher(ResourceRest rest, string rootCaPem, TimeProvider time, ILogger<RootCaPublisher> logger)
    : WatchController(rest.Store, NamespaceStrategy.Definition, time, logger)
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string DescriptionAnnotation = "kubernetes.io/description";
    public const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. "
        + "No other usage is guaranteed across distributions of Kubernetes clusters.";
    public const string CaKey = "ca.crt";

    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    /// <summary>Watches the ConfigMaps too: a changed or deleted kube-root-ca.crt sends its namespace back to Reconcile.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(base.ExecuteAsync(stoppingToken),
            ResourceWatch.RunAsync(Store, ConfigMapStrategy.Definition.StorageResource, OnConfigMap, Time, logger, stoppingToken));

    void OnConfigMap(StoredObject cm, WatchEventType? type)
    {
        if (type is not null && cm.Key.Name == ConfigMapName)
            Enqueue(new ObjectKey(NamespaceStrategy.Definition.StorageResource, "", cm.Key.Namespace));
    }

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null || current.Object.IsDeleting()) return null;
        var ns = key.Name;
        var cm = Store.Get(ResourceRest.Key(ConfigMapStrategy.Definition, ns, ConfigMapName))?.Object;
        try
        {
            if (cm is null)
                rest.Create(ConfigMapStrategy.Definition, ns, new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = ConfigMapName,
                        ["annotations"] = new JsonObject { [DescriptionAnnotation] = Description },
                    },
                    ["data"] = Data(),
                }, Options);
            else if (!UpToDate(cm))
                rest.Write(ConfigMapStrategy.Definition, ns, ConfigMapName, Options, null, cur =>
                {
                    var live = cur ?? throw StatusErrors.NotFound("", "configmaps", ConfigMapName);
                    live["data"] = Data();
                    live.Metadata().Ensure("annotations")[DescriptionAnnotation] = Description;
                    return live;
                });
        }
        catch (ApiException e) when (e.Code is 403 or 404 or 409) { } // the namespace is going, or a race its next event settles
        catch (ApiException e) when (e.Code == 422)
        {
            logger.LogWarning("{Namespace}/{Name} cannot be restored: {Message}", ns, ConfigMapName, e.Message);
        }
        return null;
    }

    JsonObject Data() => new() { [CaKey] = rootCaPem };

    /// <summary>kube compares the whole data map with {ca.crt: CA} and wants a non-empty description.</summary>
    bool UpToDate(JsonObject cm) =>
        JsonNode.DeepEquals(cm["data"], Data()) && cm.Str("metadata", "annotations", DescriptionAnnotation) is { Length: > 0 };
}
