using System.Text;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Runtime.Containers;

namespace MiniApiServer.Runtime.Streaming;

/// <summary>
/// pods/exec (kube's ExecREST, the kubelet's exec handler behind it). Checks first, answered with a Status before
/// any upgrade, as kube-apiserver does: the pod exists, a command is given, the container is valid, the pod has
/// a node. Then the kubelet's: the container must be running (else "container not found"). Then the WebSocket
/// upgrade (v5.channel.k8s.io or v4.channel.k8s.io) and the session. SPDY upgrades (POST, used by kubectl
/// before 1.30 or as its fallback) are refused with a Status.
/// </summary>
public sealed class PodExecConnector(ResourceRest rest, PodRuntime runtime) : ISubresourceConnector
{
    public string Resource => "pods";
    public string Subresource => "exec";

    static bool Flag(IQueryCollection q, string name) => q[name].ToString() is "true" or "1" or "True";

    public async Task ConnectAsync(HttpContext context, string ns, string name)
    {
        var q = context.Request.Query;
        var pod = rest.Get(PodStrategy.Definition, ns, name);
        var command = q["command"].Select(c => c ?? "").ToList();
        if (command.Count == 0) throw StatusErrors.BadRequest("you must specify at least 1 command");
        bool stdin = Flag(q, "stdin"), stdout = Flag(q, "stdout"), stderr = Flag(q, "stderr"), tty = Flag(q, "tty");
        if (!stdin && !stdout && !stderr) throw StatusErrors.BadRequest("you must specify at least one of stdin, stdout, stderr");
        var container = ContainerChoice.For(pod, q["container"]);
        if (string.IsNullOrEmpty(pod.Str("spec", "nodeName"))) throw StatusErrors.BadRequest($"pod {name} does not have a host assigned");

        var sandbox = runtime.Find(ResourceRest.Key(PodStrategy.Definition, ns, name), pod.Uid());
        var slot = sandbox?.Container(container);
        if (sandbox is null || slot?.Current is not { Running: true })
        {
            // The kubelet's answer for a container it does not run; kubectl prints "unable to upgrade connection: <body>".
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"container not found (\"{container}\")", Encoding.UTF8, context.RequestAborted);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
            throw StatusErrors.BadRequest("Upgrade request required: this server streams exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io); SPDY is not supported");
        var protocol = RemoteCommand.Negotiate(context.WebSockets.WebSocketRequestedProtocols)
            ?? throw StatusErrors.BadRequest($"unable to negotiate a WebSocket subprotocol: offered [{string.Join(' ', context.WebSockets.WebSocketRequestedProtocols)}], supported [{RemoteCommand.V5} {RemoteCommand.V4}]");
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        await new ExecSession(socket, protocol, stdin, stdout, stderr && !tty, tty).RunAsync(runtime, sandbox, slot, command, context.RequestAborted);
    }
}
