using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Registry.Validation;
using static MiniApiServer.Tests.Validation.NameValidationTests;

namespace MiniApiServer.Tests.Validation;

public class MetadataValidationTests
{
    static IReadOnlyList<string> Create(string metadataJson, bool namespaced = true, ValidateNameFunc? names = null) =>
        MetadataValidation.ValidateObjectMeta(JsonNode.Parse(metadataJson)!.AsObject(), namespaced, names ?? NameValidation.NameIsDnsSubdomain)
            .Select(e => e.ToString()).ToList();

    public static TheoryData<string, bool, string[]> CreateCases => new()
    {
        // metadata, namespaced, errors as kube prints them
        { """{"name":"web","namespace":"default"}""", true, [] },
        { """{"name":"web","generateName":"web-","namespace":"default"}""", true, [] },
        { """{"namespace":"default"}""", true, ["metadata.name: Required value: name or generateName is required"] },
        { """{"name":"web"}""", true, ["metadata.namespace: Required value"] },
        { """{"name":"web","namespace":"a.b"}""", true, ["metadata.namespace: Invalid value: \"a.b\": must not contain dots"] },
        { """{"name":"web","namespace":"default"}""", false, ["metadata.namespace: Forbidden: not allowed on this type"] },
        { """{"name":"Bad_Name","namespace":"default"}""", true, ["metadata.name: Invalid value: \"Bad_Name\": " + Dns1123SubdomainRule] },
        { """{"name":"Bad-x7k2q","generateName":"Bad-","namespace":"default"}""", true,
            ["metadata.generateName: Invalid value: \"Bad-\": " + Dns1123SubdomainRule, "metadata.name: Invalid value: \"Bad-x7k2q\": " + Dns1123SubdomainRule] },
        { """{"name":"web","namespace":"default","generation":-1}""", true, ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"] },
        { """{"name":"web","namespace":"default","labels":{"app":"web","example.com/tier":""}}""", true, [] },
        { """{"name":"web","namespace":"default","labels":{"a_":"-x"}}""", true,
            ["metadata.labels: Invalid value: \"a_\": name part " + NamePartRule, "metadata.labels: Invalid value: \"-x\": " + LabelValueRule] },
        // Annotation keys are checked lower-cased: upper case is fine there, unlike in label keys' prefixes.
        { """{"name":"web","namespace":"default","annotations":{"Example.COM/Key":"any value at all"}}""", true, [] },
        { """{"name":"web","namespace":"default","annotations":{"a b":"x"}}""", true, ["metadata.annotations: Invalid value: \"a b\": name part " + NamePartRule] },
        { """{"name":"web","namespace":"default","finalizers":["kubernetes.io/pvc-protection","a/b/c"]}""", true,
            ["metadata.finalizers: Invalid value: \"a/b/c\": a qualified name " + NamePartRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"] },
        { """{"name":"web","namespace":"default","finalizers":["orphan","foregroundDeletion"]}""", true,
            ["metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan and foregroundDeletion cannot be both set"] },
        { """{"name":"web","namespace":"default","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"u1","controller":true}]}""", true, [] },
        { """{"name":"web","namespace":"default","ownerReferences":[{"apiVersion":"apps/"}]}""", true,
            ["metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty",
             "metadata.ownerReferences.kind: Invalid value: \"\": kind must not be empty",
             "metadata.ownerReferences.name: Invalid value: \"\": name must not be empty",
             "metadata.ownerReferences.uid: Invalid value: \"\": uid must not be empty"] },
        { """{"name":"web","namespace":"default","ownerReferences":[{"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}]}""", true,
            ["metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:\"v1\", Kind:\"Event\", Name:\"e\", UID:\"u\", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner"] },
        { """{"name":"web","namespace":"default","managedFields":[{"manager":"kubectl","operation":"Apply","fieldsType":"FieldsV1"},{"manager":"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm","operation":"Patch","fieldsType":"FieldsV2"}]}""", true,
            ["metadata.managedFields[1].operation: Invalid value: \"Patch\": must be `Apply` or `Update`",
             "metadata.managedFields[1].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`",
             "metadata.managedFields[1].manager: Too long: may not be more than 128 bytes"] },
    };

    [Theory, MemberData(nameof(CreateCases))]
    public void ValidateObjectMetaReportsKubesErrors(string metadata, bool namespaced, string[] errors) =>
        Assert.Equal(errors, Create(metadata, namespaced));

    [Fact]
    public void FieldManagersMustBePrintable()
    {
        var metadata = new JsonObject { ["name"] = "web", ["namespace"] = "default", ["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "ké\u0007", ["operation"] = "Update" }) };
        var error = Assert.Single(MetadataValidation.ValidateObjectMeta(metadata, true, NameValidation.NameIsDnsSubdomain));
        Assert.Equal("metadata.managedFields[0].manager", error.Field);
        // Go's %#U of the rune and its byte offset ("é" takes two bytes).
        Assert.Equal("invalid character U+0007 (at position 3)", error.Detail);
    }

    [Fact]
    public void OnlyOneOwnerReferenceMayBeTheController()
    {
        var errors = Create("""{"name":"web","namespace":"default","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]}""");
        var error = Assert.Single(errors);
        Assert.StartsWith("metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:\"apps/v1\", Kind:\"ReplicaSet\", Name:\"a\"", error);
        Assert.EndsWith(": Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b", error);
    }

    [Fact]
    public void AnnotationsMayTotalAtMost256KiB()
    {
        var fits = new JsonObject { ["name"] = "web", ["namespace"] = "default", ["annotations"] = new JsonObject { ["k"] = new string('x', 256 * 1024 - 1) } };
        Assert.Empty(MetadataValidation.ValidateObjectMeta(fits, true, NameValidation.NameIsDnsSubdomain));
        var tooBig = new JsonObject { ["name"] = "web", ["namespace"] = "default", ["annotations"] = new JsonObject { ["k"] = new string('x', 256 * 1024) } };
        var error = Assert.Single(MetadataValidation.ValidateObjectMeta(tooBig, true, NameValidation.NameIsDnsSubdomain));
        Assert.Equal("metadata.annotations: Too long: may not be more than 262144 bytes", error.ToString());
        Assert.Equal("FieldValueTooLong", error.Type.Reason());
    }

    [Fact]
    public void NamespaceNamesUseTheDnsLabelRuleAndRbacNamesThePathSegmentRule()
    {
        Assert.Equal(["metadata.name: Invalid value: \"a.b\": must not contain dots"],
            Create("""{"name":"a.b"}""", namespaced: false, NameValidation.ValidateNamespaceName));
        Assert.Empty(Create("""{"name":"system:controller:job-controller"}""", namespaced: false, NameValidation.ValidatePathSegmentName));
        Assert.Equal(["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
            Create("""{"name":"a/b"}""", namespaced: false, NameValidation.ValidatePathSegmentName));
    }

    [Fact]
    public void TheErrorsMakeKubesInvalidStatus()
    {
        var errors = MetadataValidation.ValidateObjectMeta(JsonNode.Parse("""{"name":"Bad"}""")!.AsObject(), false, NameValidation.ValidateNamespaceName);
        var ex = StatusErrors.Invalid("", "Namespace", "Bad", errors);
        Assert.Equal(422, ex.Code);
        Assert.Equal("Namespace \"Bad\" is invalid: metadata.name: Invalid value: \"Bad\": " + Dns1123LabelRule, ex.Status.Message);
    }

    // ---- update ----

    const string Old = """{"name":"web","namespace":"default","uid":"u1","resourceVersion":"5","generation":2,"creationTimestamp":"2024-01-01T00:00:00Z","finalizers":["a"]}""";

    static IReadOnlyList<string> Update(string newMeta, string oldMeta = Old) =>
        MetadataValidation.ValidateObjectMetaUpdate(JsonNode.Parse(newMeta)!.AsObject(), JsonNode.Parse(oldMeta)!.AsObject())
            .Select(e => e.ToString()).ToList();

    public static TheoryData<string, string[]> UpdateCases => new()
    {
        { Old, [] },
        { Old.Replace("\"name\":\"web\"", "\"name\":\"web2\""), ["metadata.name: Invalid value: \"web2\": field is immutable"] },
        { Old.Replace("\"namespace\":\"default\"", "\"namespace\":\"other\""), ["metadata.namespace: Invalid value: \"other\": field is immutable"] },
        { Old.Replace("\"uid\":\"u1\"", "\"uid\":\"u2\""), ["metadata.uid: Invalid value: \"u2\": field is immutable"] },
        { Old.Replace("2024-01-01T00:00:00Z", "2024-01-02T03:04:05Z"), ["metadata.creationTimestamp: Invalid value: 2024-01-02 03:04:05 +0000 UTC: field is immutable"] },
        // The same instant written with an offset is the same timestamp.
        { Old.Replace("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00"), [] },
        { Old.Replace("\"resourceVersion\":\"5\",", ""), ["metadata.resourceVersion: Invalid value: \"\": must be specified for an update"] },
        { Old.Replace("\"generation\":2", "\"generation\":1"), ["metadata.generation: Invalid value: 1: must not be decremented"] },
        { Old.Replace("\"generation\":2", "\"generation\":3"), [] },
        { Old.Replace("}", ",\"deletionTimestamp\":\"2024-01-03T00:00:00Z\"}"), ["metadata.deletionTimestamp: Invalid value: 2024-01-03 00:00:00 +0000 UTC: field is immutable"] },
        { Old.Replace("}", ",\"deletionGracePeriodSeconds\":30}"), ["metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable"] },
        { Old.Replace("}", ",\"labels\":{\"a\":\"-\"}}"), ["metadata.labels: Invalid value: \"-\": " + LabelValueRule] },
    };

    [Theory, MemberData(nameof(UpdateCases))]
    public void ValidateObjectMetaUpdateKeepsIdentityFieldsImmutable(string newMeta, string[] errors) =>
        Assert.Equal(errors, Update(newMeta));

    [Fact]
    public void ABeingDeletedObjectMayLoseFinalizersButNotGainThem()
    {
        var deleting = Old.Replace("}", ",\"deletionTimestamp\":\"2024-01-03T00:00:00Z\"}");
        Assert.Empty(Update(deleting.Replace("[\"a\"]", "[]"), deleting));
        Assert.Equal(["metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"b\", \"c\"}"],
            Update(deleting.Replace("[\"a\"]", "[\"c\",\"a\",\"b\"]"), deleting));
        // Before deletion starts, finalizers may be added freely.
        Assert.Empty(Update(Old.Replace("[\"a\"]", "[\"a\",\"b\"]")));
    }

    [Fact]
    public void RemovingTheCreationTimestampShowsGosZeroTime() =>
        Assert.Equal(["metadata.creationTimestamp: Invalid value: 0001-01-01 00:00:00 +0000 UTC: field is immutable"],
            Update(Old.Replace(",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"", "")));

    // ---- label selectors inside objects (RBAC aggregation rules) ----

    public static TheoryData<string, string[]> SelectorCases => new()
    {
        { """{"matchLabels":{"a":"b"},"matchExpressions":[{"key":"c","operator":"In","values":["d"]}]}""", [] },
        { """{"matchExpressions":[{"key":"c","operator":"In"}]}""", ["sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"] },
        { """{"matchExpressions":[{"key":"c","operator":"Exists","values":["x"]}]}""", ["sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"] },
        { """{"matchExpressions":[{"key":"c","operator":"Gt","values":["1"]}]}""", ["sel.matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector operator"] },
        { """{"matchExpressions":[{"key":"c_","operator":"NotIn","values":["-"]}]}""",
            ["sel.matchExpressions[0].key: Invalid value: \"c_\": name part " + NamePartRule, "sel.matchExpressions[0].values[0]: Invalid value: \"-\": " + LabelValueRule] },
        { """{"matchLabels":{"a":"-"}}""", ["sel.matchLabels: Invalid value: \"-\": " + LabelValueRule] },
    };

    [Theory, MemberData(nameof(SelectorCases))]
    public void ValidateLabelSelectorChecksOperatorsKeysAndValues(string selector, string[] errors) =>
        Assert.Equal(errors, MetadataValidation.ValidateLabelSelector(JsonNode.Parse(selector)!.AsObject(), "sel").Select(e => e.ToString()));
}
