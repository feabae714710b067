using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Controllers;

/// <summary>Writes core/v1 Events about an object, as the scheduler and kubelet record them, for <c>kubectl describe</c>.</summary>
/// <remarks>
/// Recording is best effort, as client-go's recorder: a failure (say, the namespace is terminating) is
/// logged and never fails the caller.</remarks>
public sealed class EventRecorder(ResourceRest rest, TimeProvider time, ILogger<EventRecorder> logger)
{
    static readonly WriteOptions Options = new() { FieldManager = "event-recorder" };

    public void Record(JsonObject involved, string kind, string type, string reason, string message, string component, string? host = null, string? fieldPath = null)
    {
        var now = Obj.Rfc3339(time.GetUtcNow());
        var ns = involved.Namespace().Length > 0 ? involved.Namespace() : "default";
        var ev = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                // kube names events <object>.<unique hex>.
                ["name"] = $"{involved.Name()}.{time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 + Random.Shared.Next(1000):x}",
                ["namespace"] = ns,
            },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = kind,
                ["namespace"] = involved.Namespace().Length > 0 ? involved.Namespace() : null,
                ["name"] = involved.Name(),
                ["uid"] = involved.Uid(),
                ["apiVersion"] = involved.Str("apiVersion") ?? "v1",
                ["resourceVersion"] = involved.ResourceVersion(),
                ["fieldPath"] = fieldPath,
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = component, ["host"] = host },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = component,
            ["reportingInstance"] = host ?? "",
        };
        RemoveNulls(ev);
        try
        {
            rest.Create(EventStrategy.Definition, ns, ev, Options);
        }
        catch (Api.Errors.ApiException e)
        {
            logger.LogDebug("Event {Reason} for {Kind} {Name} not recorded: {Message}", reason, kind, involved.Name(), e.Message);
        }
    }

    static void RemoveNulls(JsonObject o)
    {
        foreach (var (k, v) in o.ToList())
        {
            if (v is null) o.Remove(k);
            else if (v is JsonObject child) RemoveNulls(child);
        }
    }
}
