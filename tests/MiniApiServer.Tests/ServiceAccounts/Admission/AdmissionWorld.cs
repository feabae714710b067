using System.Text.Json.Nodes;
using MiniApiServer.Admission;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Hosting;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.ServiceAccounts.Admission;

/// <summary>
/// A store holding the objects the ServiceAccount plugin looks at (namespace, accounts, Secrets), written
/// directly, and the plugin over it. <see cref="WatchStarted"/> completes when the plugin starts waiting.
/// </summary>
public sealed class AdmissionWorld : IDisposable
{
    public const string Ns = "team";
    readonly SignallingStore store = new(LiteDbObjectStore.InMemory());

    public AdmissionWorld(ServiceAccountTokenMode mode, TimeSpan? legacyTokenWait = null, TimeSpan? defaultAccountWait = null)
    {
        Plugin = new ServiceAccountAdmission(store, mode, new SeededRandom(), TimeProvider.System)
        {
            LegacyTokenWait = legacyTokenWait ?? TimeSpan.Zero,
            DefaultAccountWait = defaultAccountWait ?? TimeSpan.Zero,
        };
        Put(NamespaceStrategy.Definition.StorageResource, "", $$$"""{"metadata":{"name":"{{{Ns}}}"}}""");
    }

    public ServiceAccountAdmission Plugin { get; }
    public IObjectStore Store => store;
    public Task WatchStarted => store.WatchStarted.Task;

    public static string Resource(string kind) => kind switch
    {
        "sa" => ServiceAccountStrategy.Definition.StorageResource,
        "secret" => SecretStrategy.Definition.StorageResource,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Stores an object (a uid is added when it has none) and returns it.</summary>
    public JsonObject Put(string resource, string ns, string json)
    {
        var obj = (JsonObject)JsonNode.Parse(json)!;
        var meta = obj.Metadata();
        meta["uid"] ??= Guid.NewGuid().ToString();
        if (ns.Length > 0) meta["namespace"] = ns;
        return store.Create(new ObjectKey(resource, ns, obj.Name()), obj).Object;
    }

    public JsonObject Account(string name, string extra = "") =>
        Put(Resource("sa"), Ns, $$$"""{"metadata":{"name":"{{{name}}}"}{{{extra}}}}""");

    /// <summary>A token Secret of the account, listed in its <c>secrets</c> when <paramref name="listed"/>.</summary>
    public JsonObject Token(JsonObject sa, string secretName, bool listed = true)
    {
        var secret = Put(Resource("secret"), Ns, $$$"""
            {"metadata":{"name":"{{{secretName}}}","annotations":{"kubernetes.io/service-account.name":"{{{sa.Name()}}}","kubernetes.io/service-account.uid":"{{{sa.Uid()}}}"}},
             "type":"kubernetes.io/service-account-token","data":{"token":"dA=="}}
            """);
        if (listed)
            store.Update(new ObjectKey(Resource("sa"), Ns, sa.Name()), cur =>
            {
                var secrets = cur!.ArrAt("secrets") ?? [];
                secrets.Add(new JsonObject { ["name"] = secretName });
                cur!["secrets"] = secrets;
                return cur;
            });
        return secret;
    }

    public static JsonObject Pod(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static AdmissionAttributes Create(JsonObject pod, string? ns = null) =>
        new(PodStrategy.Definition, AdmissionOperation.Create, ns ?? Ns, pod.Name(), null, pod, null, null, false);

    /// <summary>Admit then Validate, as the create road runs them.</summary>
    public JsonObject Admit(JsonObject pod, string? ns = null)
    {
        var attrs = Create(pod, ns);
        Plugin.Admit(attrs);
        Plugin.Validate(attrs);
        return pod;
    }

    public void Dispose() => store.Dispose();

    sealed class SeededRandom : IRandomSource
    {
        public Guid NewUid() => Guid.NewGuid();
        public Random Random { get; } = new(5);
    }

    /// <summary>The store, telling when someone starts watching it.</summary>
    sealed class SignallingStore(IObjectStore inner) : IObjectStore
    {
        public TaskCompletionSource WatchStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long CurrentResourceVersion => inner.CurrentResourceVersion;
        public StoredObject? Get(ObjectKey key) => inner.Get(key);
        public ListResult List(string resource, string? ns) => inner.List(resource, ns);
        public StoredObject Create(ObjectKey key, JsonObject obj) => inner.Create(key, obj);
        public StoredObject Update(ObjectKey key, Func<JsonObject?, JsonObject> update, bool createIfMissing = false) => inner.Update(key, update, createIfMissing);
        public StoredObject Delete(ObjectKey key, Action<StoredObject>? precondition = null) => inner.Delete(key, precondition);
        public IWatchSubscription Watch(string resource, string? ns, long afterResourceVersion)
        {
            var sub = inner.Watch(resource, ns, afterResourceVersion);
            WatchStarted.TrySetResult();
            return sub;
        }
        public void Dispose() => inner.Dispose();
    }
}
