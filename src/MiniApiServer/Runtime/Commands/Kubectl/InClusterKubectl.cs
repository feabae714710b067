using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands.Kubectl;

/// <summary>
/// kubectl inside a pod (the in-cluster configuration, no kubeconfig): <c>get</c> (the server's Table, or
/// -o json|yaml|name|wide), <c>auth whoami</c>, <c>auth can-i</c> and <c>version</c>, with kubectl's output and
/// error wording. Flags: -n/--namespace, -A/--all-namespaces, -o/--output, -l/--selector, --subresource.
/// </summary>
public static class InClusterKubectl
{
    sealed record Options(List<string> Words, string? Namespace, bool AllNamespaces, string? Output, string? Selector, string? Subresource);

    public static async Task<int> RunAsync(ProcessContext p)
    {
        var options = Parse(p.Args);
        if (options.Words.Count == 0)
        {
            await p.ErrAsync("kubectl controls the Kubernetes cluster manager.\n\nUsage:\n  kubectl [flags] [options]\n");
            return 0;
        }
        var command = options.Words[0];
        if (command is not ("get" or "auth" or "version"))
        {
            await p.ErrAsync($"error: unknown command \"{command}\" for \"kubectl\"\n");
            return 1;
        }
        if (InClusterConfig.Load(p) is not { } config)
        {
            // Outside a cluster and without a kubeconfig, kubectl talks to localhost:8080.
            await p.ErrAsync("The connection to the server localhost:8080 was refused - did you specify the right host or port?\n");
            return 1;
        }
        using var api = new ApiCall(config.CreateClient(p.Container.Network));
        try
        {
            return command switch
            {
                "get" => await GetAsync(p, api, options, config),
                "version" => await VersionAsync(p, api),
                _ => options.Words.Count > 1 && options.Words[1] == "whoami" ? await WhoAmIAsync(p, api, options)
                    : options.Words.Count > 1 && options.Words[1] == "can-i" ? await CanIAsync(p, api, options, config)
                    : await UnknownAuthAsync(p, options),
            };
        }
        catch (HttpRequestException e)
        {
            await p.ErrAsync($"Unable to connect to the server: {InClusterConfig.DescribeFailure(e, config.Server)}\n");
            return 1;
        }
    }

    static Options Parse(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        string? ns = null, output = null, selector = null, sub = null;
        var all = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string? Value(string longName, string? shortName)
            {
                if (a == longName || a == shortName) return i + 1 < args.Count ? args[++i] : "";
                if (a.StartsWith(longName + "=", StringComparison.Ordinal)) return a[(longName.Length + 1)..];
                if (shortName is not null && a.StartsWith(shortName, StringComparison.Ordinal) && a.Length > shortName.Length)
                    return a[shortName.Length..].TrimStart('=');
                return null;
            }
            if (a is "-A" or "--all-namespaces" or "--all-namespaces=true") { all = true; continue; }
            if (Value("--namespace", "-n") is { } n) { ns = n; continue; }
            if (Value("--output", "-o") is { } o) { output = o; continue; }
            if (Value("--selector", "-l") is { } l) { selector = l; continue; }
            if (Value("--subresource", null) is { } s) { sub = s; continue; }
            if (a.StartsWith("--", StringComparison.Ordinal)) continue; // other global flags (--request-timeout …) change nothing here
            words.Add(a);
        }
        return new Options(words, ns, all, output, selector, sub);
    }

    // ------------------------------------------------------------------ get

    static async Task<int> GetAsync(ProcessContext p, ApiCall api, Options o, InClusterConfig config)
    {
        if (o.Words.Count < 2)
        {
            await p.ErrAsync("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\n");
            return 1;
        }
        var typeArg = o.Words[1];
        var names = o.Words.Skip(2).ToList();
        if (typeArg.Contains('/'))
        {
            names = [typeArg[(typeArg.IndexOf('/') + 1)..]];
            typeArg = typeArg[..typeArg.IndexOf('/')];
        }
        var (type, failure) = await Discovery.ResolveAsync(api, typeArg, p.Cancel);
        if (failure is not null)
        {
            await p.ErrAsync(failure.ErrorText("get", typeArg) + "\n");
            return 1;
        }
        if (type is null)
        {
            await p.ErrAsync($"error: the server doesn't have a resource type \"{typeArg}\"\n");
            return 1;
        }
        var ns = o.AllNamespaces && names.Count == 0 ? null : o.Namespace ?? config.Namespace;
        var collection = type.CollectionPath(ns);
        var query = o.Selector is { Length: > 0 } sel ? "?labelSelector=" + Uri.EscapeDataString(sel) : "";
        var format = o.Output ?? "";
        var structured = format is "json" or "yaml" or "name";
        var paths = names.Count == 0 ? [collection + (query.Length > 0 ? query + "&limit=500" : "?limit=500")] : names.Select(n => $"{collection}/{n}").ToList();
        var objects = new List<JsonObject>();
        var rows = new List<IReadOnlyList<string>>();
        IReadOnlyList<string>? header = null;
        var status = 0;
        foreach (var path in paths)
        {
            var response = await api.GetAsync(path, structured ? "application/json" : ApiCall.TableAccept, p.Cancel);
            if (!response.Ok)
            {
                await p.ErrAsync(response.ErrorText(names.Count == 0 ? "get" : "get", type.Plural) + "\n");
                status = 1;
                continue;
            }
            var body = response.Json() as JsonObject ?? [];
            if (structured)
            {
                if (names.Count == 0) objects.AddRange(body.ArrAt("items")?.OfType<JsonObject>() ?? []);
                else objects.Add(body);
                continue;
            }
            var (h, r) = TableRows(body, wide: format == "wide", withNamespace: ns is null && type.Namespaced);
            header ??= h;
            rows.AddRange(r);
        }
        if (structured) await PrintObjectsAsync(p, type, objects, format, single: names.Count == 1);
        else if (rows.Count > 0) await p.OutAsync(TabWriter.Format([header!, .. rows]));
        else if (status == 0)
            await p.ErrAsync(ns is null || !type.Namespaced ? "No resources found\n" : $"No resources found in {ns} namespace.\n");
        return status;
    }

    /// <summary>The printed header and rows of a server-side Table: priority-0 columns (all with -o wide), upper-case
    /// names, a NAMESPACE column first for lists across namespaces.</summary>
    static (IReadOnlyList<string> Header, List<IReadOnlyList<string>> Rows) TableRows(JsonObject table, bool wide, bool withNamespace)
    {
        var columns = table.ArrAt("columnDefinitions")?.OfType<JsonObject>().ToList() ?? [];
        var shown = Enumerable.Range(0, columns.Count).Where(i => wide || (columns[i].Long("priority") ?? 0) == 0).ToList();
        var header = shown.Select(i => (columns[i].Str("name") ?? "").ToUpperInvariant()).ToList();
        if (withNamespace) header.Insert(0, "NAMESPACE");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in table.ArrAt("rows")?.OfType<JsonObject>() ?? [])
        {
            var cells = row.ArrAt("cells") ?? [];
            var printed = shown.Select(i => Cell(i < cells.Count ? cells[i] : null)).ToList();
            if (withNamespace) printed.Insert(0, row.Str("object", "metadata", "namespace") ?? "");
            rows.Add(printed);
        }
        return (header, rows);
    }

    static string Cell(JsonNode? cell) => cell switch
    {
        null => "<none>",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => cell.ToJsonString(),
    };

    static async Task PrintObjectsAsync(ProcessContext p, ApiResourceType type, List<JsonObject> objects, string format, bool single)
    {
        if (format == "name")
        {
            foreach (var o in objects) await p.OutAsync($"{type.NamePrefix}/{o.Name()}\n");
            return;
        }
        foreach (var o in objects)
        {
            o["apiVersion"] ??= type.GroupVersion;
            o["kind"] ??= type.Kind;
        }
        JsonNode doc = single ? objects[0] : new JsonObject
        {
            ["apiVersion"] = "v1",
            ["items"] = new JsonArray([.. objects.Select(o => (JsonNode)o.DeepClone())]),
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        };
        if (format == "yaml") await p.OutAsync(YamlJson.Write(doc));
        else await p.OutAsync(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 4, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    // ------------------------------------------------------------------ auth

    static async Task<int> WhoAmIAsync(ProcessContext p, ApiCall api, Options o)
    {
        var review = new JsonObject { ["kind"] = "SelfSubjectReview", ["apiVersion"] = "authentication.k8s.io/v1", ["metadata"] = new JsonObject { ["creationTimestamp"] = null }, ["status"] = new JsonObject { ["userInfo"] = new JsonObject() } };
        var response = await api.PostJsonAsync("/apis/authentication.k8s.io/v1/selfsubjectreviews", review, p.Cancel);
        if (!response.Ok)
        {
            await p.ErrAsync(response.ErrorText("create", "selfsubjectreviews") + "\n");
            return 1;
        }
        var body = response.Json() as JsonObject ?? [];
        if (o.Output is "json" or "yaml")
        {
            await p.OutAsync(o.Output == "yaml" ? YamlJson.Write(body) : body.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 4 }) + "\n");
            return 0;
        }
        var user = body.ObjAt("status", "userInfo") ?? [];
        var rows = new List<IReadOnlyList<string>> { new[] { "ATTRIBUTE", "VALUE" } };
        if (user.Str("username") is { Length: > 0 } name) rows.Add(["Username", name]);
        if (user.Str("uid") is { Length: > 0 } uid) rows.Add(["UID", uid]);
        if (user.ArrAt("groups") is { Count: > 0 } groups) rows.Add(["Groups", GoList(groups)]);
        foreach (var (k, v) in (user.ObjAt("extra") ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            rows.Add([$"Extra: {k}", GoList(v as JsonArray ?? [])]);
        await p.OutAsync(TabWriter.Format(rows));
        return 0;
    }

    /// <summary>Go's %v of a string slice: [a b c].</summary>
    static string GoList(JsonArray items) => "[" + string.Join(' ', items.Select(i => i?.GetValue<string>())) + "]";

    static async Task<int> CanIAsync(ProcessContext p, ApiCall api, Options o, InClusterConfig config)
    {
        var args = o.Words.Skip(2).ToList();
        if (args.Count < 2)
        {
            await p.ErrAsync("error: you must specify two arguments: verb resource or verb resource/resourceName.\n");
            return 1;
        }
        var verb = args[0];
        JsonObject spec;
        if (args[1].StartsWith('/'))
            spec = new JsonObject { ["nonResourceAttributes"] = new JsonObject { ["path"] = args[1], ["verb"] = verb } };
        else
        {
            var resourceArg = args[1];
            var name = args.Count > 2 ? args[2] : "";
            if (resourceArg.Contains('/')) { name = resourceArg[(resourceArg.IndexOf('/') + 1)..]; resourceArg = resourceArg[..resourceArg.IndexOf('/')]; }
            var (type, _) = await Discovery.ResolveAsync(api, resourceArg, p.Cancel);
            if (type is null) await p.ErrAsync($"Warning: the server doesn't have a resource type '{resourceArg}'\n\n");
            var dot = resourceArg.IndexOf('.');
            spec = new JsonObject
            {
                ["resourceAttributes"] = new JsonObject
                {
                    ["namespace"] = o.AllNamespaces ? "" : o.Namespace ?? config.Namespace,
                    ["verb"] = verb,
                    ["group"] = type?.Group ?? (dot > 0 ? resourceArg[(dot + 1)..] : ""),
                    ["resource"] = type?.Plural ?? (dot > 0 ? resourceArg[..dot] : resourceArg),
                    ["subresource"] = o.Subresource ?? "",
                    ["name"] = name,
                },
            };
        }
        var review = new JsonObject { ["kind"] = "SelfSubjectAccessReview", ["apiVersion"] = "authorization.k8s.io/v1", ["metadata"] = new JsonObject(), ["spec"] = spec };
        var response = await api.PostJsonAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, p.Cancel);
        if (!response.Ok)
        {
            await p.ErrAsync(response.ErrorText("create", "selfsubjectaccessreviews") + "\n");
            return 1;
        }
        var status = (response.Json() as JsonObject)?.ObjAt("status");
        if (status?.Bool("allowed") == true)
        {
            await p.OutAsync("yes\n");
            return 0;
        }
        var reason = status?.Str("reason") is { Length: > 0 } r ? $" - {r}" : "";
        await p.OutAsync($"no{reason}\n");
        return 1;
    }

    static async Task<int> UnknownAuthAsync(ProcessContext p, Options o)
    {
        await p.ErrAsync(o.Words.Count > 1 ? $"error: unknown command \"{o.Words[1]}\" for \"kubectl auth\"\n" : "Inspect authorization.\n");
        return o.Words.Count > 1 ? 1 : 0;
    }

    static async Task<int> VersionAsync(ProcessContext p, ApiCall api)
    {
        await p.OutAsync("Client Version: v1.32.4\nKustomize Version: v5.5.0\n");
        var response = await api.GetAsync("/version", "application/json", p.Cancel);
        if (!response.Ok)
        {
            await p.ErrAsync(response.ErrorText("get", "version") + "\n");
            return 1;
        }
        await p.OutAsync($"Server Version: {(response.Json() as JsonObject)?.Str("gitVersion")}\n");
        return 0;
    }
}
