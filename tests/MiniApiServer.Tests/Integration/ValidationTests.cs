using System.Net;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>Object validation as kube-apiserver 1.32 does it: names, metadata, immutability, secret types, data keys.</summary>
public sealed class ValidationTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    const string Rfc1123Label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const string Rfc1123Subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    async Task<string> Collection(string plural) =>
        plural == "namespaces" ? "/api/v1/namespaces" : $"/api/v1/namespaces/{await admin.NewNamespace()}/{plural}";

    static string Named(string plural, string name) => plural switch
    {
        "pods" => new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = JsonNode.Parse("""{"containers":[{"name":"c","image":"nginx"}]}""") }.ToJsonString(),
        _ => new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }.ToJsonString(),
    };

    static string KindOf(string plural) => plural switch
    {
        "namespaces" => "Namespace", "pods" => "Pod", "secrets" => "Secret", "serviceaccounts" => "ServiceAccount", "configmaps" => "ConfigMap",
        _ => throw new ArgumentOutOfRangeException(nameof(plural)),
    };

    /// <summary>Namespaces are DNS-1123 labels (63 characters, no dots); the other kinds DNS-1123 subdomains (253, dots allowed).</summary>
    [Theory]
    [InlineData("namespaces", "a.b", false)]
    [InlineData("configmaps", "a.b", true)]
    [InlineData("secrets", "a.b", true)]
    [InlineData("serviceaccounts", "a.b", true)]
    [InlineData("pods", "a.b", true)]
    [InlineData("namespaces", "UPPER", false)]
    [InlineData("configmaps", "UPPER", false)]
    [InlineData("configmaps", "-lead", false)]
    [InlineData("pods", "under_score", false)]
    public async Task NamesFollowTheKindsDnsRule(string plural, string name, bool valid)
    {
        var collection = await Collection(plural);
        var response = admin.Post(collection, Named(plural, name));
        if (valid) { await response.Expect(HttpStatusCode.Created); return; }
        // IsDNS1123Label (apimachinery 1.32): a name that would be a valid subdomain fails only for its dots.
        var rule = plural != "namespaces" ? Rfc1123Subdomain : name.Contains('.') ? "must not contain dots" : Rfc1123Label;
        await response.ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
            $"{KindOf(plural)} \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": {rule}");
    }

    /// <summary>The defaulted label kubernetes.io/metadata.name carries the name, so kube reports the label value
    /// too (SetDefaults_Namespace runs before ValidateObjectMeta, which checks name then labels).</summary>
    [Fact]
    public async Task ANamespaceNameIsAtMost63Characters()
    {
        await admin.Post("/api/v1/namespaces", Named("namespaces", new string('a', 63))).Expect(HttpStatusCode.Created);
        var name = new string('b', 64);
        var status = await admin.Post("/api/v1/namespaces", Named("namespaces", name)).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
            $"Namespace \"{name}\" is invalid: [metadata.name: Invalid value: \"{name}\": must be no more than 63 characters, " +
            $"metadata.labels: Invalid value: \"{name}\": must be no more than 63 characters]");
        Assert.Equal(["metadata.name", "metadata.labels"], status["details"]!["causes"]!.AsArray().Select(c => (string)c!["field"]!));
    }

    [Fact]
    public async Task OtherNamesMayBeLongerThan63()
    {
        var collection = await Collection("configmaps");
        await admin.Post(collection, Named("configmaps", new string('c', 200))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ANameOrGenerateNameIsRequired()
    {
        var collection = await Collection("configmaps");
        var status = await admin.Post(collection, """{"metadata":{}}""").ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains("metadata.name: Required value: name or generateName is required", (string?)status["message"]);
    }

    [Fact]
    public async Task AnInvalidGenerateNameIsInvalid()
    {
        var collection = await Collection("configmaps");
        var status = await admin.Post(collection, """{"metadata":{"generateName":"Bad_"}}""").ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains(status["details"]!["causes"]!.AsArray(), c => (string?)c!["field"] == "metadata.generateName");
    }

    [Fact]
    public async Task GenerateNameAppendsFiveCharacters()
    {
        var collection = await Collection("secrets");
        var created = await admin.Post(collection, """{"metadata":{"generateName":"s-"}}""").Expect(HttpStatusCode.Created);
        Assert.Matches("^s-[a-z0-9]{5}$", (string?)created["metadata"]!["name"]);
        Assert.Equal("s-", (string?)created["metadata"]!["generateName"]);
    }

    [Theory]
    [InlineData("""{"labels":{"bad key":"v"}}""", "metadata.labels")]
    [InlineData("""{"labels":{"k":"bad value!"}}""", "metadata.labels")]
    [InlineData("""{"labels":{"k":"0123456789012345678901234567890123456789012345678901234567890123"}}""", "metadata.labels")]
    [InlineData("""{"labels":{"example.com/a/b":"v"}}""", "metadata.labels")]
    [InlineData("""{"annotations":{"bad key":"v"}}""", "metadata.annotations")]
    public async Task BadLabelsAndAnnotationsAreInvalid(string metadata, string field)
    {
        var collection = await Collection("configmaps");
        var meta = (JsonObject)JsonNode.Parse(metadata)!;
        meta["name"] = "c";
        var status = await admin.Post(collection, new JsonObject { ["metadata"] = meta }.ToJsonString())
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal(field, (string?)status["details"]!["causes"]![0]!["field"]);
        Assert.StartsWith($"ConfigMap \"c\" is invalid: {field}: Invalid value: ", (string?)status["message"]);
    }

    [Fact]
    public async Task ANameThatDiffersFromTheUrlOnPutIsBadRequest()
    {
        var collection = await Collection("configmaps");
        await admin.Post(collection, Named("configmaps", "a")).Expect(HttpStatusCode.Created);
        await admin.Put($"{collection}/a", Named("configmaps", "b")).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            "the name of the object (b) does not match the name on the URL (a)");
    }

    /// <summary>kube's update handler checks the body's namespace against the URL before anything else (400).</summary>
    [Fact]
    public async Task ANamespaceThatDiffersFromTheUrlOnPutIsBadRequest()
    {
        var collection = await Collection("configmaps");
        var cm = await admin.Post(collection, Named("configmaps", "a")).Expect(HttpStatusCode.Created);
        cm["metadata"]!["namespace"] = "default";
        await admin.Put($"{collection}/a", cm.ToJsonString()).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request");
    }

    /// <summary>rest.BeforeUpdate keeps the stored creationTimestamp: a client's change is dropped, not an error.</summary>
    [Fact]
    public async Task CreationTimestampIsRestoredOnUpdate()
    {
        var collection = await Collection("configmaps");
        var cm = await admin.Post(collection, Named("configmaps", "a")).Expect(HttpStatusCode.Created);
        var original = (string?)cm["metadata"]!["creationTimestamp"];
        cm["metadata"]!["creationTimestamp"] = "2001-01-01T00:00:00Z";
        cm["data"] = new JsonObject { ["k"] = "v" };
        var updated = await admin.Put($"{collection}/a", cm.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.Equal(original, (string?)updated["metadata"]!["creationTimestamp"]);
    }

    /// <summary>A uid in a PUT body is a precondition (rest.defaultUpdatedObjectInfo.Preconditions): a different one is 409.</summary>
    [Fact]
    public async Task ADifferentUidOnUpdateIsAPreconditionConflict()
    {
        var collection = await Collection("configmaps");
        var cm = await admin.Post(collection, Named("configmaps", "a")).Expect(HttpStatusCode.Created);
        var uid = (string)cm["metadata"]!["uid"]!;
        var other = Guid.NewGuid().ToString();
        cm["metadata"]!["uid"] = other;
        await admin.Put($"{collection}/a", cm.ToJsonString()).ExpectStatus(HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in precondition: {other}, UID in object meta: {uid}");
    }

    [Fact]
    public async Task AnUpdateWithoutUidKeepsTheUid()
    {
        var collection = await Collection("configmaps");
        var cm = await admin.Post(collection, Named("configmaps", "a")).Expect(HttpStatusCode.Created);
        var uid = (string?)cm["metadata"]!["uid"];
        cm["metadata"]!.AsObject().Remove("uid");
        var updated = await admin.Put($"{collection}/a", cm.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.Equal(uid, (string?)updated["metadata"]!["uid"]);
    }

    [Fact]
    public async Task PodSpecIsImmutableExceptImages()
    {
        var collection = await Collection("pods");
        var pod = await admin.Post(collection, Named("pods", "p")).Expect(HttpStatusCode.Created);
        var path = $"{collection}/p";
        await admin.Patch(path, """{"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}""", "application/strategic-merge-patch+json").Expect(HttpStatusCode.OK);
        var status = await admin.Patch(path, """{"spec":{"restartPolicy":"Never"}}""", "application/strategic-merge-patch+json")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith("Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
            (string?)status["message"]);
        Assert.Equal("spec", (string?)status["details"]!["causes"]![0]!["field"]);
        Assert.Equal("FieldValueForbidden", (string?)status["details"]!["causes"]![0]!["reason"]);
    }

    [Fact]
    public async Task SecretTypeIsImmutable()
    {
        var collection = await Collection("secrets");
        var s = await admin.Post(collection, """{"metadata":{"name":"s"},"data":{"username":"dQ=="}}""").Expect(HttpStatusCode.Created);
        s["type"] = "kubernetes.io/basic-auth";
        var status = await admin.Put($"{collection}/s", s.ToJsonString()).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal("Secret \"s\" is invalid: type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable", (string?)status["message"]);
    }

    [Theory]
    [InlineData("configmaps", "data", """{"k":"v2"}""")]
    [InlineData("secrets", "data", """{"k":"djI="}""")]
    public async Task ImmutableDataCannotChange(string plural, string map, string newData)
    {
        var collection = await Collection(plural);
        var initial = plural == "secrets" ? """{"k":"dg=="}""" : """{"k":"v"}""";
        var obj = await admin.Post(collection, $$"""{"metadata":{"name":"x"},"immutable":true,"{{map}}":{{initial}}}""").Expect(HttpStatusCode.Created);
        obj[map] = JsonNode.Parse(newData);
        var status = await admin.Put($"{collection}/x", obj.ToJsonString()).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains($"{map}: Forbidden: field is immutable when `immutable` is set", (string?)status["message"]);
        obj[map] = JsonNode.Parse(initial);
        obj["immutable"] = false;
        status = await admin.Put($"{collection}/x", obj.ToJsonString()).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains("immutable: Forbidden: field is immutable when `immutable` is set", (string?)status["message"]);
        // Labels may still change.
        obj["immutable"] = true;
        obj["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        await admin.Put($"{collection}/x", obj.ToJsonString()).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("kubernetes.io/tls", """{"tls.crt":"eA=="}""", "data[tls.key]: Required value")]
    [InlineData("kubernetes.io/tls", """{"tls.key":"eA=="}""", "data[tls.crt]: Required value")]
    [InlineData("kubernetes.io/dockerconfigjson", """{}""", "data[.dockerconfigjson]: Required value")]
    [InlineData("kubernetes.io/ssh-auth", """{}""", "data[ssh-privatekey]: Required value")]
    public async Task SecretTypesRequireTheirKeys(string type, string data, string error)
    {
        var collection = await Collection("secrets");
        await admin.Post(collection, $$"""{"metadata":{"name":"s"},"type":"{{type}}","data":{{data}}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid", $"Secret \"s\" is invalid: {error}");
    }

    [Fact]
    public async Task ATlsSecretWithBothKeysIsValid()
    {
        var collection = await Collection("secrets");
        await admin.Post(collection, """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eA=="}}""").Expect(HttpStatusCode.Created);
    }

    /// <summary>ValidateSecret unmarshals .dockerconfigjson and reports a parse error with the contents redacted.</summary>
    [Fact]
    public async Task ADockerConfigJsonSecretMustHoldJson()
    {
        var collection = await Collection("secrets");
        await admin.Post(collection, """{"metadata":{"name":"good"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"eyJhdXRocyI6e319"}}""").Expect(HttpStatusCode.Created);
        var status = await admin.Post(collection, """{"metadata":{"name":"bad"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"bm90IGpzb24="}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith("Secret \"bad\" is invalid: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": ", (string?)status["message"]);
    }

    [Fact]
    public async Task StringDataMergesIntoDataAndWins()
    {
        var collection = await Collection("secrets");
        var s = await admin.Post(collection, """{"metadata":{"name":"s"},"data":{"a":"MQ==","b":"Mg=="},"stringData":{"b":"two","c":"three"}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("MQ==", (string?)s["data"]!["a"]);
        Assert.Equal("dHdv", (string?)s["data"]!["b"]);
        Assert.Equal("dGhyZWU=", (string?)s["data"]!["c"]);
        Assert.Null(s["stringData"]);
        var got = await admin.GetAsync($"{collection}/s").Expect(HttpStatusCode.OK);
        Assert.Null(got["stringData"]);
        Assert.Equal("Opaque", (string?)got["type"]);
    }

    [Theory]
    [InlineData("configmaps", "data", "bad key", "\"v\"")]
    [InlineData("configmaps", "binaryData", "bad/key", "\"dg==\"")]
    [InlineData("secrets", "data", "bad key", "\"dg==\"")]
    [InlineData("configmaps", "data", "..", "\"v\"")]
    public async Task DataKeysMustBeConfigKeys(string plural, string map, string key, string value)
    {
        var collection = await Collection(plural);
        var body = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" }, [map] = new JsonObject() };
        body[map]![key] = JsonNode.Parse(value);
        var status = await admin.Post(collection, body.ToJsonString()).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal($"{map}[{key}]", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task AKeyInBothConfigMapMapsIsInvalid()
    {
        var collection = await Collection("configmaps");
        await admin.Post(collection, """{"metadata":{"name":"x"},"data":{"k":"v"},"binaryData":{"k":"dg=="}}""")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
    }

    // ------------------------------------------------------------------ field validation

    const string UnknownFieldPod = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","bogus":1}]}}""";

    [Theory]
    [InlineData("Strict", 400)]
    [InlineData("Warn", 201)]
    [InlineData("Ignore", 201)]
    [InlineData("", 201)]
    public async Task UnknownFieldsOnCreate(string mode, int code)
    {
        var collection = await Collection("pods");
        var response = await admin.Post($"{collection}?fieldValidation={mode}", UnknownFieldPod);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == code, text);
        var warnings = response.Headers.TryGetValues("Warning", out var w) ? w.ToList() : [];
        if (mode == "Strict")
            Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].bogus\"", (string?)JsonNode.Parse(text)!["message"]);
        else if (mode is "Warn" or "")
            Assert.Equal(["299 - \"unknown field \\\"spec.containers[0].bogus\\\"\""], warnings);
        else
            Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("Strict", 400)]
    [InlineData("Warn", 200)]
    [InlineData("Ignore", 200)]
    public async Task UnknownFieldsOnUpdate(string mode, int code)
    {
        var collection = await Collection("configmaps");
        var cm = await admin.Post(collection, Named("configmaps", "c")).Expect(HttpStatusCode.Created);
        cm["bogus"] = "x";
        var response = await admin.Put($"{collection}/c?fieldValidation={mode}", cm.ToJsonString());
        Assert.Equal(code, (int)response.StatusCode);
        var warnings = response.Headers.TryGetValues("Warning", out var w) ? w.ToList() : [];
        if (mode == "Warn") Assert.Equal(["299 - \"unknown field \\\"bogus\\\"\""], warnings);
        if (mode == "Ignore") Assert.Empty(warnings);
        if (mode == "Strict") Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\"", (string?)(await response.ReadObject())["message"]);
    }

    [Theory]
    [InlineData("application/merge-patch+json", "Strict", 400)]
    [InlineData("application/merge-patch+json", "Warn", 200)]
    [InlineData("application/strategic-merge-patch+json", "Strict", 400)]
    [InlineData("application/strategic-merge-patch+json", "Ignore", 200)]
    [InlineData("application/apply-patch+yaml", "Strict", 400)]
    [InlineData("application/apply-patch+yaml", "Warn", 200)]
    public async Task UnknownFieldsOnPatch(string patchType, string mode, int code)
    {
        var collection = await Collection("configmaps");
        await admin.Post(collection, Named("configmaps", "c")).Expect(HttpStatusCode.Created);
        var patch = patchType == "application/apply-patch+yaml"
            ? """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"bogus":"x"}"""
            : """{"bogus":"x"}""";
        var response = await admin.Patch($"{collection}/c?fieldValidation={mode}&fieldManager=test", patch, patchType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code == (int)response.StatusCode, text);
        var warnings = response.Headers.TryGetValues("Warning", out var w) ? w.ToList() : [];
        if (mode == "Strict") Assert.Contains("unknown field \"bogus\"", (string?)JsonNode.Parse(text)!["message"]);
        if (mode == "Warn") Assert.Equal(["299 - \"unknown field \\\"bogus\\\"\""], warnings);
        if (mode == "Ignore") Assert.Empty(warnings);
    }

    /// <summary>Duplicate JSON fields: Strict rejects them, Warn keeps the last and warns, Ignore keeps the last
    /// (kube's strict JSON decoder reports <c>duplicate field "data.k"</c>; create.go's transformDecodeError
    /// words the failure).</summary>
    [Theory]
    [InlineData("Strict", 400)]
    [InlineData("Warn", 201)]
    [InlineData("Ignore", 201)]
    public async Task DuplicateFieldsOnCreate(string mode, int code)
    {
        var collection = await Collection("configmaps");
        var response = await admin.Post($"{collection}?fieldValidation={mode}", """{"metadata":{"name":"c"},"data":{"k":"first","k":"second"}}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code == (int)response.StatusCode, text);
        var body = JsonNode.Parse(text)!;
        var warnings = response.Headers.TryGetValues("Warning", out var w) ? w.ToList() : [];
        if (mode == "Strict")
        {
            Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"data.k\"", (string?)body["message"]);
            return;
        }
        Assert.Equal("second", (string?)body["data"]!["k"]);
        if (mode == "Warn") Assert.Equal(["299 - \"duplicate field \\\"data.k\\\"\""], warnings);
        else Assert.Empty(warnings);
    }

    /// <summary>Unknown and duplicate fields come in document order in one error (sigs.k8s.io/json), an unknown
    /// field's value is not looked into, and a repeated struct field is decoded into the first (Go merges).</summary>
    [Fact]
    public async Task StrictErrorsComeInDocumentOrder()
    {
        var collection = await Collection("configmaps");
        const string body = """
            {"metadata":{"name":"c","labels":{"a":"1"}},"bogus":{"x":1,"x":2},"data":{"k":"1"},"metadata":{"labels":{"b":"2"}},"bogus":3,"data":{"j":"2"}}
            """;
        await admin.Post($"{collection}?fieldValidation=Strict", body).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\", duplicate field \"metadata\", duplicate field \"data\"");
        var created = await admin.Post($"{collection}?fieldValidation=Ignore", body).Expect(HttpStatusCode.Created);
        Assert.Equal("c", (string?)created["metadata"]!["name"]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, created["metadata"]!["labels"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!));
        Assert.Equal(new Dictionary<string, string> { ["k"] = "1", ["j"] = "2" }, created["data"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"c"},"data":{"k":1}}""")]
    [InlineData("""{"metadata":{"name":"c"},"data":"text"}""")]
    [InlineData("""{"metadata":{"name":"c","labels":["a"]}}""")]
    [InlineData("""{"metadata":{"name":7}}""")]
    public async Task TypeMismatchesAreBadRequest(string body)
    {
        var collection = await Collection("configmaps");
        var status = await admin.Post(collection, body).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
        Assert.StartsWith("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: ", (string?)status["message"]);
    }

    /// <summary>fieldValidation must be Ignore, Warn or Strict: ValidateFieldValidation makes any other value a 422
    /// on CreateOptions.</summary>
    [Fact]
    public async Task AnUnknownFieldValidationValueIsInvalid()
    {
        var collection = await Collection("configmaps");
        var status = await admin.Post($"{collection}?fieldValidation=Loose", Named("configmaps", "c"))
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith("CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loose\": supported values: ", (string?)status["message"]);
    }
}
