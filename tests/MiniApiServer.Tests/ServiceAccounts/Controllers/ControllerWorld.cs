using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Admission;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Controllers;
using MiniApiServer.Hosting;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>
/// The tokens controller and the root CA publisher running against an in-memory store, writing through the
/// same registry road as the server (strategies and NamespaceLifecycle). Tests wait on the store's watch.
/// </summary>
public sealed class ControllerWorld : IAsyncDisposable
{
    public const string Ca = "-----BEGIN CERTIFICATE-----\nMIIBcluster\n-----END CERTIFICATE-----\n";
    static readonly WriteOptions User = new() { FieldManager = "kubectl" };

    readonly LiteDbObjectStore store = LiteDbObjectStore.InMemory();
    readonly List<WatchController> controllers;

    public ControllerWorld(ServiceAccountTokenMode mode)
    {
        Rest = new ResourceRest(store, [new NamespaceLifecycle(store)], TimeProvider.System, new SystemRandomSource());
        controllers =
        [
            new TokensController(Rest, new RecognisableTokenIssuer(), Ca, mode, new SystemRandomSource(), TimeProvider.System, NullLogger<TokensController>.Instance),
            new RootCaPublisher(Rest, Ca, TimeProvider.System, NullLogger<RootCaPublisher>.Instance),
        ];
        foreach (var c in controllers) c.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public ResourceRest Rest { get; }
    public IObjectStore Store => store;

    public string NewNamespace()
    {
        var ns = "ns-" + Guid.NewGuid().ToString("N")[..8];
        Create(NamespaceStrategy.Definition, "", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        return ns;
    }

    public JsonObject Create(ResourceDefinition def, string ns, string json) => Rest.Create(def, ns, (JsonObject)JsonNode.Parse(json)!, User);

    public void Delete(ResourceDefinition def, string ns, string name) => Rest.Delete(def, ns, name, new DeleteOptionsInput());

    public JsonObject? Get(ResourceDefinition def, string ns, string name) => store.Get(ResourceRest.Key(def, ns, name))?.Object;

    public List<JsonObject> List(ResourceDefinition def, string ns) => store.List(def.StorageResource, ns).Items.Select(i => i.Object).ToList();

    /// <summary>Returns the probe's answer once it has one, re-probing on every change to the resource (20 s at most).</summary>
    public async Task<T> Eventually<T>(ResourceDefinition def, string ns, Func<T?> probe) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var sub = store.Watch(def.StorageResource, ns, store.CurrentResourceVersion);
        while (true)
        {
            if (probe() is { } found) return found;
            try { await sub.Events.ReadAsync(timeout.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"{def.Plural} in {ns} never got there"); }
        }
    }

    /// <summary>Waits until the object is gone.</summary>
    public Task Gone(ResourceDefinition def, string ns, string name) =>
        Eventually(def, ns, () => Get(def, ns, name) is null ? "gone" : null);

    public async ValueTask DisposeAsync()
    {
        foreach (var c in controllers)
        {
            await c.StopAsync(CancellationToken.None);
            c.Dispose();
        }
        store.Dispose();
    }
}
