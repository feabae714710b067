using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using MiniApiServer.Api.Errors;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.OpenApi;

/// <summary>
/// <c>/openapi/v3</c> as kube-apiserver serves it (kube-openapi's handler3): a root document mapping each
/// group-version to a URL carrying the document's hash, and one OpenAPI 3.0 document per group-version.
/// A request with the current <c>?hash=</c> is cacheable for a year (<c>Cache-Control: public, immutable</c>),
/// which lets kubectl's HTTP cache skip the download; a stale hash is redirected to the current one.
/// </summary>
public static class OpenApiV3Endpoints
{
    const string Json = "application/json";

    public static IEndpointRouteBuilder MapOpenApiV3(this IEndpointRouteBuilder app)
    {
        // Generated once, from every kind registered in DI, then served from memory. Generation (mostly reading
        // KubernetesClient.xml) takes about a second, so it starts now in the background rather than on the
        // first `kubectl apply`; a request that comes earlier waits for it.
        var documents = new Lazy<OpenApiDocuments>(() =>
            new OpenApiDocuments(app.ServiceProvider.GetServices<ResourceDefinition>()));
        _ = Task.Run(() => documents.Value);

        app.MapGet("/openapi/v3", (HttpContext context) => ServeRoot(context, documents.Value));
        app.MapGet("/openapi/v3/{**groupVersion}", (HttpContext context, string groupVersion) =>
            ServeGroupVersion(context, documents.Value, groupVersion));
        return app;
    }

    static Task ServeRoot(HttpContext context, OpenApiDocuments documents)
    {
        context.Response.Headers.ETag = documents.Root.ETag;
        return Write(context, documents.Root);
    }

    static Task ServeGroupVersion(HttpContext context, OpenApiDocuments documents, string groupVersion)
    {
        var response = context.Response;
        if (!documents.GroupVersions.TryGetValue(groupVersion.TrimEnd('/'), out var document))
            return Http.Negotiation.WriteStatusAsync(context, StatusErrors.PathNotFound().Status);

        // The body depends on Accept (kube also serves gnostic protobuf, which we do not).
        response.Headers.Vary = "Accept";
        if (!AcceptsJson(context.Request.Headers.Accept))
        {
            response.StatusCode = StatusCodes.Status406NotAcceptable;
            return Task.CompletedTask;
        }
        response.Headers.ETag = document.ETag;

        var hash = context.Request.Query["hash"].ToString();
        if (hash.Length > 0)
        {
            if (hash != document.Hash)
            {
                // An old hash means the document changed: send the client to the current one.
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = $"/openapi/v3/{groupVersion.TrimEnd('/')}?hash={document.Hash}";
                return Task.CompletedTask;
            }
            // Content under a given hash never changes, so it may be cached "forever" (kube: one year).
            var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
            response.Headers.CacheControl = "public, immutable";
            response.Headers.Expires = time.GetUtcNow().AddYears(1).ToString("r", CultureInfo.InvariantCulture);
        }
        return Write(context, document);
    }

    static Task Write(HttpContext context, OpenApiDocument document)
    {
        var response = context.Response;
        if (IfNoneMatch(context.Request.Headers.IfNoneMatch, document.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = Json;
        response.ContentLength = document.Json.Length;
        return response.Body.WriteAsync(document.Json).AsTask();
    }

    static bool IfNoneMatch(StringValues header, string etag) =>
        EntityTagHeaderValue.TryParseList(header, out var tags)
        && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));

    /// <summary>No Accept means anything; otherwise some range must cover application/json.</summary>
    static bool AcceptsJson(StringValues accept)
    {
        if (StringValues.IsNullOrEmpty(accept)) return true;
        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges)) return false;
        return ranges.Any(r => (r.Type.Equals("*", StringComparison.Ordinal) || r.Type.Equals("application", StringComparison.OrdinalIgnoreCase))
            && (r.SubType.Equals("*", StringComparison.Ordinal) || r.SubType.Equals("json", StringComparison.OrdinalIgnoreCase)));
    }
}
