using System.Net;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>What kube-apiserver 1.32's bootstrap policy gives each kind of user, and the 403s it answers otherwise.</summary>
public sealed class DefaultPolicyTests(RbacServerFactory server) : IClassFixture<RbacServerFactory>
{
    const string Ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    const string CanListPods = """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"default","verb":"list","resource":"pods"}}}""";

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    [InlineData("/version")]
    public async Task AnonymousReadsThePublicInfo(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().GetAsync(path)).StatusCode);

    [Theory]
    [InlineData("/api")]
    [InlineData("/apis")]
    [InlineData("/openapi/v3")]
    public async Task AnonymousGetsNoDiscovery(string path) =>
        await server.Anonymous().GetAsync(path).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"forbidden: User \"system:anonymous\" cannot get path \"{path}\"");

    [Fact]
    public async Task AnonymousMayNotAskWhatItCanDo() =>
        await server.Anonymous().Post(Ssar, CanListPods).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "selfsubjectaccessreviews.authorization.k8s.io is forbidden: User \"system:anonymous\" cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope");

    [Theory]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis")]
    [InlineData("/apis/rbac.authorization.k8s.io/v1")]
    [InlineData("/version")]
    public async Task AuthenticatedUsersReadDiscovery(string path) =>
        await server.ClientFor("jane", "dev").GetAsync(path).Expect(HttpStatusCode.OK);

    [Fact]
    public async Task AuthenticatedUsersMayAskButMayNotListPods()
    {
        var jane = server.ClientFor("jane", "dev");
        var review = await jane.Post(Ssar, CanListPods).Expect(HttpStatusCode.Created);
        Assert.Equal(false, (bool?)review["status"]?["allowed"]);
        Assert.Null(review["status"]?["reason"]);
        await jane.GetAsync("/api/v1/namespaces/default/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        await jane.GetAsync($"{Rbac.Root}/clusterroles").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "clusterroles.rbac.authorization.k8s.io is forbidden: User \"jane\" cannot list resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope");
    }

    [Theory]
    [InlineData("default")]
    [InlineData("kube-system")]
    [InlineData("team")]
    public async Task ServiceAccountsHaveNoPermissionsInAnyNamespace(string ns)
    {
        var robot = server.ServiceAccount(ns, "robot");
        await robot.GetAsync($"/api/v1/namespaces/{ns}/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"pods is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"");
        await robot.GetAsync($"/api/v1/namespaces/{ns}/serviceaccounts/robot").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");
        // What every authenticated user has, and the issuer discovery documents.
        await robot.GetAsync("/api/v1").Expect(HttpStatusCode.OK);
        var review = await robot.Post(Ssar,
            """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"nonResourceAttributes":{"path":"/openid/v1/jwks","verb":"get"}}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"system:service-account-issuer-discovery\" of ClusterRole \"system:service-account-issuer-discovery\" to Group \"system:serviceaccounts\"",
            (string?)review["status"]?["reason"]);
    }

    [Fact]
    public async Task SystemMastersMayDoAnythingWithoutAReason()
    {
        var admin = server.Admin();
        await admin.GetAsync("/api/v1/namespaces/kube-system/secrets").Expect(HttpStatusCode.OK);
        var review = await admin.Post(Ssar, CanListPods).Expect(HttpStatusCode.Created);
        Assert.Equal(true, (bool?)review["status"]?["allowed"]);
        Assert.Null(review["status"]?["reason"]);
    }

    [Theory]
    [InlineData("cluster-admin", "system:masters")]
    [InlineData("system:basic-user", "system:authenticated")]
    [InlineData("system:discovery", "system:authenticated")]
    [InlineData("system:public-info-viewer", "system:unauthenticated")]
    [InlineData("system:service-account-issuer-discovery", "system:serviceaccounts")]
    public async Task TheBootstrapBindingsExist(string name, string group)
    {
        var binding = await server.Admin().GetAsync($"{Rbac.Root}/clusterrolebindings/{name}").Expect(HttpStatusCode.OK);
        Assert.Equal(name, (string?)binding["roleRef"]?["name"]);
        Assert.Contains(binding["subjects"]!.AsArray(), s => (string?)s!["name"] == group && (string?)s["kind"] == "Group");
        Assert.Equal("true", (string?)binding["metadata"]?["annotations"]?["rbac.authorization.kubernetes.io/autoupdate"]);
        Assert.Equal("rbac-defaults", (string?)binding["metadata"]?["labels"]?["kubernetes.io/bootstrapping"]);
    }

    [Fact]
    public async Task TheAggregatedRolesGatherTheirParts()
    {
        var admin = server.Admin();
        async Task<bool> Has(string role, string resource, string verb)
        {
            var r = await admin.GetAsync($"{Rbac.Root}/clusterroles/{role}").Expect(HttpStatusCode.OK);
            return (r["rules"]?.AsArray() ?? []).Any(rule =>
                rule!["resources"]!.AsArray().Any(x => (string?)x == resource) && rule["verbs"]!.AsArray().Any(x => (string?)x == verb));
        }
        await Rbac.Eventually(() => Has("view", "pods", "list"), "view gathers system:aggregate-to-view");
        await Rbac.Eventually(() => Has("edit", "pods", "create"), "edit gathers system:aggregate-to-edit");
        await Rbac.Eventually(() => Has("edit", "pods", "list"), "edit gathers view");
        await Rbac.Eventually(() => Has("admin", "rolebindings", "create"), "admin gathers system:aggregate-to-admin");
        await Rbac.Eventually(() => Has("admin", "secrets", "delete"), "admin gathers edit");
        Assert.False(await Has("view", "secrets", "get"));
    }

    [Fact]
    public async Task RolesAndBindingsPrintAsKubectlShowsThem()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "readers", "ClusterRole", "view",
            $$"""[{"kind":"User","name":"jane"},{"kind":"Group","name":"dev"},{"kind":"ServiceAccount","name":"robot","namespace":"{{ns}}"}]""");
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Rbac.Root}/namespaces/{ns}/rolebindings");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        var table = await admin.SendAsync(request).Expect(HttpStatusCode.OK);
        Assert.Equal(["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"], table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal([0, 0, 0, 1, 1, 1], table["columnDefinitions"]!.AsArray().Select(c => (int)c!["priority"]!));
        var cells = table["rows"]![0]!["cells"]!.AsArray().Select(c => (string?)c).ToList();
        Assert.Equal(["readers", "ClusterRole/view"], cells.Take(2));
        Assert.Equal(["jane", "dev", $"{ns}/robot"], cells.Skip(3));

        var rolesRequest = new HttpRequestMessage(HttpMethod.Get, $"{Rbac.Root}/clusterroles/view");
        rolesRequest.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        var roles = await admin.SendAsync(rolesRequest).Expect(HttpStatusCode.OK);
        Assert.Equal(["Name", "Created At"], roles["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)roles["rows"]![0]!["cells"]![1]);
    }
}
