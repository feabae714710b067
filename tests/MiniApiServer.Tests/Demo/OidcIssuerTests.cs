using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using MiniApiServer.Demo;
using MiniApiServer.Demo.OidcIssuer;

namespace MiniApiServer.Tests.Demo;

public sealed class OidcIssuerTests : IAsyncLifetime
{
    private readonly DemoEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();
    public Task DisposeAsync() => _env.DisposeAsync();

    private string Issuer => _env.Demo.OidcIssuerUrl;

    private Task<HttpResponseMessage> PasswordGrantAsync(string username, string password, string clientId = DemoOidcIssuer.ClientId, string grantType = "password", string scope = "openid email groups") =>
        _env.Client.PostAsync(Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType, ["client_id"] = clientId, ["username"] = username, ["password"] = password, ["scope"] = scope,
        }));

    private async Task<string> IdTokenAsync(string username = "alice", string password = "alice-demo-password")
    {
        using var response = await PasswordGrantAsync(username, password);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id_token"]!.GetValue<string>();
    }

    private Task<string> JwksAsync() => _env.Client.GetStringAsync(Issuer + "/keys");

    [Fact]
    public async Task DiscoveryNamesTheIssuerItsKeysAndTokenEndpoint()
    {
        var doc = (await _env.Client.GetFromJsonAsync<JsonObject>(Issuer + "/.well-known/openid-configuration"))!;

        Assert.Matches(@"^https://127\.0\.0\.1:\d+$", Issuer);
        Assert.Equal(Issuer, doc["issuer"]!.GetValue<string>());
        Assert.Equal(Issuer + "/keys", doc["jwks_uri"]!.GetValue<string>());
        Assert.Equal(Issuer + "/token", doc["token_endpoint"]!.GetValue<string>());
        Assert.Equal(["RS256"], doc["id_token_signing_alg_values_supported"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task JwksPublishesOneRsaSigningKeyWithKid()
    {
        var keys = JsonNode.Parse(await JwksAsync())!["keys"]!.AsArray();

        var key = Assert.Single(keys)!;
        Assert.Equal("RSA", key["kty"]!.GetValue<string>());
        Assert.Equal("sig", key["use"]!.GetValue<string>());
        Assert.Equal("RS256", key["alg"]!.GetValue<string>());
        Assert.Equal(_env.Demo.OidcIssuer.Keys.Current.KeyId, key["kid"]!.GetValue<string>());
    }

    [Fact]
    public async Task PasswordGrantReturnsAnIdTokenThatVerifiesAgainstTheJwks()
    {
        using var response = await PasswordGrantAsync("bob", "bob-demo-password");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(3600, body["expires_in"]!.GetValue<long>());
        var idToken = body["id_token"]!.GetValue<string>();
        Assert.Equal(idToken, body["access_token"]!.GetValue<string>());

        var result = await _env.ValidateAsync(idToken, await JwksAsync());
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = new JsonWebToken(idToken);
        Assert.Equal(_env.Demo.OidcIssuer.Keys.Current.KeyId, jwt.Kid);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("7d3f1b63-bob", jwt.Subject);
        Assert.Equal(["miniapiserver"], jwt.Audiences);
        Assert.Equal("bob@example.com", jwt.GetClaim("email").Value);
        Assert.Equal("true", jwt.GetClaim("email_verified").Value);
        Assert.Equal("Bob Brown", jwt.GetClaim("name").Value);
        Assert.Equal(["developers", "ops"], jwt.Claims.Where(c => c.Type == "groups").Select(c => c.Value));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        var iat = _env.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(iat, jwt.GetPayloadValue<long>("iat"));
        Assert.Equal(iat, jwt.GetPayloadValue<long>("nbf"));
        Assert.Equal(iat + 3600, jwt.GetPayloadValue<long>("exp"));
    }

    [Theory]
    [InlineData("alice", "wrong-password", DemoOidcIssuer.ClientId, "password", "openid", HttpStatusCode.Unauthorized, "invalid_grant")]
    [InlineData("nobody", "alice-demo-password", DemoOidcIssuer.ClientId, "password", "openid", HttpStatusCode.Unauthorized, "invalid_grant")]
    [InlineData("alice", "alice-demo-password", "another-client", "password", "openid", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("alice", "alice-demo-password", DemoOidcIssuer.ClientId, "client_credentials", "openid", HttpStatusCode.BadRequest, "unsupported_grant_type")]
    [InlineData("alice", "alice-demo-password", DemoOidcIssuer.ClientId, "password", "email", HttpStatusCode.BadRequest, "invalid_scope")]
    public async Task ARejectedTokenRequestAnswersAnOAuthError(string user, string password, string clientId, string grantType, string scope, HttpStatusCode status, string error)
    {
        using var response = await PasswordGrantAsync(user, password, clientId, grantType, scope);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["error_description"]?.GetValue<string>()));
        Assert.Null(body["id_token"]);
    }

    [Fact]
    public async Task RotationKeepsTokensOfThePreviousKeyVerifiableUntilTheGracePeriodEnds()
    {
        var oldToken = await IdTokenAsync();
        var oldKid = new JsonWebToken(oldToken).Kid;

        using var rotate = await _env.Client.PostAsync(Issuer + "/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newToken = await IdTokenAsync();
        var jwks = await JwksAsync();

        Assert.NotEqual(oldKid, new JsonWebToken(newToken).Kid);
        Assert.True((await _env.ValidateAsync(oldToken, jwks)).IsValid);
        Assert.True((await _env.ValidateAsync(newToken, jwks)).IsValid);

        _env.Time.Advance(_env.Demo.Options.EffectiveRotationGrace);
        var kids = JsonNode.Parse(await JwksAsync())!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>());
        Assert.DoesNotContain(oldKid, kids);
    }

    [Fact]
    public async Task KeysSurviveARestartSoEarlierTokensStayValid()
    {
        var token = await IdTokenAsync("carol", "carol-demo-password");
        await _env.Demo.DisposeAsync();

        await using var restarted = new DemoProviders(_env.Options(), _env.Time);
        await restarted.StartAsync(CancellationToken.None);
        var jwks = await _env.Client.GetStringAsync(restarted.OidcIssuerUrl + "/keys");

        Assert.Equal(new JsonWebToken(token).Kid, restarted.OidcIssuer.Keys.Current.KeyId);
        Assert.Contains(new JsonWebToken(token).Kid, jwks);
    }

    [Fact]
    public void TheRenderedAuthenticationConfigPointsAtThisIssuerWithTheClusterCa()
    {
        var rendered = File.ReadAllText(_env.Demo.AuthenticationConfigPath);
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(rendered);
        var issuer = (Dictionary<object, object>)((Dictionary<object, object>)((List<object>)yaml["jwt"])[0])["issuer"];

        Assert.Equal("apiserver.config.k8s.io/v1", yaml["apiVersion"]);
        Assert.Equal(Issuer, issuer["url"]);
        Assert.Equal(_env.Pki.CaPem, issuer["certificateAuthority"]);
        Assert.Equal([DemoOidcIssuer.ClientId], (List<object>)issuer["audiences"]);
        Assert.DoesNotContain("\"${", rendered);
    }
}
