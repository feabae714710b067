using System.Globalization;
using System.Text.Json.Nodes;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.OpenApi;

/// <summary>
/// The <c>paths</c> kube-apiserver's installer publishes for one resource: the collection, the item, the
/// all-namespaces list and the legacy <c>/watch/</c> paths, one operation per verb the definition allows,
/// each tagged with <c>x-kubernetes-action</c> and an <c>x-kubernetes-group-version-kind</c> object.
/// kubectl reads two things from here: <c>explain</c> finds the kind's GVK on the resource's path, and
/// client-go's QueryParamVerifierV3 turns on server-side validation only if the kind's PATCH operation
/// lists the <c>fieldValidation</c> query parameter.
/// </summary>
internal sealed class ResourcePaths(ComponentSchemas schemas)
{
    static readonly string[] WireTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    static readonly string[] WatchWireTypes =
        ["application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
    static readonly string[] PatchTypes =
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];
    // Subresources that stream or upgrade instead of returning an object (kube's "connect" action, and log).
    static readonly HashSet<string> ConnectSubresources = ["exec", "attach", "portforward", "proxy"];

    public void Add(SortedDictionary<string, JsonObject> paths, ResourceDefinition d)
    {
        var root = d.Group.Length == 0 ? $"/api/{d.Version}" : $"/apis/{d.Group}/{d.Version}";
        var scope = d.Namespaced ? "namespaces/{namespace}/" : "";
        var collection = $"{root}/{scope}{d.Plural}";
        var item = collection + "/{name}";
        var kind = ComponentSchemas.Gvk(d.Group, d.Version, d.Kind);
        var names = new OperationNames(d);

        var collectionOps = new JsonObject();
        if (d.Supports("list")) collectionOps["get"] = Operation(names.Of("list", ""), $"list or watch objects of kind {d.Kind}", "list", kind, ListParameters(), Response(d.ListModelType, watchable: true));
        if (d.Supports("create")) collectionOps["post"] = Operation(names.Of("create", ""), $"create a {d.Kind}", "post", kind, WriteParameters(), Response(d.ModelType, created: true), Body(d.ModelType));
        if (d.Supports("deletecollection")) collectionOps["delete"] = Operation(names.Of("delete", "Collection"), $"delete collection of {d.Kind}", "deletecollection", kind, [.. ListParameters(), .. DeleteParameters()], Response(typeof(k8s.Models.V1Status)), Body(typeof(k8s.Models.V1DeleteOptions)));
        Put(paths, collection, collectionOps, d.Namespaced, withName: false);

        var itemOps = new JsonObject();
        if (d.Supports("get")) itemOps["get"] = Operation(names.Of("read", ""), $"read the specified {d.Kind}", "get", kind, [], Response(d.ModelType));
        if (d.Supports("update")) itemOps["put"] = Operation(names.Of("replace", ""), $"replace the specified {d.Kind}", "put", kind, WriteParameters(), Response(d.ModelType, created: true), Body(d.ModelType));
        if (d.Supports("delete")) itemOps["delete"] = Operation(names.Of("delete", ""), $"delete a {d.Kind}", "delete", kind, DeleteParameters(), Response(d.ModelType, accepted: true), Body(typeof(k8s.Models.V1DeleteOptions)));
        if (d.Supports("patch")) itemOps["patch"] = Operation(names.Of("patch", ""), $"partially update the specified {d.Kind}", "patch", kind, PatchParameters(), Response(d.ModelType, created: true), PatchBody());
        Put(paths, item, itemOps, d.Namespaced, withName: true);

        if (d.Namespaced && d.Supports("list"))
            Put(paths, $"{root}/{d.Plural}", new JsonObject { ["get"] = Operation(names.Of("list", "", allNamespaces: true), $"list or watch objects of kind {d.Kind}", "list", kind, ListParameters(), Response(d.ListModelType, watchable: true)) }, namespaced: false, withName: false);

        if (d.Supports("watch"))
        {
            var watchEvent = Response(typeof(k8s.Models.V1WatchEvent), watchable: true);
            // Deprecated by ?watch=true on the list path, yet still published by kube for old clients.
            Put(paths, $"{root}/watch/{scope}{d.Plural}", new JsonObject { ["get"] = Operation(names.Of("watch", "List"), $"watch individual changes to a list of {d.Kind}. deprecated: use the 'watch' parameter with a list operation instead.", "watchlist", kind, ListParameters(), watchEvent) }, d.Namespaced, withName: false);
            Put(paths, $"{root}/watch/{scope}{d.Plural}/{{name}}", new JsonObject { ["get"] = Operation(names.Of("watch", ""), $"watch changes to an object of kind {d.Kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.", "watch", kind, ListParameters(), watchEvent.DeepClone().AsObject()) }, d.Namespaced, withName: true);
            if (d.Namespaced)
                Put(paths, $"{root}/watch/{d.Plural}", new JsonObject { ["get"] = Operation(names.Of("watch", "List", allNamespaces: true), $"watch individual changes to a list of {d.Kind}. deprecated: use the 'watch' parameter with a list operation instead.", "watchlist", kind, ListParameters(), watchEvent.DeepClone().AsObject()) }, namespaced: false, withName: false);
        }

        foreach (var sub in d.Subresources) AddSubresource(paths, d, item, sub, names);
    }

    void AddSubresource(SortedDictionary<string, JsonObject> paths, ResourceDefinition d, string item, SubresourceDefinition sub, OperationNames names)
    {
        var gvk = ComponentSchemas.Gvk(sub.Group ?? d.Group, sub.Version ?? d.Version, sub.Kind);
        var model = sub.ModelType ?? (sub.Kind == d.Kind && sub.Name != "log" ? d.ModelType : null);
        var connect = ConnectSubresources.Contains(sub.Name);
        var suffix = char.ToUpperInvariant(sub.Name[0]) + sub.Name[1..];
        JsonObject Reply(bool created = false) => model is null ? TextResponse() : Response(model, created: created);
        var ops = new JsonObject();
        foreach (var verb in sub.Verbs)
        {
            switch (verb)
            {
                case "get":
                    ops["get"] = Operation(names.Of(connect ? "connectGet" : "read", suffix), $"{(connect ? "connect GET requests to" : "read")} {sub.Name} of the specified {d.Kind}", connect ? "connect" : "get", gvk, [], Reply());
                    break;
                case "create":
                    ops["post"] = Operation(names.Of(connect ? "connectPost" : "create", suffix), $"{(connect ? "connect POST requests to" : "create")} {sub.Name} of a {d.Kind}", connect ? "connect" : "post", gvk, connect ? [] : WriteParameters(), Reply(created: true), model is null ? null : Body(model));
                    break;
                case "update":
                    ops["put"] = Operation(names.Of("replace", suffix), $"replace {sub.Name} of the specified {d.Kind}", "put", gvk, WriteParameters(), Reply(created: true), model is null ? null : Body(model));
                    break;
                case "patch":
                    ops["patch"] = Operation(names.Of("patch", suffix), $"partially update {sub.Name} of the specified {d.Kind}", "patch", gvk, PatchParameters(), Reply(created: true), PatchBody());
                    break;
            }
        }
        Put(paths, $"{item}/{sub.Name}", ops, d.Namespaced, withName: true);
    }

    static void Put(SortedDictionary<string, JsonObject> paths, string path, JsonObject operations, bool namespaced, bool withName)
    {
        if (operations.Count == 0) return;
        var parameters = new JsonArray();
        if (withName) parameters.Add(PathParameter("name", "name of the object"));
        if (namespaced) parameters.Add(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        parameters.Add(Query("pretty", "If 'true', then the output is pretty printed.", "string"));
        operations["parameters"] = parameters;
        paths[path] = operations;
    }

    JsonObject Operation(string id, string description, string action, JsonObject gvk, IEnumerable<JsonObject> parameters, JsonObject responses, JsonObject? body = null)
    {
        var op = new JsonObject { ["description"] = description, ["operationId"] = id };
        var list = new JsonArray([.. parameters]);
        if (list.Count > 0) op["parameters"] = list;
        if (body is not null) op["requestBody"] = body;
        op["responses"] = responses;
        op["tags"] = new JsonArray(Tag(gvk["group"]!.GetValue<string>(), gvk["version"]!.GetValue<string>()));
        op["x-kubernetes-action"] = action;
        op["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        return op;
    }

    static string Tag(string group, string version) =>
        (group.Length == 0 ? "core" : OperationNames.Camel(group, lowerFirst: true)) + "_" + version;

    JsonObject Response(Type model, bool created = false, bool accepted = false, bool watchable = false)
    {
        var reference = schemas.RefTo(model);
        var content = new JsonObject();
        foreach (var type in watchable ? [.. WireTypes, .. WatchWireTypes] : WireTypes)
            content[type] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = reference } };
        var responses = new JsonObject { ["200"] = new JsonObject { ["content"] = content, ["description"] = "OK" } };
        if (created) responses["201"] = new JsonObject { ["content"] = content.DeepClone(), ["description"] = "Created" };
        if (accepted) responses["202"] = new JsonObject { ["content"] = content.DeepClone(), ["description"] = "Accepted" };
        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        return responses;
    }

    static JsonObject TextResponse() => new()
    {
        ["200"] = new JsonObject
        {
            ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
            ["description"] = "OK",
        },
        ["401"] = new JsonObject { ["description"] = "Unauthorized" },
    };

    JsonObject Body(Type model)
    {
        var reference = schemas.RefTo(model);
        var content = new JsonObject();
        foreach (var type in WireTypes) content[type] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = reference } };
        return new JsonObject { ["content"] = content, ["required"] = model != typeof(k8s.Models.V1DeleteOptions) };
    }

    JsonObject PatchBody()
    {
        schemas.RefPatch();
        var content = new JsonObject();
        foreach (var type in PatchTypes)
            content[type] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + SchemaNames.Patch } };
        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    static JsonObject PathParameter(string name, string description) => new()
    {
        ["description"] = description,
        ["in"] = "path",
        ["name"] = name,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    static JsonObject Query(string name, string description, string type) => new()
    {
        ["description"] = description,
        ["in"] = "query",
        ["name"] = name,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    static JsonObject DryRun() => Query("dryRun", "When present, the request is validated and processed but nothing is persisted. The only valid value is 'All'.", "string");
    static JsonObject FieldManager() => Query("fieldManager", "The name of the actor making the change, recorded in managedFields.", "string");
    static JsonObject FieldValidation() => Query("fieldValidation", "What to do with unknown or duplicate fields in the request body: Ignore, Warn (the default: report them in Warning headers) or Strict (fail the request).", "string");

    static IEnumerable<JsonObject> WriteParameters() => [DryRun(), FieldManager(), FieldValidation()];

    /// <summary>The four query parameters kubectl looks for on a PATCH: fieldValidation switches it to server-side validation.</summary>
    static IEnumerable<JsonObject> PatchParameters() =>
    [
        DryRun(), FieldManager(), FieldValidation(),
        Query("force", "Force an apply patch to take ownership of conflicting fields. Only valid for apply requests.", "boolean"),
    ];

    static IEnumerable<JsonObject> DeleteParameters() =>
    [
        DryRun(),
        Query("gracePeriodSeconds", "Seconds before the object is deleted; zero means immediately.", "integer"),
        Query("orphanDependents", "Deprecated: use propagationPolicy.", "boolean"),
        Query("propagationPolicy", "Whether and how dependents are garbage collected: Orphan, Background or Foreground.", "string"),
    ];

    static IEnumerable<JsonObject> ListParameters() =>
    [
        Query("allowWatchBookmarks", "Ask for BOOKMARK watch events.", "boolean"),
        Query("continue", "The continue token of a previous paginated list call.", "string"),
        Query("fieldSelector", "Restrict the returned objects by their fields.", "string"),
        Query("labelSelector", "Restrict the returned objects by their labels.", "string"),
        Query("limit", "The maximum number of objects to return in one list call.", "integer"),
        Query("resourceVersion", "The resource version the list or watch must be served from.", "string"),
        Query("resourceVersionMatch", "How resourceVersion is applied to list calls: Exact or NotOlderThan.", "string"),
        Query("sendInitialEvents", "Start a watch with synthetic ADDED events for the current state.", "boolean"),
        Query("timeoutSeconds", "Timeout for the list or watch call.", "integer"),
        Query("watch", "Watch for changes and return them as a stream of add, update and remove notifications.", "boolean"),
    ];

    /// <summary>kube's operation ids: verb + group-version + "Namespaced" + kind, e.g. patchCoreV1NamespacedPod.</summary>
    sealed class OperationNames(ResourceDefinition d)
    {
        readonly string _groupVersion =
            (d.Group.Length == 0 ? "Core" : Camel(d.Group, lowerFirst: false)) + char.ToUpperInvariant(d.Version[0]) + d.Version[1..];

        public string Of(string verb, string suffix, bool allNamespaces = false)
        {
            // Collection and List are placed as kube places them: deleteCoreV1CollectionNamespacedPod, watchCoreV1NamespacedPodList.
            var collection = suffix == "Collection" ? "Collection" : "";
            var tail = suffix == "Collection" ? "" : suffix;
            if (allNamespaces) return $"{verb}{_groupVersion}{d.Kind}{tail}ForAllNamespaces";
            var scope = d.Namespaced ? "Namespaced" : "";
            return $"{verb}{_groupVersion}{collection}{scope}{d.Kind}{tail}";
        }

        /// <summary>"rbac.authorization.k8s.io" → "RbacAuthorization" (kube drops the ".k8s.io" suffix).</summary>
        public static string Camel(string group, bool lowerFirst)
        {
            var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
            var camel = string.Concat(trimmed.Split('.', '-').Where(p => p.Length > 0)
                .Select(p => char.ToUpper(p[0], CultureInfo.InvariantCulture) + p[1..]));
            return lowerFirst ? char.ToLowerInvariant(camel[0]) + camel[1..] : camel;
        }
    }
}
