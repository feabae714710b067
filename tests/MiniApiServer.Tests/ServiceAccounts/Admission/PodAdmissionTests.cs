using System.Net;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;
using MiniApiServer.Tests.ServiceAccounts.Controllers;

namespace MiniApiServer.Tests.ServiceAccounts.Admission;

/// <summary>The ServiceAccount admission plugin through the API, in both token models, as kubectl meets it.</summary>
public abstract class PodAdmissionTests(ServiceAccountServer server)
{
    protected readonly HttpClient Admin = server.Admin();
    protected const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    protected static string PodJson(string name, string spec = "") =>
        "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + spec + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";

    /// <summary>A pod created right after its namespace: the default account (and its token, in the legacy model)
    /// are still being made by the controllers, and admission waits for them.</summary>
    protected async Task<(string Ns, JsonObject Pod)> PodInFreshNamespace(string spec = "")
    {
        var ns = await Admin.NewNamespace("sa");
        var pod = await Admin.Post($"/api/v1/namespaces/{ns}/pods", PodJson("web", spec)).Expect(HttpStatusCode.Created);
        return (ns, pod);
    }

    protected static JsonArray Volumes(JsonObject pod) => pod["spec"]!["volumes"]!.AsArray();

    [Fact]
    public async Task APodRunsAsDefaultWithTheTokenMounted()
    {
        var (_, pod) = await PodInFreshNamespace();
        Assert.Equal("default", (string?)pod["spec"]!["serviceAccountName"]);
        Assert.Equal("default", (string?)pod["spec"]!["serviceAccount"]);
        var volume = (string)Volumes(pod).Single()!["name"]!;
        Assert.Equal($$"""[{"name":"{{volume}}","readOnly":true,"mountPath":"{{MountPath}}"}]""", pod["spec"]!["containers"]![0]!["volumeMounts"]!.ToJsonString());
    }

    [Fact]
    public async Task AMissingAccountIsForbidden()
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/pods", PodJson("web", "\"serviceAccountName\":\"robot\",")).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"pods \"web\" is forbidden: error looking up service account {ns}/robot: serviceaccount \"robot\" not found");
    }

    [Fact]
    public async Task APodInAMissingNamespaceIsNotFoundAsBefore()
    {
        await Admin.Post("/api/v1/namespaces/nowhere-sa/pods", PodJson("web")).ExpectStatus(HttpStatusCode.NotFound, "NotFound", "namespaces \"nowhere-sa\" not found");
    }

    [Theory]
    [InlineData("\"automountServiceAccountToken\":false,", "", false)]
    [InlineData("", ",\"automountServiceAccountToken\":false", false)]
    [InlineData("\"automountServiceAccountToken\":true,", ",\"automountServiceAccountToken\":false", true)]
    public async Task AutomountFollowsThePodThenTheAccount(string onPod, string onAccount, bool mounted)
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", "{\"metadata\":{\"name\":\"robot\"}" + onAccount + "}").Expect(HttpStatusCode.Created);
        var pod = await Admin.Post($"/api/v1/namespaces/{ns}/pods", PodJson("web", "\"serviceAccountName\":\"robot\"," + onPod)).Expect(HttpStatusCode.Created);
        Assert.Equal(mounted, pod["spec"]!["volumes"] is not null);
        Assert.Equal(mounted, pod["spec"]!["containers"]![0]!["volumeMounts"] is not null);
    }

    [Fact]
    public async Task TheServiceAccountOfAPodCannotChange()
    {
        var (ns, pod) = await PodInFreshNamespace();
        await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"robot"}}""").Expect(HttpStatusCode.Created);
        var status = await Admin.Patch($"/api/v1/namespaces/{ns}/pods/web", """{"spec":{"serviceAccountName":"robot"}}""", "application/strategic-merge-patch+json")
            .ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.StartsWith("Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", (string?)status["message"]);
        // The deprecated alias only mirrors serviceAccountName: changing it alone changes nothing.
        var patched = await Admin.Patch($"/api/v1/namespaces/{ns}/pods/web", """{"spec":{"serviceAccount":"robot"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal("default", (string?)patched["spec"]!["serviceAccountName"]);
        Assert.Equal("default", (string?)patched["spec"]!["serviceAccount"]);
        Assert.Equal("default", (string?)pod["spec"]!["serviceAccount"]);
    }

    [Fact]
    public async Task TheDeprecatedAliasNamesTheAccountWhenTheNameIsEmpty()
    {
        var ns = await Admin.NewNamespace("sa");
        await Admin.Post($"/api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"robot"}}""").Expect(HttpStatusCode.Created);
        var pod = await Admin.Post($"/api/v1/namespaces/{ns}/pods", PodJson("web", "\"serviceAccount\":\"robot\",\"automountServiceAccountToken\":false,")).Expect(HttpStatusCode.Created);
        Assert.Equal("robot", (string?)pod["spec"]!["serviceAccountName"]);
    }
}

public sealed class LegacyModePodAdmissionTests(LegacyModeServer server) : PodAdmissionTests(server), IClassFixture<LegacyModeServer>
{
    [Fact]
    public async Task ThePodMountsTheAccountsTokenSecret()
    {
        var (ns, pod) = await PodInFreshNamespace();
        var sa = await Admin.GetAsync($"/api/v1/namespaces/{ns}/serviceaccounts/default").Expect(HttpStatusCode.OK);
        var secret = (string)sa["secrets"]![0]!["name"]!;
        Assert.Equal($$$"""[{"name":"{{{secret}}}","secret":{"secretName":"{{{secret}}}","defaultMode":420}}]""", Volumes(pod).ToJsonString());
    }
}

public sealed class BoundModePodAdmissionTests(BoundModeServer server) : PodAdmissionTests(server), IClassFixture<BoundModeServer>
{
    [Fact]
    public async Task ThePodGetsTheProjectedKubeApiAccessVolume()
    {
        var (_, pod) = await PodInFreshNamespace("\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\"}],");
        var volume = (JsonObject)Volumes(pod).Single()!;
        var name = (string)volume["name"]!;
        Assert.StartsWith("kube-api-access-", name);
        Assert.Equal("""
            {"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}
            """, volume["projected"]!.ToJsonString());
        Assert.Equal(name, (string?)pod["spec"]!["initContainers"]![0]!["volumeMounts"]![0]!["name"]);
    }
}
