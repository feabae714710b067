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

    public static async Task<JsonObject> ReadAsync(HttpContext context, ResourceDefinition def)
    {
        var validation = context.Request.Query["fieldValidation"].ToString();
        if (validation is not ("" or "Warn" or "Strict" or "Ignore"))
            throw StatusErrors.BadRequest($"fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"{validation}\"");

        var body = await Negotiation.ReadObjectAsync(context.Request, context.RequestAborted);
        var apiVersion = body.Str("apiVersion");
        var kind = body.Str("kind");
        if (!string.IsNullOrEmpty(kind) && kind != def.Kind || !string.IsNullOrEmpty(apiVersion) && apiVersion != def.ApiVersion)
            throw StatusErrors.BadRequest($"{kind} in version \"{apiVersion}\" cannot be handled as a {def.Kind}: the object provided is unrecognized (must be of type {def.Kind})");

        var check = SchemaCheck.CheckAndPrune(body, ModelSchema.For(def.ModelType));
        if (check.TypeErrors.Count > 0)
            throw StatusErrors.BadRequest($"{def.Kind} in version \"{def.Version}\" cannot be handled as a {def.Kind}: {check.TypeErrors[0]}");
        if (check.UnknownFields.Count > 0)
        {
            var messages = check.UnknownFields.Select(f => $"unknown field \"{f}\"").ToList();
            if (validation == "Strict") throw StatusErrors.BadRequest("strict decoding error: " + string.Join(", ", messages));
            if (validation is "" or "Warn") Negotiation.AddWarnings(context.Response, messages);
        }
        // EnsureObjectNamespaceMatchesRequestNamespace: a cluster-scoped object loses any namespace it was sent with.
        (body["metadata"] as JsonObject)?.Remove("namespace");
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
