using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Protobuf;
using MiniApiServer.Api.Validation;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.Http;

/// <summary>What a client asked to get back (kube's content negotiation, for the forms we serve).</summary>
public enum ResponseForm { Object, Table, PartialObjectMetadata, Yaml }

/// <summary>Request bodies in, responses out: JSON, YAML and Kubernetes protobuf in; JSON (or YAML, or a Table) out.</summary>
public static class Negotiation
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";

    /// <summary>Response JSON escapes what JSON requires, so a quote is <c>\"</c> as in kube-apiserver's bodies (the
    /// default encoder writes <c>\u0022</c>). Unlike Go's encoder, &lt;, &gt; and &amp; are not written as \u003c….</summary>
    public static readonly JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static readonly JsonSerializerOptions Compact = new(Wire) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The media type without parameters, lower-cased.</summary>
    public static string MediaType(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>Reads an object body (create, update): JSON, YAML or protobuf; anything else is 415.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        var node = await ReadBodyAsync(request, allowPatchTypes: false, ct);
        return node as JsonObject ?? throw StatusErrors.BadRequest("the body of the request must be a JSON object");
    }

    /// <summary>An object body decoded for a kind, with the strict decoding errors its JSON text had
    /// (unknown and duplicate fields, in document order; none for YAML and protobuf bodies).</summary>
    public sealed record DecodedObject(JsonObject Object, IReadOnlyList<string> StrictErrors);

    /// <summary>
    /// Reads the body of a create or update of a kind: JSON is decoded against the kind's schema as kube's
    /// strict decoder does (unknown fields dropped, a repeated key decoded as Go does, both reported), so the
    /// caller can apply fieldValidation; YAML and protobuf are read as <see cref="ReadObjectAsync(HttpRequest, CancellationToken)"/> does.
    /// </summary>
    public static async Task<DecodedObject> ReadObjectAsync(HttpRequest request, ISchemaNode schema, CancellationToken ct)
    {
        var node = await ReadBodyAsync(request, allowPatchTypes: false, ct, schema);
        return node switch
        {
            (JsonObject o, var errors) => new DecodedObject(o, errors),
            _ => throw StatusErrors.BadRequest("the body of the request must be a JSON object"),
        };
    }

    /// <summary>Reads any body; patch types are returned parsed, as JSON.</summary>
    public static async Task<JsonNode?> ReadBodyAsync(HttpRequest request, bool allowPatchTypes, CancellationToken ct) =>
        (await ReadBodyAsync(request, allowPatchTypes, ct, schema: null)).Node;

    static async Task<(JsonNode? Node, IReadOnlyList<string> StrictErrors)> ReadBodyAsync(HttpRequest request, bool allowPatchTypes, CancellationToken ct, ISchemaNode? schema)
    {
        var mediaType = MediaType(request.ContentType);
        using var ms = new MemoryStream();
        await request.Body.CopyToAsync(ms, ct);
        var bytes = ms.ToArray();
        if (KubeProtobuf.IsProtobuf(mediaType)) return (KubeProtobuf.Decode(bytes), []);
        var text = Encoding.UTF8.GetString(bytes);
        switch (mediaType)
        {
            case Json or "" or "*/*" when schema is not null:
                if (string.IsNullOrWhiteSpace(text)) throw StatusErrors.BadRequest("the body of the request was empty");
                var decoded = StrictJsonDecoder.Decode(bytes, schema);
                return (decoded.Value, decoded.StrictErrors);
            case Json or "" or "*/*":
                return (ParseJson(text), []);
            case Resources.PatchTypes.Json or Resources.PatchTypes.Merge or Resources.PatchTypes.StrategicMerge when allowPatchTypes:
                return (Patch.Patches.ParseBody(bytes), []);
            case Yaml or "application/x-yaml" or "text/yaml":
            case Resources.PatchTypes.Apply when allowPatchTypes:
                return (YamlJson.Parse(text), []);
            default:
                throw StatusErrors.UnsupportedMediaType(mediaType);
        }
    }

    public static JsonNode? ParseJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw StatusErrors.BadRequest("the body of the request was empty");
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>The form of a GET/list response, from the Accept header (kube honours the first acceptable entry).</summary>
    public static ResponseForm Form(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length == 0) return ResponseForm.Object;
        foreach (var entry in accept.Split(','))
        {
            var parts = entry.Split(';').Select(p => p.Trim()).ToList();
            var type = parts[0].ToLowerInvariant();
            var asParam = parts.FirstOrDefault(p => p.StartsWith("as=", StringComparison.Ordinal))?[3..];
            var g = parts.FirstOrDefault(p => p.StartsWith("g=", StringComparison.Ordinal))?[2..];
            if (asParam is not null)
            {
                if (type != Json || g != "meta.k8s.io") continue;
                if (asParam == "Table") return ResponseForm.Table;
                if (asParam is "PartialObjectMetadata" or "PartialObjectMetadataList") return ResponseForm.PartialObjectMetadata;
                continue;
            }
            if (type is Json or "*/*" or "application/*") return ResponseForm.Object;
            if (type is Yaml) return ResponseForm.Yaml;
        }
        throw StatusErrors.NotAcceptable(accept);
    }

    public static void AddWarnings(HttpResponse response, IEnumerable<string> warnings)
    {
        foreach (var w in warnings.Distinct())
            response.Headers.Append("Warning", $"299 - \"{w.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
    }

    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode node, ResponseForm form = ResponseForm.Object)
    {
        context.Response.StatusCode = status;
        if (form == ResponseForm.Yaml)
        {
            context.Response.ContentType = Yaml;
            return context.Response.WriteAsync(YamlJson.Write(node), context.RequestAborted);
        }
        context.Response.ContentType = Json;
        return context.Response.WriteAsync(node.ToJsonString(Wire), context.RequestAborted);
    }

    /// <summary>Writes a hand-written or k8s.Models value in Kubernetes' JSON conventions.</summary>
    public static Task WriteValueAsync<T>(HttpContext context, int status, T value, string contentType = Json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        var text = value is k8s.IKubernetesObject || typeof(T).Namespace == "k8s.Models"
            ? KubernetesJson.Serialize(value)
            : JsonSerializer.Serialize(value, Compact);
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    public static Task WriteStatusAsync(HttpContext context, k8s.Models.V1Status status)
    {
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return WriteJsonAsync(context, status.Code ?? 500, StatusJson(status));
    }

    /// <summary>A Status in kube's field order: kind, apiVersion, metadata, status, message, reason, details, code.</summary>
    public static JsonObject StatusJson(k8s.Models.V1Status status)
    {
        var o = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject() };
        if (status.Status is { } s) o["status"] = s;
        if (status.Message is { } m) o["message"] = m;
        if (status.Reason is { } r) o["reason"] = r;
        if (status.Details is { } d) o["details"] = JsonNode.Parse(KubernetesJson.Serialize(d));
        if (status.Code is { } c) o["code"] = c;
        return o;
    }
}
