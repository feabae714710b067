using System.Net;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>authorization.k8s.io/v1: the bodies kube-apiserver answers the four reviews with.</summary>
public sealed class ReviewApiTests(RbacServerFactory server) : IClassFixture<RbacServerFactory>
{
    const string Root = "/apis/authorization.k8s.io/v1";

    [Fact]
    public async Task ASelfSubjectAccessReviewEchoesTheSpecWithTheAnswer()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "alice-edit", "ClusterRole", "edit", Rbac.User("alice"));
        // kubectl's body: metadata with a null creationTimestamp, empty strings, status.allowed false.
        var review = await server.ClientFor("alice").Post($"{Root}/selfsubjectaccessreviews",
            $$$"""{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"{{{ns}}}","verb":"create","group":"","resource":"pods","subresource":"exec","name":""}},"status":{"allowed":false}}""")
            .Expect(HttpStatusCode.Created);
        AssertJson(
            $$$"""{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"{{{ns}}}","verb":"create","resource":"pods","subresource":"exec"}},"status":{"allowed":true,"reason":"RBAC: allowed by RoleBinding \"alice-edit/{{{ns}}}\" of ClusterRole \"edit\" to User \"alice\""}}""",
            review);
    }

    static void AssertJson(string expected, System.Text.Json.Nodes.JsonNode actual) =>
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}");

    [Fact]
    public async Task ASelfSubjectAccessReviewNeedsExactlyOneKindOfAttributes() =>
        await server.ClientFor("alice").Post($"{Root}/selfsubjectaccessreviews", """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{}}""")
            .ExpectStatus((HttpStatusCode)422, "Invalid",
                "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified");

    [Fact]
    public async Task ASubjectAccessReviewAsksAboutAnyoneAsGiven()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "robot-view", "ClusterRole", "view", Rbac.ServiceAccount(ns, "robot"));
        var sar = await admin.Post($"{Root}/subjectaccessreviews",
            $$$$"""{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"user":"system:serviceaccount:{{{{ns}}}}:robot","resourceAttributes":{"namespace":"{{{{ns}}}}","verb":"list","resource":"pods"}}}""")
            .Expect(HttpStatusCode.Created);
        Assert.Equal(true, (bool?)sar["status"]?["allowed"]);
        Assert.Equal($"RBAC: allowed by RoleBinding \"robot-view/{ns}\" of ClusterRole \"view\" to ServiceAccount \"robot/{ns}\"", (string?)sar["status"]?["reason"]);

        // Groups are exactly those given: without system:authenticated even discovery is not allowed.
        var bare = await admin.Post($"{Root}/subjectaccessreviews",
            """{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"user":"bob","nonResourceAttributes":{"path":"/api","verb":"get"}}}""")
            .Expect(HttpStatusCode.Created);
        Assert.Equal("""{"allowed":false}""", bare["status"]!.ToJsonString());

        await admin.Post($"{Root}/subjectaccessreviews", """{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"nonResourceAttributes":{"path":"/api","verb":"get"}}}""")
            .ExpectStatus((HttpStatusCode)422, "Invalid",
                "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified");
    }

    [Fact]
    public async Task ASubjectAccessReviewIsForThoseGrantedIt() =>
        await server.ClientFor("alice").Post($"{Root}/subjectaccessreviews",
                """{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"user":"bob","nonResourceAttributes":{"path":"/api","verb":"get"}}}""")
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                "subjectaccessreviews.authorization.k8s.io is forbidden: User \"alice\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope");

    [Fact]
    public async Task ALocalSubjectAccessReviewStaysInItsNamespace()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        var ok = await admin.Post($"{Root}/namespaces/{ns}/localsubjectaccessreviews",
            $$$$"""{"kind":"LocalSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"user":"bob","groups":["system:masters"],"resourceAttributes":{"namespace":"{{{{ns}}}}","verb":"delete","resource":"secrets"}}}""")
            .Expect(HttpStatusCode.Created);
        Assert.Equal(ns, (string?)ok["metadata"]?["namespace"]);
        Assert.Equal("""{"allowed":true}""", ok["status"]!.ToJsonString());

        await admin.Post($"{Root}/namespaces/{ns}/localsubjectaccessreviews",
                """{"kind":"LocalSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"user":"bob","resourceAttributes":{"namespace":"elsewhere","verb":"get","resource":"pods"}}}""")
            .ExpectStatus((HttpStatusCode)422, "Invalid",
                "LocalSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid value: \"elsewhere\": must match metadata.namespace");
    }

    [Fact]
    public async Task ARulesReviewListsWhatTheCallerMayDoInTheNamespace()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRole(ns, "cm", """[{"apiGroups":[""],"resources":["configmaps"],"resourceNames":["app"],"verbs":["get"]}]""");
        await admin.CreateRoleBinding(ns, "cm", "Role", "cm", Rbac.User("carol"));
        var review = await server.ClientFor("carol").Post($"{Root}/selfsubjectrulesreviews",
            $$$"""{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"namespace":"{{{ns}}}"},"status":{"resourceRules":null,"nonResourceRules":null,"incomplete":false}}""")
            .Expect(HttpStatusCode.Created);
        var status = review["status"]!;
        Assert.Equal(
            """[{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]},{"verbs":["create"],"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"]},{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["app"]}]""",
            status["resourceRules"]!.ToJsonString());
        Assert.Equal(
            """[{"verbs":["get"],"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"]},{"verbs":["get"],"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"]}]""",
            status["nonResourceRules"]!.ToJsonString());
        Assert.Equal(false, (bool?)status["incomplete"]);
        Assert.Null(status["evaluationError"]);
    }

    [Fact]
    public async Task ARulesReviewReportsUnresolvableRolesAsItsEvaluationError()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "gone", "Role", "gone", Rbac.User("dan"));
        var review = await server.ClientFor("dan").Post($"{Root}/selfsubjectrulesreviews",
            $$$"""{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{"namespace":"{{{ns}}}"}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("role.rbac.authorization.k8s.io \"gone\" not found", (string?)review["status"]?["evaluationError"]);
        Assert.Equal(false, (bool?)review["status"]?["incomplete"]);
    }

    [Fact]
    public async Task ARulesReviewNeedsANamespace() =>
        await server.ClientFor("carol").Post($"{Root}/selfsubjectrulesreviews", """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{}}""")
            .ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "no namespace on request");

    [Fact]
    public async Task TheReviewKindsAreDiscoverable()
    {
        var list = await server.ClientFor("carol").GetAsync($"{Root}").Expect(HttpStatusCode.OK);
        var resources = list["resources"]!.AsArray();
        Assert.Equal(["localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"],
            resources.Select(r => (string?)r!["name"]).Order());
        Assert.All(resources, r => Assert.Equal("""["create"]""", r!["verbs"]!.ToJsonString()));
    }
}
