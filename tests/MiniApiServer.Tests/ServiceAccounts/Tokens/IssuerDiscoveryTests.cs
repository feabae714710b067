using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>
/// Service-account issuer discovery: the OIDC configuration and JWKS a relying party (a cloud IAM, Vault…)
/// reads to verify the server's tokens without asking the server.
/// </summary>
public sealed class IssuerDiscoveryTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    async Task<HttpClient> ServiceAccountClient()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace("oidc");
        await admin.CreateServiceAccount(ns, "robot");
        return server.WithToken(await admin.CreateToken(ns, "robot"));
    }

    [Fact]
    public async Task EveryServiceAccountReadsTheConfiguration()
    {
        var client = await ServiceAccountClient();
        var response = await client.GetAsync("/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        Assert.Equal("""{"issuer":"https://kubernetes.default.svc.cluster.local","jwks_uri":"https://localhost/openid/v1/jwks","response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheKeySetHoldsThePublicKeyInGoJoseOrder()
    {
        var response = await (await ServiceAccountClient()).GetAsync("/openid/v1/jwks");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        var key = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["keys"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["use", "kty", "kid", "alg", "n", "e"], key.Select(p => p.Key));
        Assert.Equal("AQAB", (string?)key["e"]);
    }

    [Fact]
    public async Task ATokenVerifiesWithNothingButTheKeySet()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace("oidc");
        await admin.CreateServiceAccount(ns, "robot");
        var token = await admin.CreateToken(ns, "robot", """{"audiences":["vault"]}""");
        var jwks = new JsonWebKeySet(await (await ServiceAccountClient()).GetStringAsync("/openid/v1/jwks"));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "https://kubernetes.default.svc.cluster.local",
            ValidAudience = "vault",
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal($"system:serviceaccount:{ns}:robot", result.Claims["sub"]);

        var tampered = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(tampered, new TokenValidationParameters
        {
            ValidIssuer = "https://kubernetes.default.svc.cluster.local",
            ValidAudience = "vault",
            IssuerSigningKeys = jwks.GetSigningKeys(),
        })).IsValid);
    }

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/openid/v1/jwks")]
    public async Task AnonymousMayNotRead(string path) =>
        await server.Anonymous().GetAsync(path).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"forbidden: User \"system:anonymous\" cannot get path \"{path}\"");
}

/// <summary>A server whose first issuer is not an https URL: kube-apiserver then serves no discovery.</summary>
public sealed class NonUrlIssuerServerFactory : ApiServerFactory
{
    public NonUrlIssuerServerFactory() => Flags["service-account-issuer"] = "my-issuer";
}

public sealed class NonUrlIssuerTests(NonUrlIssuerServerFactory server) : IClassFixture<NonUrlIssuerServerFactory>
{
    [Fact]
    public async Task ThereIsNoDiscoveryAndTokensStillWork()
    {
        var admin = server.Admin();
        await admin.GetAsync("/.well-known/openid-configuration").ExpectStatus(HttpStatusCode.NotFound, "NotFound");
        var ns = await admin.NewNamespace("plain");
        await admin.CreateServiceAccount(ns, "robot");
        var who = await server.WithToken(await admin.CreateToken(ns, "robot")).WhoAmI();
        Assert.Equal($"system:serviceaccount:{ns}:robot", (string?)who["status"]!["userInfo"]!["username"]);
    }
}
