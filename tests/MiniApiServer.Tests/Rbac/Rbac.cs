using System.Net;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>Writing RBAC objects as kubectl does, for the tests.</summary>
public static class Rbac
{
    public const string Root = "/apis/rbac.authorization.k8s.io/v1";

    public static async Task<string> NewNamespace(this HttpClient admin, string prefix = "team")
    {
        var ns = $"{prefix}-{Guid.NewGuid():N}"[..20];
        await admin.Post("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""").Expect(HttpStatusCode.Created);
        return ns;
    }

    public static string Role(string name, string rulesJson, string kind = "Role") =>
        $$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"{{kind}}","metadata":{"name":"{{name}}"},"rules":{{rulesJson}}}""";

    public static string Binding(string name, string roleKind, string role, string subjectsJson, string kind = "RoleBinding") =>
        $$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"{{kind}}","metadata":{"name":"{{name}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"{{roleKind}}","name":"{{role}}"},"subjects":{{subjectsJson}}}""";

    public static string User(string name) => $$"""[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{{name}}"}]""";

    public static string ServiceAccount(string ns, string name) => $$"""[{"kind":"ServiceAccount","name":"{{name}}","namespace":"{{ns}}"}]""";

    public static Task<JsonObject> CreateRole(this HttpClient c, string ns, string name, string rulesJson, HttpStatusCode expect = HttpStatusCode.Created) =>
        c.Post($"{Root}/namespaces/{ns}/roles", Role(name, rulesJson)).Expect(expect);

    public static Task<JsonObject> CreateClusterRole(this HttpClient c, string json, HttpStatusCode expect = HttpStatusCode.Created) =>
        c.Post($"{Root}/clusterroles", json).Expect(expect);

    public static Task<JsonObject> CreateRoleBinding(this HttpClient c, string ns, string name, string roleKind, string role, string subjectsJson, HttpStatusCode expect = HttpStatusCode.Created) =>
        c.Post($"{Root}/namespaces/{ns}/rolebindings", Binding(name, roleKind, role, subjectsJson)).Expect(expect);

    public static Task<JsonObject> CreateClusterRoleBinding(this HttpClient c, string name, string role, string subjectsJson, HttpStatusCode expect = HttpStatusCode.Created) =>
        c.Post($"{Root}/clusterrolebindings", Binding(name, "ClusterRole", role, subjectsJson, "ClusterRoleBinding")).Expect(expect);

    /// <summary>Polls (no fixed sleep) until the condition holds, for the work of controllers.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting: " + what);
            await Task.Delay(25);
        }
    }
}
