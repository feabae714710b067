using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// <c>application/merge-patch+json</c> (RFC 7386): members of a patch object merge recursively into
/// the target, a null member deletes, and every other value (arrays included) replaces.
/// </summary>
internal static class MergePatch
{
    public static JsonObject Apply(JsonObject original, JsonNode? patch)
    {
        // kube decodes the body into map[string]interface{} first (fieldValidation Strict or the default
        // Warn); a non-object fails there, and json-patch's MergePatch rejects the null patch.
        if (patch is null)
            throw PatchErrors.BadRequest("Invalid JSON Patch");
        if (patch is not JsonObject patchObject)
            throw PatchErrors.BadRequest($"error decoding patch: json: cannot unmarshal {GoText.JsonKindWord(patch)} into Go value of type map[string]interface {{}}");

        return MergeObject((JsonObject)original.DeepClone(), patchObject);
    }

    /// <summary>RFC 7386 §2 MergePatch(Target, Patch) where Patch is an object; <paramref name="target"/> is modified in place.</summary>
    static JsonObject MergeObject(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
                target.Remove(name);
            else if (value is JsonObject patchObject)
            {
                // Merge into an existing object in place (keeps member order); anything else is replaced by {}.
                if (target.TryGetPropertyValue(name, out var current) && current is JsonObject currentObject)
                    MergeObject(currentObject, patchObject);
                else
                    target[name] = MergeObject([], patchObject);
            }
            else
                target[name] = value.DeepClone();
        }
        return target;
    }
}
