using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.OpenApi;

/// <summary>One served OpenAPI document: its bytes and kube's hash of them (the <c>?hash=</c> and the ETag).</summary>
internal sealed record OpenApiDocument(byte[] Json, string Hash)
{
    public string ETag => $"\"{Hash}\"";

    /// <summary>kube-openapi hashes a document as the upper-case hex SHA-512 of its JSON.</summary>
    public static OpenApiDocument Of(JsonNode node)
    {
        var json = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
        return new(json, Convert.ToHexString(SHA512.HashData(json)));
    }
}

/// <summary>
/// The OpenAPI v3 documents of the served kinds: one per group-version (keyed "api/v1",
/// "apis/rbac.authorization.k8s.io/v1") plus the root document that maps each key to its hashed URL.
/// Built once from the resource definitions and <see cref="Schema.ModelSchema"/>; never from a spec file.
/// </summary>
internal sealed class OpenApiDocuments
{
    /// <summary>The release this server answers as (kubectl ignores it; it is informational).</summary>
    const string KubernetesVersion = "v1.32.0";

    public OpenApiDocuments(IEnumerable<ResourceDefinition> definitions)
    {
        var groupVersions = new SortedDictionary<string, OpenApiDocument>(StringComparer.Ordinal);
        foreach (var gv in definitions.GroupBy(d => (d.Group, d.Version)))
        {
            var key = gv.Key.Group.Length == 0 ? $"api/{gv.Key.Version}" : $"apis/{gv.Key.Group}/{gv.Key.Version}";
            groupVersions[key] = OpenApiDocument.Of(GroupVersionDocument(gv));
        }
        GroupVersions = groupVersions;

        var paths = new JsonObject();
        foreach (var (key, doc) in groupVersions)
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={doc.Hash}" };
        Root = OpenApiDocument.Of(new JsonObject { ["paths"] = paths });
    }

    public OpenApiDocument Root { get; }
    public IReadOnlyDictionary<string, OpenApiDocument> GroupVersions { get; }

    static JsonObject GroupVersionDocument(IEnumerable<ResourceDefinition> definitions)
    {
        var schemas = new ComponentSchemas();
        var builder = new ResourcePaths(schemas);
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var d in definitions.OrderBy(d => d.Plural, StringComparer.Ordinal))
        {
            builder.Add(paths, d);
            // Every served kind has a component even when no operation returns it (e.g. create-only reviews).
            schemas.RefTo(d.ModelType);
        }

        var pathsNode = new JsonObject();
        foreach (var (path, item) in paths) pathsNode[path] = item;
        return new JsonObject
        {
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Build(),
                ["securitySchemes"] = new JsonObject
                {
                    ["BearerToken"] = new JsonObject
                    {
                        ["description"] = "Bearer Token authentication",
                        ["in"] = "header",
                        ["name"] = "authorization",
                        ["type"] = "apiKey",
                    },
                },
            },
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = KubernetesVersion },
            ["openapi"] = "3.0.0",
            ["paths"] = pathsNode,
            ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
        };
    }
}
