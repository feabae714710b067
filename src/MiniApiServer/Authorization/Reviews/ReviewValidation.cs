using System.Text.Json.Nodes;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Authorization.Reviews;

/// <summary>kube's <c>pkg/apis/authorization/validation</c> and <c>authorization/util</c> for the review kinds.</summary>
public static class ReviewValidation
{
    static readonly string[] AttributeObjects = ["resourceAttributes", "nonResourceAttributes"];

    /// <summary>Exactly one of resourceAttributes and nonResourceAttributes; a SubjectAccessReview also names a user or a group.</summary>
    public static IEnumerable<FieldError> Spec(JsonObject review, bool self)
    {
        var spec = review.ObjAt("spec") ?? [];
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if (resource is not null && nonResource is not null)
            yield return FieldError.Invalid("spec.nonResourceAttributes", new Registry.Validation.GoValue(Printed(nonResource)), "cannot be specified in combination with resourceAttributes");
        if (resource is null && nonResource is null)
            yield return FieldError.Invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        if (!self && (spec.Str("user") ?? "").Length == 0 && spec.Strings("groups").Count == 0)
            yield return FieldError.Invalid("spec.user", spec.Str("user") ?? "", "at least one of user or group must be specified");
    }

    /// <summary>Reviews are not objects to keep: metadata must be empty (a null creationTimestamp and managedFields aside).</summary>
    public static IEnumerable<FieldError> EmptyMetadata(JsonObject review, bool allowNamespace)
    {
        var meta = review.Metadata().Clone();
        meta.Remove("managedFields");
        if (meta["creationTimestamp"] is null) meta.Remove("creationTimestamp");
        if (allowNamespace) meta.Remove("namespace");
        foreach (var (k, v) in meta.ToList())
            if (v is JsonValue s && s.TryGetValue<string>(out var text) && text.Length == 0) meta.Remove(k);
        if (meta.Count > 0)
            yield return FieldError.Invalid("metadata", new Registry.Validation.GoValue(review.Metadata().ToJsonString()),
                allowNamespace ? "must be empty except for namespace" : "must be empty");
    }

    /// <summary>A LocalSubjectAccessReview asks about its own namespace, and about resources only.</summary>
    public static IEnumerable<FieldError> Local(JsonObject review)
    {
        foreach (var e in EmptyMetadata(review, allowNamespace: true)) yield return e;
        var spec = review.ObjAt("spec") ?? [];
        if (spec["resourceAttributes"] is JsonObject resource && (resource.Str("namespace") ?? "") != review.Namespace())
            yield return FieldError.Invalid("spec.resourceAttributes.namespace", resource.Str("namespace") ?? "", "must match metadata.namespace");
        if (spec["nonResourceAttributes"] is JsonObject nonResource)
            yield return FieldError.Invalid("spec.nonResourceAttributes", new Registry.Validation.GoValue(Printed(nonResource)), "disallowed on this kind of request");
    }

    /// <summary>The request the review asks about (kube's <c>ResourceAttributesFrom</c>/<c>NonResourceAttributesFrom</c>).</summary>
    public static RequestInfo RequestOf(JsonObject spec)
    {
        if (spec["resourceAttributes"] is JsonObject r)
            return new RequestInfo
            {
                IsResourceRequest = true,
                Path = "",
                Verb = r.Str("verb") ?? "",
                Namespace = r.Str("namespace") ?? "",
                ApiGroup = r.Str("group") ?? "",
                // An empty version means every version.
                ApiVersion = (r.Str("version") ?? "") is { Length: > 0 } v ? v : "*",
                Resource = r.Str("resource") ?? "",
                Subresource = r.Str("subresource") ?? "",
                Name = r.Str("name") ?? "",
            };
        var n = spec.ObjAt("nonResourceAttributes") ?? [];
        return new RequestInfo { IsResourceRequest = false, Path = n.Str("path") ?? "", Verb = n.Str("verb") ?? "" };
    }

    /// <summary>The spec as kube echoes it after decoding: empty strings and empty lists (all omitempty) left out.</summary>
    public static JsonObject Normalize(JsonObject spec)
    {
        var result = new JsonObject();
        foreach (var (k, v) in spec)
        {
            if (IsEmpty(v)) continue;
            if (AttributeObjects.Contains(k) && v is JsonObject attributes)
            {
                var cleaned = new JsonObject();
                foreach (var (ak, av) in attributes)
                    if (!IsEmpty(av)) cleaned[ak] = av!.DeepClone();
                result[k] = cleaned;
            }
            else result[k] = v!.DeepClone();
        }
        return result;
    }

    static bool IsEmpty(JsonNode? v) =>
        v is null || v is JsonValue s && s.TryGetValue<string>(out var text) && text.Length == 0 || v is JsonArray { Count: 0 };

    /// <summary>Go's <c>%#v</c>-like print of an attributes pointer in a field error.</summary>
    static string Printed(JsonObject attributes) => "&" + attributes.ToJsonString();
}
