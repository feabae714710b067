using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Demo.TokenWebhook;
using YamlDotNet.Serialization;

namespace MiniApiServer.Tests.Demo;

public sealed class TokenWebhookTests : IAsyncLifetime
{
    private readonly DemoEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();
    public Task DisposeAsync() => _env.DisposeAsync();

    /// <summary>A TokenReview as kube-apiserver's webhook authenticator POSTs it (1.32 still sends creationTimestamp: null).</summary>
    private async Task<(HttpStatusCode Status, JsonNode Body)> ReviewAsync(string apiVersion, string token, params string[] audiences)
    {
        var spec = new JsonObject { ["token"] = token };
        if (audiences.Length > 0) spec["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]);
        var review = new JsonObject
        {
            ["apiVersion"] = apiVersion, ["kind"] = "TokenReview",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null }, ["spec"] = spec, ["status"] = new JsonObject { ["user"] = new JsonObject() },
        };
        using var response = await _env.Client.PostAsync(_env.Demo.TokenWebhookUrl, new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Theory]
    [InlineData("authentication.k8s.io/v1")]
    [InlineData("authentication.k8s.io/v1beta1")]
    public async Task AKnownTokenIsAuthenticatedAsItsDirectoryUserInTheVersionSent(string apiVersion)
    {
        var (status, body) = await ReviewAsync(apiVersion, "webhook-token-dave-31c8e5");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(apiVersion, body["apiVersion"]!.GetValue<string>());
        Assert.Equal("TokenReview", body["kind"]!.GetValue<string>());
        Assert.True(body["status"]!["authenticated"]!.GetValue<bool>());
        var user = body["status"]!["user"]!;
        Assert.Equal("dave", user["username"]!.GetValue<string>());
        Assert.Equal("1001", user["uid"]!.GetValue<string>());
        Assert.Equal(["ops", "oncall"], user["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("infrastructure", user["extra"]!["example.com/department"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("authentication.k8s.io/v1")]
    [InlineData("authentication.k8s.io/v1beta1")]
    public async Task AnUnknownTokenIsNotAuthenticatedAndCarriesNoError(string apiVersion)
    {
        var (status, body) = await ReviewAsync(apiVersion, "not-a-directory-token");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(apiVersion, body["apiVersion"]!.GetValue<string>());
        Assert.False(body["status"]!["authenticated"]?.GetValue<bool>() ?? false);
        Assert.Null(body["status"]!["user"]);
        Assert.Null(body["status"]!["error"]);
    }

    [Fact]
    public async Task TheAudiencesAskedForAreTheAudiencesAnswered()
    {
        var (_, body) = await ReviewAsync("authentication.k8s.io/v1", "webhook-token-erin-a7f402", "https://kubernetes.default.svc.cluster.local");

        Assert.Equal("erin", body["status"]!["user"]!["username"]!.GetValue<string>());
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], body["status"]!["audiences"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task AnythingButATokenReviewIsABadRequest()
    {
        using var response = await _env.Client.PostAsync(_env.Demo.TokenWebhookUrl, new StringContent("""{"apiVersion":"v1","kind":"Pod"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void TheWebhookKubeconfigNamesTheUrlAndTheClusterCa()
    {
        var path = _env.Demo.WebhookKubeconfigPath;
        var config = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(path));
        var cluster = (Dictionary<object, object>)((Dictionary<object, object>)((List<object>)config["clusters"])[0])["cluster"];
        var user = (Dictionary<object, object>)((Dictionary<object, object>)((List<object>)config["users"])[0])["user"];

        Assert.Equal(Path.Combine(_env.DataDir, "demo", DemoTokenWebhook.KubeconfigFileName), path);
        Assert.Equal(_env.Demo.TokenWebhookUrl, cluster["server"]);
        Assert.EndsWith("/authenticate", (string)cluster["server"]);
        Assert.Equal(_env.Pki.CaPem, Encoding.UTF8.GetString(Convert.FromBase64String((string)cluster["certificate-authority-data"])));
        Assert.True(user.ContainsKey("client-certificate-data"));
    }
}
