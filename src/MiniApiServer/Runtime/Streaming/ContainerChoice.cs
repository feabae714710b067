using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Runtime.Streaming;

/// <summary>
/// Which container an exec or log request means (kube's <c>streamLocation</c>/<c>LogLocation</c> in
/// pkg/registry/core/pod/strategy.go): the named one, which must exist, or the only one.
/// </summary>
public static class ContainerChoice
{
    public static string For(JsonObject pod, string? requested)
    {
        var name = pod.Name();
        var containers = Names(pod, "containers");
        var init = Names(pod, "initContainers");
        if (string.IsNullOrEmpty(requested))
        {
            switch (containers.Count)
            {
                case 1: return containers[0];
                case 0: throw StatusErrors.BadRequest($"a container name must be specified for pod {name}");
                default:
                    var message = $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]";
                    if (init.Count > 0) message += $" or one of the init containers: [{string.Join(' ', init)}]";
                    throw StatusErrors.BadRequest(message);
            }
        }
        if (!containers.Contains(requested) && !init.Contains(requested))
            throw StatusErrors.BadRequest($"container {requested} is not valid for pod {name}");
        return requested;
    }

    static List<string> Names(JsonObject pod, string list) =>
        [.. pod.ArrAt("spec", list)?.OfType<JsonObject>().Select(c => c.Str("name") ?? "") ?? []];
}
