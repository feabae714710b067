using System.Globalization;
using System.Text.Json.Nodes;

namespace MiniApiServer.Storage;

/// <summary>The few JSON operations the store needs on the objects it keeps.</summary>
internal static class StoredJson
{
    /// <summary>
    /// Takes ownership of <paramref name="obj"/>: copies it unless it is already the store's own copy, and
    /// forces every lazily parsed container open, so the shared tree is only ever read afterwards and
    /// may be read from many threads at once (System.Text.Json initialises parsed nodes on first access).
    /// </summary>
    public static JsonObject Own(JsonObject obj, bool alreadyCopied)
    {
        var owned = alreadyCopied && obj.Parent is null ? obj : obj.DeepClone().AsObject();
        Materialize(owned);
        return owned;
    }

    public static JsonObject Parse(string json)
    {
        var obj = JsonNode.Parse(json)?.AsObject()
            ?? throw new StorageException("stored object is not a JSON object");
        Materialize(obj);
        return obj;
    }

    /// <summary>kube writes the resourceVersion as a decimal string into metadata.resourceVersion.</summary>
    public static void SetResourceVersion(JsonObject obj, long resourceVersion)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }
        metadata["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// kube's GuaranteedUpdate stores nothing when the new object encodes exactly like the stored one
    /// with its resourceVersion ignored (etcd3 store compares the bytes before and after tryUpdate).
    /// </summary>
    public static bool SameIgnoringResourceVersion(JsonObject candidate, StoredObject current)
    {
        SetResourceVersion(candidate, current.ResourceVersion);
        return JsonNode.DeepEquals(candidate, current.Object);
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj) Materialize(property.Value);
                break;
            case JsonArray array:
                foreach (var item in array) Materialize(item);
                break;
        }
    }
}
