using System.Text.Json.Nodes;
using MiniApiServer.Api.Protobuf;

namespace MiniApiServer.Tests.Protobuf;

/// <summary>What real kubectl 1.32 sends decodes to the JSON kube-apiserver would see for the same object.</summary>
public class KubectlCaptureTests
{
    public static TheoryData<string, string, string> Captures => new()
    {
        // Empty spec and status{phase:""} are unset.
        { nameof(KubectlCaptures.CreateNamespace), KubectlCaptures.CreateNamespace,
            """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns1"}}""" },
        // type:"" is left out so the server defaults it to Opaque; data values are base64.
        { nameof(KubectlCaptures.CreateSecretGeneric), KubectlCaptures.CreateSecretGeneric,
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"},"data":{"bin.dat":"YmluAP8B","user":"YWRtaW4="}}""" },
        { nameof(KubectlCaptures.CreateServiceAccount), KubectlCaptures.CreateServiceAccount,
            """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa1"}}""" },
        // A file that is not UTF-8 goes to binaryData.
        { nameof(KubectlCaptures.CreateConfigMap), KubectlCaptures.CreateConfigMap,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"b","text.txt":"hello\n"},"binaryData":{"bin.dat":"YmluAP8B"}}""" },
        // Pointer fields expirationSeconds and boundObjectRef are present; the empty status is not.
        { nameof(KubectlCaptures.CreateToken), KubectlCaptures.CreateToken,
            """
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
             "spec":{"audiences":["a1","a2"],"expirationSeconds":3600,
                     "boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"puid"}}}
            """ },
        { nameof(KubectlCaptures.AuthWhoami), KubectlCaptures.AuthWhoami,
            """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""" },
        { nameof(KubectlCaptures.AuthCanIGetPodsLog), KubectlCaptures.AuthCanIGetPodsLog,
            """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
             "spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods","subresource":"log","name":"log"}}}
            """ },
        { nameof(KubectlCaptures.AuthCanIGetHealthz), KubectlCaptures.AuthCanIGetHealthz,
            """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
             "spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}}
            """ },
        { nameof(KubectlCaptures.AuthCanIList), KubectlCaptures.AuthCanIList,
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"default"}}""" },
        // apiGroups [""] is the core group: repeated elements are kept even when empty.
        { nameof(KubectlCaptures.CreateRole), KubectlCaptures.CreateRole,
            """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r1"},
             "rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","pods/log"],"resourceNames":["p1"]}]}
            """ },
        { nameof(KubectlCaptures.CreateClusterRoleNonResource), KubectlCaptures.CreateClusterRoleNonResource,
            """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"cr2"},
             "rules":[{"verbs":["get"],"nonResourceURLs":["/healthz","/logs/*"]}]}
            """ },
        { nameof(KubectlCaptures.CreateClusterRoleAggregation), KubectlCaptures.CreateClusterRoleAggregation,
            """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"cr3"},
             "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"a":"b"}}]}}
            """ },
        { nameof(KubectlCaptures.CreateRoleBinding), KubectlCaptures.CreateRoleBinding,
            """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb1"},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},
                         {"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"},
                         {"kind":"ServiceAccount","name":"sa1","namespace":"default"}],
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"}}
            """ },
        { nameof(KubectlCaptures.CreateClusterRoleBinding), KubectlCaptures.CreateClusterRoleBinding,
            """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"crb1"},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"}],
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cr1"}}
            """ },
        // kubectl sends back the CSR it read (uid, resourceVersion, creationTimestamp) plus its condition;
        // the condition's empty lastTransitionTime is unset, extra values are plain arrays.
        { nameof(KubectlCaptures.CertificateApprove), KubectlCaptures.CertificateApprove,
            """
            {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest",
             "metadata":{"name":"csr1","uid":"u-1","resourceVersion":"7","creationTimestamp":"2024-01-02T03:04:05Z"},
             "spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQgotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
                     "signerName":"kubernetes.io/kube-apiserver-client","expirationSeconds":3600,
                     "usages":["client auth","digital signature"],"username":"alice","uid":"alice-uid",
                     "groups":["g1","system:authenticated"],"extra":{"k":["v1","v2"]}},
             "status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlApprove",
                       "message":"This CSR was approved by kubectl certificate approve.",
                       "lastUpdateTime":"2026-11-29T02:48:12Z"}]}}
            """ },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecodesWhatKubectlSends(string command, string hex, string expectedJson)
    {
        var decoded = KubeProtobuf.Decode(Convert.FromHexString(hex));

        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, decoded),
            $"{command}:\nexpected {expected!.ToJsonString()}\nactual   {decoded.ToJsonString()}");
    }

    [Fact]
    public void ApiVersionAndKindComeFirst()
    {
        var decoded = KubeProtobuf.Decode(Convert.FromHexString(KubectlCaptures.CreateSecretGeneric));

        Assert.Equal(["apiVersion", "kind", "metadata", "data"], decoded.Select(p => p.Key));
    }
}
