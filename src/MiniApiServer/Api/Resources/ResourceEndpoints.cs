using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Authentication;
using MiniApiServer.Registry;
using MiniApiServer.Schema;
using MiniApiServer.Storage;

namespace MiniApiServer.Api.Resources;

/// <summary>
/// kube's <c>rest.Connecter</c>: a subresource that is not an object but a stream or an upgrade (pods/exec,
/// pods/log), served by a handler of its own once the generic checks (path, verb, authorization) passed.
/// </summary>
public interface ISubresourceConnector
{
    /// <summary>The storage resource, e.g. "pods".</summary>
    string Resource { get; }
    string Subresource { get; }
    Task ConnectAsync(HttpContext context, string ns, string name);
}

/// <summary>
/// The one HTTP handler for every resource request (kube's <c>endpoints/handlers</c>): it reads the
/// RequestInfo, finds the kind's definition and serves get, list, watch, create, update, patch, delete and
/// deletecollection from it. No kind has endpoints of its own.
/// </summary>
public sealed class ResourceEndpoints(ResourceRegistry registry, ResourceRest rest, WatchStreamer watches, TimeProvider time, IEnumerable<ISubresourceConnector> connectors)
{
    public async Task HandleAsync(HttpContext context)
    {
        var info = context.GetRequestInfo();
        var def = registry.Find(info.ApiGroup, info.ApiVersion, info.Resource) ?? throw StatusErrors.PathNotFound();
        var ct = context.RequestAborted;
        if (def.Namespaced && info.Namespace.Length == 0 && info.Name.Length > 0 && info.Resource != "namespaces")
            throw StatusErrors.PathNotFound();
        if (!def.Namespaced && info.Namespace.Length > 0 && info.Resource != "namespaces")
            throw StatusErrors.PathNotFound();
        var ns = def.Namespaced ? info.Namespace : "";
        var sub = info.Subresource.Length > 0 ? info.Subresource : null;
        if (sub is not null && !def.Subresources.Any(s => s.Name == sub)) throw StatusErrors.PathNotFound();
        if (info.Parts.Count > 3) throw StatusErrors.PathNotFound();
        if (sub is null && !def.Supports(info.Verb)) throw StatusErrors.MethodNotSupported(def.Group, def.Plural, info.Verb);
        if (sub is not null && !def.Subresources.First(s => s.Name == sub).Verbs.Contains(info.Verb))
            throw StatusErrors.MethodNotSupported(def.Group, def.Plural + "/" + sub, info.Verb);
        if (sub is not null && connectors.FirstOrDefault(c => c.Resource == def.StorageResource && c.Subresource == sub) is { } connector)
        {
            await connector.ConnectAsync(context, ns, info.Name);
            return;
        }

        switch (info.Verb)
        {
            case "get": await GetAsync(context, def, ns, info.Name); break;
            case "list": await ListAsync(context, def, ns); break;
            case "watch": await watches.ServeAsync(context, def, ns, ListFilter.FromQuery(def, context.Request.Query)); break;
            case "create":
                if (def.Namespaced && ns.Length == 0) throw StatusErrors.MethodNotSupported(def.Group, def.Plural, "create");
                await CreateAsync(context, def, ns, sub, ct);
                break;
            case "update": await UpdateAsync(context, def, ns, info.Name, sub, ct); break;
            case "patch": await PatchAsync(context, def, ns, info.Name, sub, ct); break;
            case "delete": await DeleteAsync(context, def, ns, info.Name, ct); break;
            case "deletecollection":
                if (!def.Supports("deletecollection")) throw StatusErrors.MethodNotSupported(def.Group, def.Plural, "deletecollection");
                await DeleteCollectionAsync(context, def, ns, ct);
                break;
            default: throw StatusErrors.MethodNotSupported(def.Group, def.Plural, info.Verb);
        }
    }

    async Task GetAsync(HttpContext context, ResourceDefinition def, string ns, string name)
    {
        var form = Negotiation.Form(context.Request);
        var obj = rest.Get(def, ns, name);
        if (form == ResponseForm.Table)
        {
            var table = TableConverter.Convert(def, [obj], time.GetUtcNow(), context.Request.Query["includeObject"], obj.ResourceVersion());
            await Negotiation.WriteValueAsync(context, 200, table);
            return;
        }
        await Negotiation.WriteJsonAsync(context, 200, form == ResponseForm.PartialObjectMetadata ? TableConverter.PartialObjectMetadata(obj) : obj, form);
    }

    async Task ListAsync(HttpContext context, ResourceDefinition def, string ns)
    {
        var form = Negotiation.Form(context.Request);
        var filter = ListFilter.FromQuery(def, context.Request.Query);
        var page = ListPager.Take(rest.Store, def, ns.Length == 0 ? null : ns, filter, context.Request.Query);
        if (form == ResponseForm.Table)
        {
            var table = TableConverter.Convert(def, page.Items, time.GetUtcNow(), context.Request.Query["includeObject"], page.ResourceVersion, page.Continue);
            await Negotiation.WriteValueAsync(context, 200, table);
            return;
        }
        var metadata = new JsonObject { ["resourceVersion"] = page.ResourceVersion };
        if (page.Continue is not null) metadata["continue"] = page.Continue;
        if (page.RemainingItemCount is { } remaining) metadata["remainingItemCount"] = remaining;
        var list = form == ResponseForm.PartialObjectMetadata
            ? new JsonObject
            {
                ["kind"] = "PartialObjectMetadataList", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Items.Select(o => (JsonNode)TableConverter.PartialObjectMetadata(o)).ToArray()),
            }
            : new JsonObject
            {
                ["kind"] = def.ListKind, ["apiVersion"] = def.ApiVersion, ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Items.Select(WithTypeMeta(def)).ToArray()),
            };
        await Negotiation.WriteJsonAsync(context, 200, list, form);
    }

    static Func<JsonObject, JsonNode> WithTypeMeta(ResourceDefinition def) => o =>
    {
        var item = new JsonObject { ["kind"] = def.Kind, ["apiVersion"] = def.ApiVersion };
        foreach (var (k, v) in o) if (k is not ("kind" or "apiVersion")) item[k] = v?.DeepClone();
        return item;
    };

    async Task CreateAsync(HttpContext context, ResourceDefinition def, string ns, string? sub, CancellationToken ct)
    {
        var options = WriteOptionsFrom(context, "CreateOptions");
        var body = await Negotiation.ReadObjectAsync(context.Request, ModelSchema.For(def.ModelType), ct);
        options = options with { BodyStrictErrors = body.StrictErrors };
        var created = rest.Create(def, ns, body.Object, options, sub);
        Negotiation.AddWarnings(context.Response, options.Warnings);
        await Negotiation.WriteJsonAsync(context, 201, created);
    }

    async Task UpdateAsync(HttpContext context, ResourceDefinition def, string ns, string name, string? sub, CancellationToken ct)
    {
        var options = WriteOptionsFrom(context, "UpdateOptions");
        var body = await Negotiation.ReadObjectAsync(context.Request, ModelSchema.For(def.ModelType), ct);
        options = options with { BodyStrictErrors = body.StrictErrors };
        var updated = rest.Update(def, ns, name, body.Object, options, sub);
        Negotiation.AddWarnings(context.Response, options.Warnings);
        await Negotiation.WriteJsonAsync(context, 200, updated);
    }

    async Task PatchAsync(HttpContext context, ResourceDefinition def, string ns, string name, string? sub, CancellationToken ct)
    {
        var contentType = Negotiation.MediaType(context.Request.ContentType);
        if (!PatchTypes.IsSupported(contentType)) throw PatchTypes.Unsupported();
        var options = WriteOptionsFrom(context, "PatchOptions", isApply: contentType == PatchTypes.Apply);
        if (contentType != PatchTypes.Apply && context.Request.Query.ContainsKey("force"))
            throw StatusErrors.Invalid("meta.k8s.io", "PatchOptions", "", [FieldError.Forbidden("force", "may not be specified for non-apply patch")]);
        var patch = await Negotiation.ReadBodyAsync(context.Request, allowPatchTypes: true, ct)
            ?? throw StatusErrors.BadRequest("the body of the request was empty");
        var (obj, created) = rest.Patch(def, ns, name, contentType, patch, options, sub);
        Negotiation.AddWarnings(context.Response, options.Warnings);
        await Negotiation.WriteJsonAsync(context, created ? 201 : 200, obj);
    }

    async Task DeleteAsync(HttpContext context, ResourceDefinition def, string ns, string name, CancellationToken ct)
    {
        var options = await DeleteOptionsFromAsync(context, ct);
        var (obj, _) = rest.Delete(def, ns, name, options);
        await Negotiation.WriteJsonAsync(context, 200, obj);
    }

    async Task DeleteCollectionAsync(HttpContext context, ResourceDefinition def, string ns, CancellationToken ct)
    {
        var options = await DeleteOptionsFromAsync(context, ct);
        var filter = ListFilter.FromQuery(def, context.Request.Query);
        var list = rest.Store.List(def.StorageResource, ns.Length == 0 ? null : ns);
        var deleted = new JsonArray();
        foreach (var item in list.Items.Where(i => filter.Matches(i.Object)))
        {
            try
            {
                var (obj, _) = rest.Delete(def, item.Key.Namespace, item.Key.Name, options);
                deleted.Add(WithTypeMeta(def)(obj));
            }
            catch (ApiException e) when (e.Code == 404) { }
        }
        var result = new JsonObject
        {
            ["kind"] = def.ListKind, ["apiVersion"] = def.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rest.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        };
        await Negotiation.WriteJsonAsync(context, 200, result);
    }

    /// <summary>The write options of the query: dryRun, fieldManager (else derived from the User-Agent as kube
    /// does), fieldValidation (default Warn; the deprecated ?validate is not read), force.</summary>
    static WriteOptions WriteOptionsFrom(HttpContext context, string optionsKind, bool isApply = false)
    {
        var q = context.Request.Query;
        var validation = WriteQuery.Validate(q, optionsKind);
        var manager = q["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            if (isApply) throw StatusErrors.Invalid("meta.k8s.io", optionsKind, "", [FieldError.Required("fieldManager", "is required for apply patch")]);
            manager = ManagerFromUserAgent(context.Request.Headers.UserAgent.ToString());
        }
        if (manager.Length > 128)
            throw StatusErrors.Invalid("meta.k8s.io", optionsKind, "", [FieldError.TooLong("fieldManager", manager, 128)]);
        var force = q["force"].ToString() is "true" or "1";
        return new WriteOptions
        {
            DryRun = q["dryRun"].Count > 0,
            FieldManager = manager,
            FieldValidation = validation,
            Force = force,
            User = context.GetUser(),
        };
    }

    /// <summary>kube's default manager: the User-Agent up to its first '/', e.g. "kubectl" or "curl".</summary>
    static string ManagerFromUserAgent(string userAgent)
    {
        var m = userAgent.Split('/')[0];
        if (m.Length > 128) m = m[..128];
        return m.Length == 0 ? "unknown" : m;
    }

    /// <summary>DeleteOptions come in the body (kubectl sends them there, dry-run included) or in the query.</summary>
    static async Task<DeleteOptionsInput> DeleteOptionsFromAsync(HttpContext context, CancellationToken ct)
    {
        var q = context.Request.Query;
        V1DeleteOptions? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var node = await Negotiation.ReadBodyAsync(context.Request, allowPatchTypes: false, ct);
            if (node is JsonObject o && o.Count > 0)
            {
                try { body = k8s.KubernetesJson.Deserialize<V1DeleteOptions>(o.ToJsonString()); }
                catch (JsonException e) { throw StatusErrors.BadRequest($"couldn't decode DeleteOptions: {e.Message}"); }
            }
        }
        var dryRun = (body?.DryRun ?? []).Concat(q["dryRun"].ToArray().OfType<string>()).ToList();
        WriteQuery.CheckDryRun(dryRun, "DeleteOptions");
        long? grace = body?.GracePeriodSeconds;
        if (grace is null && long.TryParse(q["gracePeriodSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var g)) grace = g;
        var policy = body?.PropagationPolicy ?? q["propagationPolicy"].ToString();
        if (policy.Length > 0 && policy is not ("Orphan" or "Background" or "Foreground"))
            throw StatusErrors.Invalid("meta.k8s.io", "DeleteOptions", "", [FieldError.NotSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan"])]);
        return new DeleteOptionsInput
        {
            DryRun = dryRun.Count > 0,
            GracePeriodSeconds = grace,
            PreconditionUid = body?.Preconditions?.Uid,
            PreconditionResourceVersion = body?.Preconditions?.ResourceVersion,
            PropagationPolicy = policy.Length == 0 ? null : policy,
            User = context.GetUser(),
        };
    }
}
