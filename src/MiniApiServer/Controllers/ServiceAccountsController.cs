using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Controllers;

/// <summary>
/// kube-controller-manager's serviceaccounts controller: every active namespace has a ServiceAccount named
/// "default", created with the namespace and created again when it is deleted.
/// </summary>
public sealed class ServiceAccountsController(ResourceRest rest, TimeProvider time, ILogger<ServiceAccountsController> logger)
    : WatchController(rest.Store, NamespaceStrategy.Definition, time, logger)
{
    public const string DefaultName = "default";
    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null || current.Object.IsDeleting()) return null;
        var ns = key.Name;
        if (Store.Get(ResourceRest.Key(ServiceAccountStrategy.Definition, ns, DefaultName)) is not null) return null;
        try
        {
            rest.Create(ServiceAccountStrategy.Definition, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = DefaultName } }, Options);
        }
        catch (ApiException e) when (e.Code is 409 or 403 or 404) { } // exists already, or the namespace is going
        return null;
    }

    /// <summary>Watches service accounts too: a deleted "default" sends its namespace back to <see cref="Reconcile"/>.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(base.ExecuteAsync(stoppingToken), WatchDefaultsAsync(stoppingToken));

    async Task WatchDefaultsAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var sub = Store.Watch(ServiceAccountStrategy.Definition.StorageResource, null, Store.CurrentResourceVersion);
                await foreach (var ev in sub.Events.ReadAllAsync(ct))
                    if (ev.Type == WatchEventType.Deleted && ev.Object.Key.Name == DefaultName)
                        Enqueue(new ObjectKey(NamespaceStrategy.Definition.StorageResource, "", ev.Object.Key.Namespace));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (StorageException) { } // watch fell behind or history moved on: watch again from now
        }
    }
}
