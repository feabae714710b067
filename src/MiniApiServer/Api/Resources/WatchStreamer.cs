using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Registry;
using MiniApiServer.Storage;

namespace MiniApiServer.Api.Resources;

/// <summary>
/// A watch as kube-apiserver serves it: a chunked stream of <c>{"type":…,"object":…}</c> lines, flushed one
/// by one. resourceVersion unset or "0" first sends the current objects as ADDED; "N" sends every change
/// after N, or an ERROR event (410 Expired) when N is older than the history held. Selectors are applied
/// to each change, so an object that stops matching arrives as DELETED and one that starts as ADDED.
/// </summary>
public sealed class WatchStreamer(IObjectStore store, TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>kube's --min-request-timeout: a watch without timeoutSeconds ends after 30 to 60 minutes.</summary>
    static readonly TimeSpan MinRequestTimeout = TimeSpan.FromMinutes(30);

    public async Task ServeAsync(HttpContext context, ResourceDefinition def, string ns, ListFilter filter)
    {
        var q = context.Request.Query;
        var form = Negotiation.Form(context.Request);
        var includeObject = q["includeObject"].ToString();
        var timeout = long.TryParse(q["timeoutSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts) && ts > 0
            ? TimeSpan.FromSeconds(ts)
            : MinRequestTimeout * (1 + Random.Shared.NextDouble());
        var rvText = q["resourceVersion"].ToString();
        long fromRv;
        if (rvText.Length == 0 || rvText == "0") fromRv = -1;
        else if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out fromRv))
            throw StatusErrors.BadRequest($"invalid resource version: {rvText}");

        var nsFilter = ns.Length == 0 ? null : ns;
        var initial = store.List(def.StorageResource, nsFilter);

        context.Response.StatusCode = 200;
        context.Response.ContentType = Negotiation.Json;
        context.Response.Headers.CacheControl = "no-cache, private";
        var first = true;

        async Task Send(string type, JsonObject obj)
        {
            JsonNode payload = form switch
            {
                ResponseForm.Table => JsonSerializer.SerializeToNode(TableConverter.Convert(def, [obj], time.GetUtcNow(), includeObject, obj.ResourceVersion(), noHeaders: !first))!,
                ResponseForm.PartialObjectMetadata => TableConverter.PartialObjectMetadata(obj),
                _ => WithTypeMeta(def, obj),
            };
            first = false;
            var line = new JsonObject { ["type"] = type, ["object"] = payload }.ToJsonString(Negotiation.Wire) + "\n";
            await context.Response.WriteAsync(line, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        IWatchSubscription subscription;
        try
        {
            subscription = store.Watch(def.StorageResource, nsFilter, fromRv < 0 ? initial.ResourceVersion : fromRv);
        }
        catch (ResourceVersionTooOldException e)
        {
            var status = StatusErrors.Gone(e.Message).Status;
            await context.Response.StartAsync(context.RequestAborted);
            var line = new JsonObject { ["type"] = "ERROR", ["object"] = Negotiation.StatusJson(status) }.ToJsonString(Negotiation.Wire) + "\n";
            await context.Response.WriteAsync(line, context.RequestAborted);
            return;
        }

        using (subscription)
        // A stopping server ends its watches at once (clients re-list and re-watch), instead of waiting out
        // the host's shutdown timeout for streams that never end on their own.
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping))
        {
            cts.CancelAfter(timeout);
            try
            {
                await context.Response.StartAsync(cts.Token);
                await context.Response.Body.FlushAsync(cts.Token);
                if (fromRv < 0)
                    foreach (var item in initial.Items.Where(i => filter.Matches(i.Object)))
                        await Send("ADDED", item.Object);

                await foreach (var ev in subscription.Events.ReadAllAsync(cts.Token))
                {
                    // kube's watch cache filter: an object entering the selector is ADDED, leaving it DELETED.
                    var now = ev.Type != WatchEventType.Deleted && filter.Matches(ev.Object.Object);
                    var before = ev.Type switch
                    {
                        WatchEventType.Added => false,
                        WatchEventType.Deleted => filter.Matches(ev.Object.Object),
                        _ => ev.Previous is { } p ? filter.Matches(p.Object) : now,
                    };
                    var type = (before, now) switch
                    {
                        (true, true) => "MODIFIED",
                        (false, true) => "ADDED",
                        (true, false) => "DELETED",
                        _ => null,
                    };
                    if (type is not null) await Send(type, ev.Object.Object);
                }
            }
            catch (OperationCanceledException) { }
            catch (WatcherTooSlowException) { } // kube closes a watcher that falls behind; the client re-lists
        }
    }

    static JsonObject WithTypeMeta(ResourceDefinition def, JsonObject obj)
    {
        var o = new JsonObject { ["kind"] = def.Kind, ["apiVersion"] = def.ApiVersion };
        foreach (var (k, v) in obj) if (k is not ("kind" or "apiVersion")) o[k] = v?.DeepClone();
        return o;
    }
}
