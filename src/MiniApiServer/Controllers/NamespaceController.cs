using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// kube-controller-manager's namespace controller: a Terminating namespace has everything in it deleted
/// (pods gracefully, as their own deletion does), and once nothing is left the "kubernetes" finalizer is
/// removed through the finalize subresource, which lets the namespace go.
/// </summary>
public sealed class NamespaceController(ResourceRest rest, ResourceRegistry registry, TimeProvider time, ILogger<NamespaceController> logger)
    : WatchController(rest.Store, NamespaceStrategy.Definition, time, logger)
{
    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null || !current.Object.IsDeleting()) return null;
        var ns = key.Name;
        var remaining = 0;
        foreach (var def in registry.All.Where(d => d.Namespaced))
        {
            foreach (var item in rest.Store.List(def.StorageResource, ns).Items)
            {
                remaining++;
                if (item.Object.IsDeleting()) continue;
                try { rest.Delete(def, ns, item.Key.Name, new DeleteOptionsInput()); }
                catch (ApiException e) when (e.Code is 404 or 409) { }
            }
        }
        if (remaining > 0) return TimeSpan.FromMilliseconds(100);
        try
        {
            rest.Write(NamespaceStrategy.Definition, "", ns, Options, "finalize", cur =>
            {
                var nsObj = cur ?? throw new InvalidOperationException("namespace vanished");
                nsObj.Ensure("spec")["finalizers"] = nsObj.Strings("spec", "finalizers").Where(f => f != NamespaceStrategy.KubernetesFinalizer).ToJsonArray();
                return nsObj;
            });
        }
        catch (ApiException e) when (e.Code == 404) { }
        return null;
    }
}
