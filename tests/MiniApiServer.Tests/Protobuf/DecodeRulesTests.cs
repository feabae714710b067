using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Protobuf;

namespace MiniApiServer.Tests.Protobuf;

/// <summary>
/// The rules that turn gogo-proto's "write everything" bodies into kube's JSON: zero values of
/// non-pointer fields are unset, pointer fields are kept even when zero, maps and lists keep every entry.
/// </summary>
public class DecodeRulesTests
{
    static JsonObject Decode(string apiVersion, string kind, ProtoBody obj) =>
        KubeProtobuf.Decode(ProtoBody.Envelope(apiVersion, kind, obj));

    static void AssertJson(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"expected {expected?.ToJsonString()}\nactual   {actual?.ToJsonString()}");
    }

    [Fact]
    public void EmptyNonPointerFieldsAreUnset()
    {
        var body = new ProtoBody()
            .Message(1, ProtoBody.EmptyObjectMeta())
            .String(3, "");

        AssertJson("""{"apiVersion":"v1","kind":"Secret"}""", Decode("v1", "Secret", body));
    }

    [Fact]
    public void SetNonPointerFieldsAreKept()
    {
        var body = new ProtoBody()
            .Message(1, new ProtoBody().String(1, "s").String(3, "ns").Varint(7, 4).Message(8, new ProtoBody().Varint(1, 1704164645)))
            .String(3, "kubernetes.io/tls");

        AssertJson("""
            {"apiVersion":"v1","kind":"Secret",
             "metadata":{"name":"s","namespace":"ns","generation":4,"creationTimestamp":"2024-01-02T03:04:05Z"},
             "type":"kubernetes.io/tls"}
            """, Decode("v1", "Secret", body));
    }

    /// <summary>A Go pointer field is sent only when set, so false, 0 and {} are real values.</summary>
    public static TheoryData<string, string, byte[], string> PointerFields => new()
    {
        { "v1", "Secret", new ProtoBody().Varint(5, 0).ToArray(), """{"immutable":false}""" },
        { "v1", "ConfigMap", new ProtoBody().Varint(4, 0).ToArray(), """{"immutable":false}""" },
        { "v1", "ServiceAccount", new ProtoBody().Varint(4, 0).ToArray(), """{"automountServiceAccountToken":false}""" },
        { "authentication.k8s.io/v1", "TokenRequest", new ProtoBody().Message(2, new ProtoBody().Varint(4, 0)).ToArray(),
            """{"spec":{"expirationSeconds":0}}""" },
        { "authentication.k8s.io/v1", "TokenRequest", new ProtoBody().Message(2, new ProtoBody().Message(3, new ProtoBody())).ToArray(),
            """{"spec":{"boundObjectRef":{}}}""" },
        { "certificates.k8s.io/v1", "CertificateSigningRequest", new ProtoBody().Message(2, new ProtoBody().Varint(8, 0)).ToArray(),
            """{"spec":{"expirationSeconds":0}}""" },
        { "rbac.authorization.k8s.io/v1", "ClusterRole", new ProtoBody().Message(3, new ProtoBody()).ToArray(),
            """{"aggregationRule":{}}""" },
        { "authorization.k8s.io/v1", "SelfSubjectAccessReview", new ProtoBody().Message(2, new ProtoBody().Message(2, new ProtoBody())).ToArray(),
            """{"spec":{"nonResourceAttributes":{}}}""" },
        { "v1", "Namespace", new ProtoBody().Message(1, new ProtoBody().Varint(10, 0)).ToArray(),
            """{"metadata":{"deletionGracePeriodSeconds":0}}""" },
        { "v1", "Namespace", new ProtoBody().Message(1, new ProtoBody().Message(13, new ProtoBody().Varint(6, 0).Varint(7, 0))).ToArray(),
            """{"metadata":{"ownerReferences":[{"controller":false,"blockOwnerDeletion":false}]}}""" },
    };

    [Theory]
    [MemberData(nameof(PointerFields))]
    public void PointerFieldsAreKeptEvenWhenZero(string apiVersion, string kind, byte[] body, string expectedFields)
    {
        var expected = JsonNode.Parse(expectedFields)!.AsObject();
        expected.Insert(0, "apiVersion", apiVersion);
        expected.Insert(1, "kind", kind);

        AssertJson(expected.ToJsonString(), KubeProtobuf.Decode(ProtoBody.Envelope(apiVersion, kind, body)));
    }

    [Fact]
    public void NonPointerFalseIsUnsetButTrueIsKept()
    {
        var denied = new ProtoBody().Message(3, new ProtoBody().Varint(1, 0).String(2, "").String(3, "").Varint(4, 0));
        var allowed = new ProtoBody().Message(3, new ProtoBody().Varint(1, 1).String(2, "rbac").String(3, "").Varint(4, 0));

        Assert.False(Decode("authorization.k8s.io/v1", "SelfSubjectAccessReview", denied).ContainsKey("status"));
        AssertJson("""{"allowed":true,"reason":"rbac"}""",
            Decode("authorization.k8s.io/v1", "SelfSubjectAccessReview", allowed)["status"]);
    }

    [Fact]
    public void MapsBecomeObjects()
    {
        var meta = new ProtoBody()
            .String(1, "c")
            .Entry(11, "app", "web").Entry(11, "tier", "")
            .Entry(12, "note", "x");
        var body = new ProtoBody()
            .Message(1, meta)
            .Entry(2, "a", "b")
            .Entry(3, "bin", [0, 0xff])
            .Entry(3, "empty", []);

        AssertJson("""
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"c","labels":{"app":"web","tier":""},"annotations":{"note":"x"}},
             "data":{"a":"b"},"binaryData":{"bin":"AP8=","empty":""}}
            """, Decode("v1", "ConfigMap", body));
    }

    [Fact]
    public void MapEntriesFollowGoRules()
    {
        // A missing key or value is its zero value; a repeated key keeps the last value.
        var body = new ProtoBody()
            .Message(2, new ProtoBody().String(1, "novalue"))
            .Message(2, new ProtoBody().String(2, "nokey"))
            .Entry(2, "k", "first").Entry(2, "k", "last");

        AssertJson("""{"novalue":"","":"nokey","k":"last"}""", Decode("v1", "ConfigMap", body)["data"]);
    }

    [Fact]
    public void SecretDataAndStringDataAreSeparateMaps()
    {
        var body = new ProtoBody()
            .Entry(2, "password", Encoding.UTF8.GetBytes("s3cr3t"))
            .Entry(4, "user", "admin");

        AssertJson("""{"apiVersion":"v1","kind":"Secret","data":{"password":"czNjcjN0"},"stringData":{"user":"admin"}}""",
            Decode("v1", "Secret", body));
    }

    [Fact]
    public void RepeatedFieldsKeepEveryElementInOrder()
    {
        var meta = new ProtoBody()
            .String(1, "sa")
            .String(14, "f1").String(14, "")
            .Message(13, new ProtoBody().String(1, "Deployment").String(3, "web").String(4, "u1").String(5, "apps/v1").Varint(6, 1));
        var body = new ProtoBody()
            .Message(1, meta)
            .Message(2, new ProtoBody().String(1, "Secret").String(3, "tok").String(2, ""))
            .Message(2, new ProtoBody())
            .Message(3, new ProtoBody().String(1, "regcred"));

        AssertJson("""
            {"apiVersion":"v1","kind":"ServiceAccount",
             "metadata":{"name":"sa","finalizers":["f1",""],
                         "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"u1","controller":true}]},
             "secrets":[{"kind":"Secret","name":"tok"},{}],
             "imagePullSecrets":[{"name":"regcred"}]}
            """, Decode("v1", "ServiceAccount", body));
    }

    [Fact]
    public void NestedMessagesWithTimes()
    {
        var condition = new ProtoBody()
            .String(1, "NamespaceDeletionContentFailure").String(2, "True")
            .Message(4, new ProtoBody().Varint(1, 1704164645).Varint(2, 999_999_999))
            .String(5, "").String(6, "boom");
        var body = new ProtoBody()
            .Message(1, ProtoBody.EmptyObjectMeta("ns"))
            .Message(2, new ProtoBody().String(1, "kubernetes"))
            .Message(3, new ProtoBody().String(1, "Terminating").Message(2, condition));

        AssertJson("""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"},
             "spec":{"finalizers":["kubernetes"]},
             "status":{"phase":"Terminating","conditions":[
                {"type":"NamespaceDeletionContentFailure","status":"True","lastTransitionTime":"2024-01-02T03:04:05Z","message":"boom"}]}}
            """, Decode("v1", "Namespace", body));
    }

    /// <summary>metav1.Time: empty message is the zero time (unset); anything else is time.Unix(s, ns) in UTC.</summary>
    public static TheoryData<byte[], string?> Times => new()
    {
        { new ProtoBody().ToArray(), null },
        { new ProtoBody().Varint(1, 1704164645).ToArray(), "2024-01-02T03:04:05Z" },
        { new ProtoBody().Varint(1, 1704164645).Varint(2, 500_000_000).ToArray(), "2024-01-02T03:04:05Z" },
        { new ProtoBody().Varint(1, 0).Varint(2, 0).ToArray(), "1970-01-01T00:00:00Z" },
        { new ProtoBody().Varint(1, -1).ToArray(), "1969-12-31T23:59:59Z" },
        { new ProtoBody().Varint(1, 59).Varint(2, 1_000_000_000).ToArray(), "1970-01-01T00:01:00Z" },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void TimesAreRfc3339InUtc(byte[] time, string? expected)
    {
        var body = new ProtoBody().Message(1, new ProtoBody().String(1, "n").Bytes(8, time));

        var metadata = Decode("v1", "Namespace", body)["metadata"]!;

        Assert.Equal(expected, (string?)metadata["creationTimestamp"]);
    }

    [Fact]
    public void ExtraValuesAreArrays()
    {
        var userInfo = new ProtoBody()
            .String(1, "alice").String(2, "")
            .String(3, "devs").String(3, "system:authenticated")
            .Message(4, new ProtoBody().String(1, "scopes").Message(2, new ProtoBody().String(1, "a").String(1, "b")))
            .Message(4, new ProtoBody().String(1, "none").Message(2, new ProtoBody()));
        var body = new ProtoBody().Message(2, new ProtoBody().Message(1, userInfo));

        AssertJson("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview",
             "status":{"userInfo":{"username":"alice","groups":["devs","system:authenticated"],"extra":{"scopes":["a","b"],"none":[]}}}}
            """, Decode("authentication.k8s.io/v1", "SelfSubjectReview", body));
    }

    [Fact]
    public void SelfSubjectRulesReviewStatusIsDecoded()
    {
        var status = new ProtoBody()
            .Message(1, new ProtoBody().String(1, "get").String(2, "").String(3, "pods"))
            .Message(2, new ProtoBody().String(1, "get").String(2, "/healthz"))
            .Varint(3, 1).String(4, "");
        var body = new ProtoBody().Message(2, new ProtoBody().String(1, "default")).Message(3, status);

        AssertJson("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"default"},
             "status":{"resourceRules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}],
                       "nonResourceRules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}],"incomplete":true}}
            """, Decode("authorization.k8s.io/v1", "SelfSubjectRulesReview", body));
    }

    [Fact]
    public void CertificateIsBase64()
    {
        var body = new ProtoBody().Message(3, new ProtoBody().Bytes(2, [1, 2, 3]));

        AssertJson("""{"certificate":"AQID"}""", Decode("certificates.k8s.io/v1", "CertificateSigningRequest", body)["status"]);
    }

    [Fact]
    public void UnknownFieldsAreSkipped()
    {
        // 17 managedFields, 99 a field from a newer release, in every wire type.
        var meta = new ProtoBody()
            .String(1, "n")
            .Message(17, new ProtoBody().String(1, "kubectl").String(2, "Update"))
            .Varint(99, 7).Fixed32(98, 1).String(97, "x");
        var body = new ProtoBody().Message(1, meta).Varint(42, 1).Entry(2, "a", "b");

        AssertJson("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"},"data":{"a":"b"}}""",
            Decode("v1", "ConfigMap", body));
    }

    [Fact]
    public void MessageSentTwiceIsMergedAndScalarSentTwiceKeepsTheLast()
    {
        var body = new ProtoBody()
            .Message(1, new ProtoBody().String(1, "first").String(3, "ns"))
            .Message(1, new ProtoBody().String(1, "second"))
            .String(3, "Opaque").String(3, "");

        AssertJson("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"second","namespace":"ns"}}""",
            Decode("v1", "Secret", body));
    }

    [Fact]
    public void InvalidUtf8BecomesReplacementCharacterAsInGoJson()
    {
        var body = new ProtoBody().Message(1, new ProtoBody().Bytes(1, [(byte)'a', 0xff, (byte)'b']));

        Assert.Equal("a\uFFFDb", (string?)Decode("v1", "ServiceAccount", body)["metadata"]!["name"]);
    }

    [Fact]
    public void MessageMapValuesUseTheirTable()
    {
        var value = new ProtoMessage("Value", ProtoField.String(1, "name"), ProtoField.Int32(2, "port"));
        var table = new ProtoMessage("Holder", ProtoField.MessageMap(1, "ports", value));
        var data = new ProtoBody()
            .Message(1, new ProtoBody().String(1, "http").Message(2, new ProtoBody().String(1, "web").Varint(2, 80)))
            .Message(1, new ProtoBody().String(1, "empty"))
            .ToArray();

        AssertJson("""{"ports":{"http":{"name":"web","port":80},"empty":{}}}""", ProtoDecoder.DecodeMessage(data, table, ""));
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("Application/VND.Kubernetes.Protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf; charset=binary", true)]
    [InlineData(" application/vnd.kubernetes.protobuf ", true)]
    [InlineData("application/json", false)]
    [InlineData("application/vnd.kubernetes.protobuf+json", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void RecognisesTheProtobufMediaType(string? contentType, bool expected) =>
        Assert.Equal(expected, KubeProtobuf.IsProtobuf(contentType));
}
