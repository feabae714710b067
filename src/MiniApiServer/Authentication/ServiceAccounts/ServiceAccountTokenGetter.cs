using System.Text.Json.Nodes;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// kube's ServiceAccountTokenGetter: the objects a token's claims name, read fresh from storage (kube-apiserver
/// reads its informers, falling back to a live read). Null when absent.
/// </summary>
public sealed class ServiceAccountTokenGetter(IObjectStore store)
{
    public JsonObject? ServiceAccount(string ns, string name) => Get(ServiceAccountStrategy.Definition, ns, name);
    public JsonObject? Secret(string ns, string name) => Get(SecretStrategy.Definition, ns, name);
    public JsonObject? Pod(string ns, string name) => Get(PodStrategy.Definition, ns, name);
    public JsonObject? Node(string name) => Get(NodeStrategy.Definition, "", name);

    /// <summary>The getter's NotFound error, as apimachinery words it: <c>serviceaccounts "x" not found</c>.</summary>
    public static string NotFound(ResourceDefinition def, string name) => $"{def.Plural} \"{name}\" not found";

    JsonObject? Get(ResourceDefinition def, string ns, string name) =>
        name.Length == 0 ? null : store.Get(new ObjectKey(def.StorageResource, def.Namespaced ? ns : "", name))?.Object;
}
