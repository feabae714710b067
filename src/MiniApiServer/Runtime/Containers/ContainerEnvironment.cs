using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Runtime.Commands;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Storage;

namespace MiniApiServer.Runtime.Containers;

/// <summary>A container whose environment cannot be built: it waits in CreateContainerConfigError.</summary>
public sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>
/// A container's environment as the kubelet and the runtime build it: the image's PATH, HOSTNAME, the
/// container's <c>envFrom</c> then <c>env</c> (values with <c>$(VAR)</c> references expanded; <c>valueFrom</c>
/// fieldRef, resourceFieldRef, secretKeyRef and configMapKeyRef), the <c>kubernetes</c> Service's variables
/// (docker-links style, as for every service with enableServiceLinks) and HOME.
/// </summary>
public static class ContainerEnvironment
{
    public static Dictionary<string, string> Build(JsonObject pod, JsonObject container, IObjectStore store, ServiceAddress? kubernetes)
    {
        var ns = pod.Namespace();
        var env = new Dictionary<string, string>
        {
            ["PATH"] = Programs.DefaultPath,
            ["HOSTNAME"] = pod.Str("spec", "hostname") is { Length: > 0 } h ? h : pod.Name(),
        };
        var service = new Dictionary<string, string>();
        if (kubernetes is { } k)
        {
            // The service variables of the "kubernetes" Service in "default" (kubelet's getServiceEnvVarMap).
            var port = k.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            service["KUBERNETES_SERVICE_HOST"] = k.Host;
            service["KUBERNETES_SERVICE_PORT"] = port;
            service["KUBERNETES_SERVICE_PORT_HTTPS"] = port;
            service["KUBERNETES_PORT"] = $"tcp://{k.Host}:{port}";
            service[$"KUBERNETES_PORT_{port}_TCP"] = $"tcp://{k.Host}:{port}";
            service[$"KUBERNETES_PORT_{port}_TCP_PROTO"] = "tcp";
            service[$"KUBERNETES_PORT_{port}_TCP_PORT"] = port;
            service[$"KUBERNETES_PORT_{port}_TCP_ADDR"] = k.Host;
        }
        // Service variables are visible to $(VAR) references, and a container's own variables win over them.
        var declared = new Dictionary<string, string>(service);
        foreach (var from in container.ArrAt("envFrom")?.OfType<JsonObject>() ?? [])
        {
            var prefix = from.Str("prefix") ?? "";
            var data = from.ObjAt("configMapRef") is { } cmRef ? Data(store, ConfigMapStrategy.Definition, ns, cmRef, "configmap")
                : from.ObjAt("secretRef") is { } sRef ? Data(store, SecretStrategy.Definition, ns, sRef, "secret")
                : new Dictionary<string, string>();
            foreach (var (key, value) in data) declared[prefix + key] = value;
        }
        foreach (var e in container.ArrAt("env")?.OfType<JsonObject>() ?? [])
        {
            var name = e.Str("name") ?? "";
            if (e.ObjAt("valueFrom") is { } from)
            {
                if (Resolve(pod, container, store, ns, from) is { } v) declared[name] = v;
            }
            else declared[name] = Expand(e.Str("value") ?? "", declared);
        }
        foreach (var (key, value) in declared.Where(kv => !service.ContainsKey(kv.Key))) env[key] = value;
        foreach (var (key, value) in service) env[key] = declared[key];
        env.TryAdd("HOME", "/root");
        return env;
    }

    static Dictionary<string, string> Data(IObjectStore store, Registry.ResourceDefinition def, string ns, JsonObject reference, string what)
    {
        var name = reference.Str("name") ?? "";
        var obj = store.Get(ResourceRest.Key(def, ns, name))?.Object;
        if (obj is null)
        {
            if (reference.Bool("optional") == true) return [];
            throw new ContainerConfigException($"{what} \"{name}\" not found");
        }
        var result = new Dictionary<string, string>();
        foreach (var (k, v) in obj.ObjAt("data") ?? [])
        {
            var s = v?.GetValue<string>() ?? "";
            result[k] = what == "secret" ? Encoding.UTF8.GetString(Convert.FromBase64String(s)) : s;
        }
        return result;
    }

    static string? Resolve(JsonObject pod, JsonObject container, IObjectStore store, string ns, JsonObject from)
    {
        if (from.Str("fieldRef", "fieldPath") is { } path) return FieldPaths.Extract(pod, path) ?? "";
        if (from.ObjAt("resourceFieldRef") is { } rf)
        {
            var parts = (rf.Str("resource") ?? "").Split('.', 2);
            return parts.Length == 2 ? container.Str("resources", parts[0], parts[1]) ?? "" : "";
        }
        foreach (var (refName, def, kind) in new[] { ("secretKeyRef", SecretStrategy.Definition, "Secret"), ("configMapKeyRef", ConfigMapStrategy.Definition, "ConfigMap") })
        {
            if (from.ObjAt(refName) is not { } keyRef) continue;
            var optional = keyRef.Bool("optional") == true;
            var data = Data(store, def, ns, keyRef, kind == "Secret" ? "secret" : "configmap");
            var key = keyRef.Str("key") ?? "";
            if (data.TryGetValue(key, out var value)) return value;
            if (optional) return null;
            throw new ContainerConfigException($"couldn't find key {key} in {kind} {ns}/{keyRef.Str("name")}");
        }
        return null;
    }

    /// <summary>kube's expansion of <c>$(VAR)</c> in env values and commands: defined names are replaced, <c>$$</c> is a
    /// literal <c>$</c>, anything else stays as written.</summary>
    public static string Expand(string input, IReadOnlyDictionary<string, string> vars)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '$' && i + 1 < input.Length)
            {
                if (input[i + 1] == '$') { sb.Append('$'); i++; continue; }
                if (input[i + 1] == '(')
                {
                    var end = input.IndexOf(')', i + 2);
                    if (end > 0 && vars.TryGetValue(input[(i + 2)..end], out var v)) { sb.Append(v); i = end; continue; }
                }
            }
            sb.Append(input[i]);
        }
        return sb.ToString();
    }
}
