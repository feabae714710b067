using k8s.Models;
using MiniApiServer.Schema;

namespace MiniApiServer.Tests.Schema;

public class ModelSchemaTests
{
    static ISchemaNode At(Type root, params string[] path)
    {
        var node = ModelSchema.For(root);
        foreach (var step in path)
            node = step == "[]" ? node.Elements! : node.Property(step) ?? throw new InvalidOperationException($"no field {step} on {node}");
        return node;
    }

    public static TheoryData<string, string?, string?, string?, string[]> PodListFields => new()
    {
        // field path under V1Pod,             merge key,        strategy,            list type, list-map keys
        { "spec.containers",                   "name",           "merge",             "map",     ["name"] },
        { "spec.initContainers",               "name",           "merge",             "map",     ["name"] },
        { "spec.ephemeralContainers",          "name",           "merge",             "map",     ["name"] },
        { "spec.volumes",                      "name",           "merge,retainKeys",  "map",     ["name"] },
        { "spec.imagePullSecrets",             "name",           "merge",             "map",     ["name"] },
        { "spec.hostAliases",                  "ip",             "merge",             "map",     ["ip"] },
        { "spec.topologySpreadConstraints",    "topologyKey",    "merge",             "map",     ["topologyKey", "whenUnsatisfiable"] },
        { "spec.tolerations",                  null,             null,                "atomic",  [] },
        { "spec.containers.[].ports",          "containerPort",  "merge",             "map",     ["containerPort", "protocol"] },
        { "spec.containers.[].env",            "name",           "merge",             "map",     ["name"] },
        { "spec.containers.[].envFrom",        null,             null,                "atomic",  [] },
        { "spec.containers.[].volumeMounts",   "mountPath",      "merge",             "map",     ["mountPath"] },
        { "spec.containers.[].volumeDevices",  "devicePath",     "merge",             "map",     ["devicePath"] },
        { "spec.ephemeralContainers.[].env",   "name",           "merge",             "map",     ["name"] },
        { "status.conditions",                 "type",           "merge",             "map",     ["type"] },
        { "status.containerStatuses",          null,             null,                "atomic",  [] },
        { "metadata.ownerReferences",          "uid",            "merge",             "map",     ["uid"] },
        { "metadata.finalizers",               null,             "merge",             "set",     [] },
        { "metadata.managedFields",            null,             null,                "atomic",  [] },
    };

    [Theory]
    [MemberData(nameof(PodListFields))]
    public void PodListsCarryKubesPatchMetadata(string path, string? mergeKey, string? strategy, string? listType, string[] mapKeys)
    {
        var node = At(typeof(V1Pod), path.Split('.'));

        Assert.Equal(SchemaKind.List, node.Kind);
        Assert.Equal(mergeKey, node.PatchMergeKey);
        Assert.Equal(strategy, node.PatchStrategy);
        Assert.Equal(listType, node.ListType);
        Assert.Equal(mapKeys, node.ListMapKeys);
    }

    [Fact]
    public void ServiceAccountSecretsMergeByNameButImagePullSecretsAreAtomic()
    {
        Assert.Equal("name", At(typeof(V1ServiceAccount), "secrets").PatchMergeKey);
        Assert.Equal("atomic", At(typeof(V1ServiceAccount), "imagePullSecrets").ListType);
        Assert.Null(At(typeof(V1ServiceAccount), "imagePullSecrets").PatchMergeKey);
    }

    public static TheoryData<Type, string, SchemaKind> Kinds => new()
    {
        { typeof(V1Pod), "metadata", SchemaKind.Object },
        { typeof(V1Pod), "apiVersion", SchemaKind.String },
        { typeof(V1ContainerPort), "containerPort", SchemaKind.Integer },
        { typeof(V1Container), "tty", SchemaKind.Boolean },
        { typeof(V1HTTPGetAction), "port", SchemaKind.IntOrString },
        { typeof(V1ResourceRequirements), "limits", SchemaKind.Map },
        { typeof(V1ObjectMeta), "creationTimestamp", SchemaKind.Time },
        { typeof(V1ObjectMeta), "labels", SchemaKind.Map },
        { typeof(V1Secret), "data", SchemaKind.Map },
        { typeof(V1WatchEvent), "object", SchemaKind.Any },
        { typeof(V1JSONSchemaProps), "maximum", SchemaKind.Number },
        { typeof(V1PodList), "items", SchemaKind.List },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FieldsHaveTheKindOfTheirJsonValue(Type type, string field, SchemaKind kind) =>
        Assert.Equal(kind, At(type, field).Kind);

    [Fact]
    public void MapsAndListsDescribeTheirElements()
    {
        Assert.Equal(SchemaKind.Quantity, At(typeof(V1ResourceRequirements), "limits").Elements!.Kind);
        Assert.Equal(SchemaKind.Bytes, At(typeof(V1Secret), "data").Elements!.Kind);
        Assert.Equal(SchemaKind.String, At(typeof(V1ConfigMap), "data").Elements!.Kind);
        Assert.Equal(typeof(V1Pod), At(typeof(V1PodList), "items").Elements!.ClrType);
        Assert.Equal(typeof(V1Container), At(typeof(V1PodSpec), "containers").Elements!.ClrType);
    }

    [Fact]
    public void ObjectsListTheirJsonNamesNotTheirClrNames()
    {
        var meta = ModelSchema.For(typeof(V1ObjectMeta));

        Assert.Contains("namespace", meta.PropertyNames);
        Assert.DoesNotContain("NamespaceProperty", meta.PropertyNames);
        Assert.Null(meta.Property("NamespaceProperty"));
        Assert.NotNull(meta.Property("namespace"));
    }

    [Fact]
    public void NodesAreCachedPerType()
    {
        Assert.Same(ModelSchema.For(typeof(V1PodSpec)), ModelSchema.For(typeof(V1PodSpec)));
        Assert.Same(ModelSchema.For(typeof(V1Container)), At(typeof(V1PodSpec), "containers").Elements);
    }

    [Fact]
    public void RecursiveTypesExpandLazilyWithoutHanging()
    {
        // JSONSchemaProps contains itself through properties, items, allOf, not, ...
        var props = ModelSchema.For(typeof(V1JSONSchemaProps));
        var deep = props.Property("properties")!.Elements!.Property("properties")!.Elements!.Property("allOf")!.Elements!;

        Assert.Same(props, deep);
        Assert.Equal(SchemaKind.Object, deep.Kind);
    }

    [Fact]
    public void DescriptionsComeFromThePackageDocumentation()
    {
        Assert.StartsWith("Pod is a collection of containers", ModelSchema.For(typeof(V1Pod)).Description);
        Assert.StartsWith("List of containers belonging to the pod.", At(typeof(V1Pod), "spec", "containers").Description);
        // Wrapped lines are joined; paragraphs stay apart.
        var ebs = ModelSchema.For(typeof(V1AWSElasticBlockStoreVolumeSource)).Description!;
        Assert.Contains("Represents a Persistent Disk resource in AWS.\n\nAn AWS EBS disk", ebs);
        Assert.DoesNotContain("  ", ebs);
    }

    [Fact]
    public void AtomicStructsAreMarkedWhereverTheyAreUsed()
    {
        Assert.Equal("atomic", ModelSchema.For(typeof(V1OwnerReference)).MapType);
        Assert.Equal("atomic", At(typeof(V1EnvVarSource), "secretKeyRef").MapType);
        Assert.Equal("atomic", At(typeof(V1PodSpec), "nodeSelector").MapType);
        Assert.Null(At(typeof(V1ObjectMeta), "labels").MapType);
    }

    [Fact]
    public void RequiredFieldsFollowKube()
    {
        Assert.Equal(["name"], ModelSchema.RequiredProperties(typeof(V1Container)));
        Assert.Equal(["containers"], ModelSchema.RequiredProperties(typeof(V1PodSpec)));
        Assert.Equal(["items"], ModelSchema.RequiredProperties(typeof(V1PodList)));
        Assert.Empty(ModelSchema.RequiredProperties(typeof(V1ObjectMeta)));
    }

    [Fact]
    public void EveryFactTableEntryNamesARealJsonField()
    {
        var wrong = KubernetesFieldFacts.AllFieldEntries
            .Where(e => ModelSchema.For(e.Type).Property(e.JsonName) is null)
            .Select(e => $"{e.Type.Name}.{e.JsonName}")
            .ToList();

        Assert.Empty(wrong);
    }

    [Fact]
    public void MergeKeysNameAFieldOfTheListElement()
    {
        var entries = KubernetesFieldFacts.AllFieldEntries.Select(e => ModelSchema.For(e.Type).Property(e.JsonName)!)
            .Where(n => n.Kind == SchemaKind.List && (n.PatchMergeKey is not null || n.ListMapKeys.Count > 0));

        foreach (var list in entries)
            foreach (var key in list.ListMapKeys.Append(list.PatchMergeKey).OfType<string>())
                Assert.True(list.Elements!.Property(key) is not null, $"{list}: element {list.Elements!.ClrType.Name} has no field {key}");
    }
}
