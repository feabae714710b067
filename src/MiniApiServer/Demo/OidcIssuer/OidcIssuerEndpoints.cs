using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace MiniApiServer.Demo.OidcIssuer;

/// <summary>
/// The issuer's HTTP surface, as Dex or Keycloak serve it: OpenID discovery (read by kube-apiserver from
/// <c>{issuer}/.well-known/openid-configuration</c>), the JWKS it names, the OAuth 2.0 token endpoint with
/// the resource-owner password grant (RFC 6749 §4.3), and a loopback-only key rotation trigger.
/// </summary>
public sealed class OidcIssuerEndpoints(IdTokenMinter minter, SigningKeyStore keys, DemoUsers users, string clientId)
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string KeysPath = "/keys";
    public const string TokenPath = "/token";
    public const string RotatePath = "/rotate";

    /// <summary>The issuer URL, exactly as tokens carry it; set once the listener knows its port.</summary>
    public string Issuer { get; internal set; } = "";

    public void Map(WebApplication app)
    {
        app.MapGet(DiscoveryPath, (Delegate)Discovery);
        app.MapGet(KeysPath, (Delegate)Jwks);
        app.MapPost(TokenPath, (Delegate)TokenAsync);
        app.MapPost(RotatePath, (Delegate)Rotate);
    }

    private IResult Discovery() => Results.Json(new JsonObject
    {
        // kube-apiserver requires "issuer" to equal its configured issuer URL exactly.
        ["issuer"] = Issuer,
        ["jwks_uri"] = Issuer + KeysPath,
        ["token_endpoint"] = Issuer + TokenPath,
        ["grant_types_supported"] = new JsonArray("password"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("none"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray(SecurityAlgorithms.RsaSha256),
        ["scopes_supported"] = new JsonArray("openid", "email", "profile", "groups"),
        ["claims_supported"] = new JsonArray("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "email", "email_verified", "name", "groups"),
    });

    /// <summary>RFC 7517 key set: one RSA public key per published signing key, each with its <c>kid</c>.</summary>
    private IResult Jwks()
    {
        var set = new JsonArray();
        foreach (var key in keys.Published())
        {
            var p = key.Rsa.ExportParameters(includePrivateParameters: false);
            set.Add(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = SecurityAlgorithms.RsaSha256,
                ["kid"] = key.KeyId,
                ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            });
        }
        return Results.Json(new JsonObject { ["keys"] = set });
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        // RFC 6749 §5.1: token responses must not be cached.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        if (!context.Request.HasFormContentType)
            return OAuthError(HttpStatusCode.BadRequest, "invalid_request", "the token request must be application/x-www-form-urlencoded");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string Field(string name) => form[name].ToString();

        if (Field("grant_type") != "password")
            return OAuthError(HttpStatusCode.BadRequest, "unsupported_grant_type", "only grant_type=password is supported");
        if (!DemoUsers.FixedTimeEquals(clientId, Field("client_id")))
            return OAuthError(HttpStatusCode.Unauthorized, "invalid_client", $"unknown client_id \"{Field("client_id")}\"");
        if (Field("username").Length == 0 || Field("password").Length == 0)
            return OAuthError(HttpStatusCode.BadRequest, "invalid_request", "username and password are required");
        if (!Field("scope").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid"))
            return OAuthError(HttpStatusCode.BadRequest, "invalid_scope", "scope must include openid to get an ID token");
        // RFC 6749 says invalid_grant is a 400; Keycloak answers wrong user credentials with 401, and so do we,
        // so a client sees the same "Unauthorized" whichever demo login failed.
        if (users.CheckPassword(Field("username"), Field("password")) is not { } user)
            return OAuthError(HttpStatusCode.Unauthorized, "invalid_grant", "invalid username or password");

        var issued = minter.Mint(Issuer, user, clientId);
        return Results.Json(new JsonObject
        {
            ["access_token"] = issued.Token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)(issued.ExpiresAt - issued.IssuedAt).TotalSeconds,
            ["id_token"] = issued.Token,
            ["scope"] = Field("scope"),
        });
    }

    /// <summary>Rotates the signing key; only from the machine itself, since anyone who can rotate can disrupt logins.</summary>
    private IResult Rotate(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            return Results.Json(new JsonObject { ["error"] = "forbidden", ["error_description"] = "key rotation is allowed from loopback only" }, statusCode: 403);
        var fresh = keys.Rotate();
        return Results.Json(new JsonObject { ["kid"] = fresh.KeyId, ["published"] = new JsonArray([.. keys.Published().Select(k => (JsonNode)k.KeyId)]) });
    }

    /// <summary>RFC 6749 §5.2 error response.</summary>
    private static IResult OAuthError(HttpStatusCode status, string error, string description) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: (int)status);
}
