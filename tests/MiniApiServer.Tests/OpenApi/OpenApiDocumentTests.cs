using System.Text.Json.Nodes;
using MiniApiServer.Api.OpenApi;

namespace MiniApiServer.Tests.OpenApi;

/// <summary>The content of the generated documents: what kubectl explain, apply and validation read.</summary>
public class OpenApiDocumentTests
{
    static readonly Lazy<OpenApiDocuments> Documents = new(() => new OpenApiDocuments(OpenApiTestKinds.All));

    static JsonNode Doc(string key) => JsonNode.Parse(Documents.Value.GroupVersions[key].Json)!;
    static JsonNode CoreV1 => LazyCore.Value;
    static readonly Lazy<JsonNode> LazyCore = new(() => Doc("api/v1"));
    static JsonNode Schema(string name) => CoreV1["components"]!["schemas"]![name] ?? throw new Xunit.Sdk.XunitException($"no schema {name}");

    [Fact]
    public void OneDocumentPerServedGroupVersion() =>
        Assert.Equal(["api/v1", "apis/rbac.authorization.k8s.io/v1"], Documents.Value.GroupVersions.Keys);

    [Fact]
    public void TopLevelKindsCarryTheirGroupVersionKindAsAList()
    {
        var gvk = Assert.IsType<JsonArray>(Schema("io.k8s.api.core.v1.Pod")["x-kubernetes-group-version-kind"]);
        Assert.Equal("""[{"group":"","kind":"Pod","version":"v1"}]""", gvk.ToJsonString());
        Assert.Equal("""[{"group":"","kind":"PodList","version":"v1"}]""", Schema("io.k8s.api.core.v1.PodList")["x-kubernetes-group-version-kind"]!.ToJsonString());
        Assert.Null(Schema("io.k8s.api.core.v1.PodSpec")["x-kubernetes-group-version-kind"]);
    }

    [Fact]
    public void ObjectFieldsAreRefsWrappedInAllOfWithAnEmptyDefault()
    {
        var metadata = Schema("io.k8s.api.core.v1.Pod")["properties"]!["metadata"]!;

        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", metadata["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.Equal("{}", metadata["default"]!.ToJsonString());
        Assert.False(string.IsNullOrEmpty(metadata["description"]?.GetValue<string>()));
    }

    public static TheoryData<string, string, string> FieldTypes => new()
    {
        { "io.k8s.api.core.v1.Container", "image", """{"description":"*","type":"string"}""" },
        { "io.k8s.api.core.v1.ContainerPort", "containerPort", """{"description":"*","format":"int32","type":"integer"}""" },
        { "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "generation", """{"description":"*","format":"int64","type":"integer"}""" },
        { "io.k8s.api.core.v1.Secret", "data", """{"additionalProperties":{"format":"byte","type":"string"},"description":"*","type":"object"}""" },
        { "io.k8s.api.core.v1.ResourceRequirements", "limits", """{"additionalProperties":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"},"description":"*","type":"object"}""" },
        { "io.k8s.api.core.v1.HTTPGetAction", "port", """{"allOf":[{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}],"description":"*"}""" },
        { "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp", """{"allOf":[{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}],"description":"*"}""" },
        { "io.k8s.api.core.v1.PodSpec", "nodeSelector", """{"additionalProperties":{"type":"string"},"description":"*","type":"object","x-kubernetes-map-type":"atomic"}""" },
    };

    [Theory]
    [MemberData(nameof(FieldTypes))]
    public void PropertiesAreTypedAsKubeTypesThem(string schema, string field, string expected)
    {
        var property = Schema(schema)["properties"]![field]!.DeepClone().AsObject();
        Assert.False(string.IsNullOrEmpty(property["description"]?.GetValue<string>()), "description");
        property["description"] = "*";
        Assert.Equal(expected, property.ToJsonString());
    }

    [Fact]
    public void ContainersMergeByNameForClientSideApply()
    {
        var containers = Schema("io.k8s.api.core.v1.PodSpec")["properties"]!["containers"]!;

        Assert.Equal("name", containers["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Equal("merge", containers["x-kubernetes-patch-strategy"]!.GetValue<string>());
        Assert.Equal("map", containers["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Equal("""["name"]""", containers["x-kubernetes-list-map-keys"]!.ToJsonString());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", containers["items"]!["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.Equal(["containers"], Schema("io.k8s.api.core.v1.PodSpec")["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void ContainerPortsAreAListMapOnPortAndProtocol()
    {
        var ports = Schema("io.k8s.api.core.v1.Container")["properties"]!["ports"]!;

        Assert.Equal("containerPort", ports["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Equal("""["containerPort","protocol"]""", ports["x-kubernetes-list-map-keys"]!.ToJsonString());
    }

    [Fact]
    public void ApimachineryScalarsHaveKubesSchemas()
    {
        Assert.Equal("int-or-string", Schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString")["format"]!.GetValue<string>());
        Assert.Equal("""[{"type":"integer"},{"type":"string"}]""", Schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString")["oneOf"]!.ToJsonString());
        Assert.Equal("""[{"type":"string"},{"type":"number"}]""", Schema("io.k8s.apimachinery.pkg.api.resource.Quantity")["oneOf"]!.ToJsonString());
        Assert.Equal("date-time", Schema("io.k8s.apimachinery.pkg.apis.meta.v1.Time")["format"]!.GetValue<string>());
        Assert.Equal("atomic", Schema("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference")["x-kubernetes-map-type"]!.GetValue<string>());
    }

    [Fact]
    public void SchemasAreNamedByTheirKubePackage()
    {
        var names = CoreV1["components"]!["schemas"]!.AsObject().Select(p => p.Key).ToList();

        Assert.Contains("io.k8s.api.core.v1.Event", names);
        Assert.Contains("io.k8s.api.authentication.v1.TokenRequest", names);
        Assert.Contains("io.k8s.api.authentication.v1.BoundObjectReference", names);
        Assert.Contains("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", names);
        Assert.Contains("io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent", names);
        Assert.All(names, n => Assert.Matches(@"^io\.k8s\.(api\.(core|authentication)\.v1|apimachinery\.pkg\.(apis\.meta\.v1|util\.intstr|api\.resource))\.[A-Z]\w+$", n));
        Assert.Contains("io.k8s.api.rbac.v1.PolicyRule", Doc("apis/rbac.authorization.k8s.io/v1")["components"]!["schemas"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void EveryRefResolves()
    {
        foreach (var key in Documents.Value.GroupVersions.Keys)
        {
            var doc = Doc(key);
            var schemas = doc["components"]!["schemas"]!.AsObject();
            var refs = Descendants(doc).OfType<JsonObject>().Select(o => o["$ref"]?.GetValue<string>()).OfType<string>().Distinct();
            Assert.All(refs, r => Assert.True(schemas.ContainsKey(r["#/components/schemas/".Length..]), $"{key}: {r}"));
            Assert.All(schemas, s => Assert.NotEmpty(s.Value!.AsObject()));
        }
    }

    public static TheoryData<string, string> PatchPaths => new()
    {
        { "/api/v1/namespaces/{namespace}/pods/{name}", """{"group":"","kind":"Pod","version":"v1"}""" },
        { "/api/v1/namespaces/{namespace}/pods/{name}/status", """{"group":"","kind":"Pod","version":"v1"}""" },
        { "/api/v1/namespaces/{name}", """{"group":"","kind":"Namespace","version":"v1"}""" },
        { "/api/v1/namespaces/{namespace}/secrets/{name}", """{"group":"","kind":"Secret","version":"v1"}""" },
        { "/api/v1/namespaces/{namespace}/serviceaccounts/{name}", """{"group":"","kind":"ServiceAccount","version":"v1"}""" },
        { "/api/v1/namespaces/{namespace}/configmaps/{name}", """{"group":"","kind":"ConfigMap","version":"v1"}""" },
    };

    [Theory]
    [MemberData(nameof(PatchPaths))]
    public void PatchOperationsOfferServerSideValidation(string path, string gvk)
    {
        var patch = CoreV1["paths"]![path]!["patch"]!;

        Assert.Equal("patch", patch["x-kubernetes-action"]!.GetValue<string>());
        Assert.Equal(gvk, Assert.IsType<JsonObject>(patch["x-kubernetes-group-version-kind"]).ToJsonString());
        var query = patch["parameters"]!.AsArray().Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>());
        Assert.Equal(["dryRun", "fieldManager", "fieldValidation", "force"], query);
        Assert.Contains("application/strategic-merge-patch+json", patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
    }

    public static TheoryData<string, string, string, string> Operations => new()
    {
        { "/api/v1/namespaces/{namespace}/pods", "get", "listCoreV1NamespacedPod", "list" },
        { "/api/v1/namespaces/{namespace}/pods", "post", "createCoreV1NamespacedPod", "post" },
        { "/api/v1/namespaces/{namespace}/pods", "delete", "deleteCoreV1CollectionNamespacedPod", "deletecollection" },
        { "/api/v1/namespaces/{namespace}/pods/{name}", "get", "readCoreV1NamespacedPod", "get" },
        { "/api/v1/namespaces/{namespace}/pods/{name}", "put", "replaceCoreV1NamespacedPod", "put" },
        { "/api/v1/namespaces/{namespace}/pods/{name}", "delete", "deleteCoreV1NamespacedPod", "delete" },
        { "/api/v1/pods", "get", "listCoreV1PodForAllNamespaces", "list" },
        { "/api/v1/watch/namespaces/{namespace}/pods", "get", "watchCoreV1NamespacedPodList", "watchlist" },
        { "/api/v1/watch/namespaces/{namespace}/pods/{name}", "get", "watchCoreV1NamespacedPod", "watch" },
        { "/api/v1/watch/pods", "get", "watchCoreV1PodListForAllNamespaces", "watchlist" },
        { "/api/v1/namespaces/{namespace}/pods/{name}/exec", "post", "connectPostCoreV1NamespacedPodExec", "connect" },
        { "/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", "post", "createCoreV1NamespacedServiceAccountToken", "post" },
        { "/api/v1/namespaces", "get", "listCoreV1Namespace", "list" },
        { "/api/v1/namespaces/{name}", "get", "readCoreV1Namespace", "get" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void OperationsFollowKubesPathsAndNames(string path, string method, string operationId, string action)
    {
        var op = CoreV1["paths"]![path]?[method] ?? throw new Xunit.Sdk.XunitException($"no {method} {path}");

        Assert.Equal(operationId, op["operationId"]!.GetValue<string>());
        Assert.Equal(action, op["x-kubernetes-action"]!.GetValue<string>());
    }

    [Fact]
    public void VerbsTheDefinitionDoesNotAllowHaveNoOperation()
    {
        var paths = CoreV1["paths"]!.AsObject();

        // events are read-only here; namespaces have no deletecollection.
        Assert.Equal(["get"], OperationMethods(paths["/api/v1/namespaces/{namespace}/events/{name}"]!));
        Assert.Equal(["get"], OperationMethods(paths["/api/v1/namespaces/{namespace}/events"]!));
        Assert.Equal(["get", "post"], OperationMethods(paths["/api/v1/namespaces"]!));
    }

    [Fact]
    public void TokenSubresourceCarriesTheTokenRequestKind() =>
        Assert.Equal("""{"group":"authentication.k8s.io","kind":"TokenRequest","version":"v1"}""",
            CoreV1["paths"]!["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"]!["post"]!["x-kubernetes-group-version-kind"]!.ToJsonString());

    [Fact]
    public void TheSameDefinitionsGiveTheSameHash() =>
        Assert.Equal(Documents.Value.GroupVersions["api/v1"].Hash, new OpenApiDocuments(OpenApiTestKinds.All.Reverse()).GroupVersions["api/v1"].Hash);

    static IEnumerable<string> OperationMethods(JsonNode pathItem) =>
        pathItem.AsObject().Select(p => p.Key).Where(k => k != "parameters").Order();

    static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var d in Descendants(child)) yield return d;
    }
}
