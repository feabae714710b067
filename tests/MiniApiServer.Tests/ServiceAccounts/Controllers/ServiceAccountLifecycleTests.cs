using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>
/// What a user sees of the controllers through the API, in both token models: kube-root-ca.crt in every
/// namespace, hand-made token Secrets filled, orphaned ones deleted, an account's tokens going with it.
/// </summary>
public abstract class ServiceAccountLifecycleTests(ServiceAccountServer server)
{
    protected readonly HttpClient Admin = server.Admin();
    protected ServiceAccountTokenMode Mode => server.Mode;

    const string RootCa = "kube-root-ca.crt";

    protected static string Decode(JsonNode secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]![key]!));

    [Fact]
    public async Task EveryNamespaceHasKubeRootCaCrtAndGetsItBack()
    {
        var ns = await Admin.NewNamespace("sa");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var cm = await Admin.WaitFor(path, RootCa, _ => true);
        Assert.Equal(server.Pki.CaPem, (string?)cm["data"]!["ca.crt"]);
        Assert.StartsWith("Contains a CA bundle that can be used to verify the kube-apiserver", (string?)cm["metadata"]!["annotations"]!["kubernetes.io/description"]);

        await Admin.Patch($"{path}/{RootCa}", """{"data":{"ca.crt":"forged"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        await Admin.WaitFor(path, RootCa, c => (string?)c["data"]!["ca.crt"] == server.Pki.CaPem);

        await Admin.Delete($"{path}/{RootCa}").Expect(HttpStatusCode.OK);
        await Admin.WaitFor(path, RootCa, c => (string?)c["metadata"]!["uid"] != (string?)cm["metadata"]!["uid"]);
    }

    [Fact]
    public async Task AHandMadeTokenSecretIsFilledWithTokenCaAndNamespace()
    {
        var ns = await Admin.NewNamespace("sa");
        var sa = await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"build-robot"}}""").Expect(HttpStatusCode.Created);
        await Admin.Post($"/api/v1/namespaces/{ns}/secrets", """
            {"metadata":{"name":"build-robot-token","annotations":{"kubernetes.io/service-account.name":"build-robot"}},"type":"kubernetes.io/service-account-token"}
            """).Expect(HttpStatusCode.Created);
        var secret = await Admin.WaitFor($"/api/v1/namespaces/{ns}/secrets", "build-robot-token", s => s["data"] is not null);
        var uid = (string)sa["metadata"]!["uid"]!;
        Assert.Equal(RecognisableTokenIssuer.Legacy(ns, "build-robot", uid, "build-robot-token"), Decode(secret, "token"));
        Assert.Equal(server.Pki.CaPem, Decode(secret, "ca.crt"));
        Assert.Equal(ns, Decode(secret, "namespace"));
        Assert.Equal(uid, (string?)secret["metadata"]!["annotations"]!["kubernetes.io/service-account.uid"]);
    }

    [Fact]
    public async Task ATokenSecretForAMissingAccountIsDeleted()
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/secrets", """
            {"metadata":{"name":"ghost-token","annotations":{"kubernetes.io/service-account.name":"ghost"}},"type":"kubernetes.io/service-account-token"}
            """).Expect(HttpStatusCode.Created);
        await Admin.WaitGone($"/api/v1/namespaces/{ns}/secrets", "ghost-token");
    }

    [Fact]
    public async Task DeletingAnAccountDeletesItsTokenSecrets()
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"robot"}}""").Expect(HttpStatusCode.Created);
        await Admin.Post($"/api/v1/namespaces/{ns}/secrets", """
            {"metadata":{"name":"robot-mine","annotations":{"kubernetes.io/service-account.name":"robot"}},"type":"kubernetes.io/service-account-token"}
            """).Expect(HttpStatusCode.Created);
        await Admin.WaitFor($"/api/v1/namespaces/{ns}/secrets", "robot-mine", s => s["data"] is not null);
        await Admin.Delete($"/api/v1/namespaces/{ns}/serviceaccounts/robot").Expect(HttpStatusCode.OK);
        await Admin.WaitGone($"/api/v1/namespaces/{ns}/secrets", "robot-mine");
    }
}

public sealed class LegacyModeLifecycleTests(LegacyModeServer server) : ServiceAccountLifecycleTests(server), IClassFixture<LegacyModeServer>
{
    [Fact]
    public async Task CreateServiceAccountThenGetSecretShowsItsToken()
    {
        var ns = await Admin.NewNamespace("sa");
        var sa = await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"robot"}}""").Expect(HttpStatusCode.Created);
        var listed = await Admin.WaitFor($"/api/v1/namespaces/{ns}/serviceaccounts", "robot", s => s["secrets"] is JsonArray { Count: > 0 });
        var name = (string)listed["secrets"]![0]!["name"]!;
        Assert.StartsWith("robot-token-", name);
        var secret = await Admin.GetAsync($"/api/v1/namespaces/{ns}/secrets/{name}").Expect(HttpStatusCode.OK);
        Assert.Equal("kubernetes.io/service-account-token", (string?)secret["type"]);
        Assert.Equal(RecognisableTokenIssuer.Legacy(ns, "robot", (string)sa["metadata"]!["uid"]!, name), Decode(secret, "token"));
        Assert.Equal(server.Pki.CaPem, Decode(secret, "ca.crt"));
        Assert.Equal(ns, Decode(secret, "namespace"));
    }
}

public sealed class BoundModeLifecycleTests(BoundModeServer server) : ServiceAccountLifecycleTests(server), IClassFixture<BoundModeServer>
{
    [Fact]
    public async Task AccountsGetNoTokenSecrets()
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"robot"}}""").Expect(HttpStatusCode.Created);
        // A hand-made token filled after the account was created shows the controller has seen the account.
        await Admin.Post($"/api/v1/namespaces/{ns}/secrets", """
            {"metadata":{"name":"marker","annotations":{"kubernetes.io/service-account.name":"robot"}},"type":"kubernetes.io/service-account-token"}
            """).Expect(HttpStatusCode.Created);
        await Admin.WaitFor($"/api/v1/namespaces/{ns}/secrets", "marker", s => s["data"] is not null);
        Assert.Equal(["marker"], (await Admin.GetAsync($"/api/v1/namespaces/{ns}/secrets").Expect(HttpStatusCode.OK)).Names());
        Assert.Null((await Admin.GetAsync($"/api/v1/namespaces/{ns}/serviceaccounts/robot").Expect(HttpStatusCode.OK))["secrets"]);
    }
}
