using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Api.TokenRequests;

/// <summary>
/// The objects a TokenRequest names — its service account and its <c>spec.boundObjectRef</c> — looked up with
/// kube's errors (token.go): a missing object is its NotFound, a pod of another service account a 400, a kind
/// other than Pod, Secret or Node (group "") a 400, a uid that is not the object's a 409.
/// </summary>
public sealed class TokenRequestObjects(IObjectStore store)
{
    public JsonObject? ServiceAccount(string ns, string name) => Get(ServiceAccountStrategy.Definition, ns, name);

    /// <summary>The reference as the token will name it: the kind, the name and the object's actual uid.</summary>
    public BoundObjectReference ResolveBoundObject(string ns, string serviceAccount, JsonObject reference)
    {
        var kind = reference.Str("kind") ?? "";
        var name = reference.Str("name") ?? "";
        var (group, version) = ParseApiVersion(reference.Str("apiVersion") ?? "");
        JsonObject target;
        switch (group, kind)
        {
            case ("", "Pod"):
                target = Get(PodStrategy.Definition, ns, name) ?? throw StatusErrors.NotFound("", "pods", name);
                if (target.Str("spec", "serviceAccountName") != serviceAccount)
                    throw StatusErrors.BadRequest($"cannot bind token for serviceaccount \"{serviceAccount}\" to pod running with different serviceaccount name.");
                break;
            case ("", "Node"):
                target = Get(NodeStrategy.Definition, "", name) ?? throw StatusErrors.NotFound("", "nodes", name);
                break;
            case ("", "Secret"):
                target = Get(SecretStrategy.Definition, ns, name) ?? throw StatusErrors.NotFound("", "secrets", name);
                break;
            default:
                // schema.GroupVersionKind.String(): "group/version, Kind=kind".
                throw StatusErrors.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }
        var uid = target.Uid();
        if (reference.Str("uid") is { Length: > 0 } wanted && wanted != uid)
            throw StatusErrors.Conflict(group, kind, name,
                $"the UID in the bound object reference ({wanted}) does not match the UID in record. The object might have been deleted and then recreated");
        return new BoundObjectReference(kind, name, uid);
    }

    /// <summary>
    /// schema.FromAPIVersionAndKind: "v1" is the core group, "g/v" a group and version; anything that does not
    /// parse (more than one slash) leaves both empty.
    /// </summary>
    static (string Group, string Version) ParseApiVersion(string apiVersion)
    {
        if (apiVersion.Length == 0) return ("", "");
        var parts = apiVersion.Split('/');
        return parts.Length switch
        {
            1 => ("", parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
    }

    JsonObject? Get(ResourceDefinition def, string ns, string name) =>
        name.Length == 0 ? null : store.Get(new ObjectKey(def.StorageResource, def.Namespaced ? ns : "", name))?.Object;
}
