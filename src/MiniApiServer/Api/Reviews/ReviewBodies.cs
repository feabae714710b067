using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Validation;
using MiniApiServer.Authentication;
using MiniApiServer.Registry;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Reviews;

/// <summary>
/// Reading a review's request body and writing its answer the way kube-apiserver's create handler does for a
/// kind with no storage: decoded as the kind (another kind is a 400, unknown fields dropped and reported per
/// <c>fieldValidation</c>, a wrong JSON type a 400), the namespace cleared for a cluster-scoped kind, and the
/// object written back in Go's field order with Go's <c>omitempty</c>.
/// </summary>
internal static class ReviewBodies
{
    /// <summary>ObjectMeta's JSON field order (k8s.io/apimachinery meta/v1 types.go).</summary>
    static readonly string[] ObjectMetaOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    public static Task<JsonObject> ReadAsync(HttpContext context, ResourceDefinition def) =>
        ReadAsync(context, def.Kind, def.ApiVersion, def.ModelType, requestNamespace: null);

    /// <summary>
    /// The body decoded as <paramref name="kind"/>. <paramref name="requestNamespace"/> is the URL's namespace for a
    /// namespaced kind (the object's must match it when it names one), null for a cluster-scoped kind (whose
    /// namespace is dropped): rest.EnsureObjectNamespaceMatchesRequestNamespace.
    /// </summary>
    public static async Task<JsonObject> ReadAsync(HttpContext context, string kind, string apiVersion, Type modelType, string? requestNamespace)
    {
        var validation = Resources.WriteQuery.Validate(context.Request.Query, "CreateOptions");
        var body = await Negotiation.ReadObjectAsync(context.Request, context.RequestAborted);
        var sentVersion = body.Str("apiVersion");
        var sentKind = body.Str("kind");
        if (!string.IsNullOrEmpty(sentKind) && sentKind != kind || !string.IsNullOrEmpty(sentVersion) && sentVersion != apiVersion)
            throw StatusErrors.BadRequest($"{sentKind} in version \"{sentVersion}\" cannot be handled as a {kind}: the object provided is unrecognized (must be of type {kind})");

        var version = apiVersion[(apiVersion.LastIndexOf('/') + 1)..];
        var check = SchemaCheck.CheckAndPrune(body, ModelSchema.For(modelType));
        if (check.TypeErrors.Count > 0)
            throw StatusErrors.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {kind}: {check.TypeErrors[0]}");
        if (check.UnknownFields.Count > 0)
        {
            var messages = check.UnknownFields.Select(f => $"unknown field \"{f}\"").ToList();
            if (validation == Resources.FieldValidation.Strict) throw StatusErrors.BadRequest("strict decoding error: " + string.Join(", ", messages));
            if (validation == Resources.FieldValidation.Warn) Negotiation.AddWarnings(context.Response, messages);
        }
        if (requestNamespace is null) (body["metadata"] as JsonObject)?.Remove("namespace");
        else if (body.Str("metadata", "namespace") is { Length: > 0 } sentNs && sentNs != requestNamespace)
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        return body;
    }

    /// <summary>The request's metadata as the decoded ObjectMeta serializes: Go's order, creationTimestamp null when unset.</summary>
    public static JsonObject EchoMetadata(JsonObject? sent)
    {
        var meta = new JsonObject();
        foreach (var key in ObjectMetaOrder)
        {
            if (sent?[key] is { } value) meta[key] = value.DeepClone();
            else if (key == "creationTimestamp") meta[key] = null;
        }
        return meta;
    }

    /// <summary>authentication/v1 UserInfo: every field omitempty; extra keys sorted, as Go writes a map.</summary>
    public static JsonObject UserInfoJson(UserInfo user)
    {
        var o = new JsonObject();
        if (user.Name.Length > 0) o["username"] = user.Name;
        if (user.Uid.Length > 0) o["uid"] = user.Uid;
        if (user.Groups.Count > 0) o["groups"] = Strings(user.Groups);
        if (user.Extra.Count > 0)
        {
            var extra = new JsonObject();
            foreach (var (key, values) in user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal)) extra[key] = Strings(values);
            o["extra"] = extra;
        }
        return o;
    }

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>Go's time.RFC3339 for a metav1.Time: UTC, whole seconds.</summary>
    public static string GoTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes the answer: 201, JSON (or YAML when asked for).</summary>
    public static Task WriteCreatedAsync(HttpContext context, JsonObject obj)
    {
        var form = Negotiation.Form(context.Request);
        return Negotiation.WriteJsonAsync(context, StatusCodes.Status201Created, obj, form == ResponseForm.Yaml ? ResponseForm.Yaml : ResponseForm.Object);
    }
}
