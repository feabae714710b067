using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.ServiceAccounts;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>
/// Bound tokens as kube's claims.go validator takes them: the identity they give, and every reason a token
/// signed by this server is refused (an error: 401 even with anonymous on) versus a token that is not ours
/// ("not mine": the next authenticator may take it).
/// </summary>
public sealed class BoundTokenAuthenticatorTests : IDisposable
{
    readonly TokenWorld world = new();

    public BoundTokenAuthenticatorTests() => world.ServiceAccount();

    public void Dispose() => world.Dispose();

    [Fact]
    public async Task ABoundTokenIsItsServiceAccount()
    {
        var r = await world.AuthenticateAsync(world.IssueBound().Token);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal(ServiceAccountTokenAuthenticator.BoundName, r.Authenticator);
        Assert.Equal("system:serviceaccount:team:robot", r.User!.Name);
        Assert.Equal("sa-uid", r.User.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:team"], r.User.Groups);
        Assert.Equal(["JTI=" + TokenWorld.Jti], r.User.Extra[UserInfo.CredentialIdKey]);
        Assert.Single(r.User.Extra);
        Assert.Equal([TokenWorld.Issuer], r.Audiences);
    }

    [Fact]
    public async Task APodBoundTokenReportsPodAndNode()
    {
        world.Pod();
        world.Put("nodes", "", "node-1", "node-uid");
        var r = await world.AuthenticateAsync(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token);
        Assert.True(r.Succeeded, r.Error);
        var extra = r.User!.Extra.ToDictionary(e => e.Key, e => string.Join(",", e.Value));
        Assert.Equal(new Dictionary<string, string>
        {
            ["authentication.kubernetes.io/pod-name"] = "web-0",
            ["authentication.kubernetes.io/pod-uid"] = "pod-uid",
            ["authentication.kubernetes.io/node-name"] = "node-1",
            ["authentication.kubernetes.io/node-uid"] = "node-uid",
            ["authentication.kubernetes.io/credential-id"] = "JTI=" + TokenWorld.Jti,
        }, extra);
    }

    [Fact]
    public async Task ANodeBoundTokenReportsTheNode()
    {
        world.Put("nodes", "", "node-1", "node-uid");
        var r = await world.AuthenticateAsync(world.IssueBound(new BoundObjectReference("Node", "node-1", "node-uid")).Token);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal(["node-1"], r.User!.Extra["authentication.kubernetes.io/node-name"]);
        Assert.False(r.User.Extra.ContainsKey("authentication.kubernetes.io/pod-name"));
    }

    [Fact]
    public async Task TheAudienceAskedForMustBeTheTokens()
    {
        var token = world.IssueBound(audiences: ["vault"]).Token;
        var forApi = await world.AuthenticateAsync(token);
        Assert.Equal("token audiences [\"vault\"] is invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]", forApi.Error);
        var forVault = await world.AuthenticateAsync(token, ["vault", "other"]);
        Assert.True(forVault.Succeeded, forVault.Error);
        Assert.Equal(["vault"], forVault.Audiences);
    }

    public static TheoryData<int, string?> Times => new()
    {
        // seconds after issue (the token lives 3600 s), error
        { 3600, null },
        { 3660, null }, // go-jose's one-minute leeway
        { 3661, "service account token has expired" },
    };

    [Theory, MemberData(nameof(Times))]
    public async Task ATokenExpiresAMinuteAfterItsExp(int after, string? error)
    {
        var token = world.IssueBound().Token;
        world.Time.Advance(TimeSpan.FromSeconds(after));
        var r = await world.AuthenticateAsync(token);
        Assert.Equal(error, r.Error);
        Assert.Equal(error is null, r.Succeeded);
    }

    [Theory]
    [InlineData("nbf", 1767225600 + 61, "service account token is not valid yet")]
    [InlineData("iat", 1767225600 + 61, "service account token is issued in the future")]
    [InlineData("nbf", 1767225600 + 60, null)]
    public async Task ATokenFromTheFutureIsRefused(string claim, long value, string? error)
    {
        var payload = JsonNode.Parse(TokenWorld.Part(world.IssueBound().Token, 1))!.AsObject();
        payload[claim] = value;
        var r = await world.AuthenticateAsync(world.Sign(payload.ToJsonString()));
        Assert.Equal(error, r.Error);
    }

    public static TheoryData<string, Action<TokenWorld>, string> Invalidations => new()
    {
        { "the service account is deleted", w => w.Remove("serviceaccounts", "team", "robot"), "serviceaccounts \"robot\" not found" },
        { "it is recreated under the same name", w => w.ServiceAccount(uid: "sa-uid-2"), "service account UID (sa-uid-2) does not match claim (sa-uid)" },
        { "it was deleted over a minute ago", w => w.ServiceAccount(metadata: new JsonObject { ["deletionTimestamp"] = "2025-12-31T23:58:59Z" }), "service account team/robot has been deleted" },
        { "the pod is deleted", w => w.Remove("pods", "team", "web-0"), "service account token has been invalidated" },
        { "the pod is recreated", w => w.Pod(uid: "pod-uid-2"), "pod UID (pod-uid-2) does not match service account pod ref claim (pod-uid)" },
        { "the pod was deleted over a minute ago", w => w.Pod(metadata: new JsonObject { ["deletionTimestamp"] = "2025-12-31T23:58:59Z" }), "service account token has been invalidated" },
    };

    [Theory, MemberData(nameof(Invalidations))]
    public async Task APodBoundTokenDiesWithItsObjects(string what, Action<TokenWorld> change, string error)
    {
        world.Pod();
        var token = world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token;
        Assert.True((await world.AuthenticateAsync(token)).Succeeded);
        change(world);
        var r = await world.AuthenticateAsync(token);
        Assert.False(r.Succeeded, what);
        Assert.Equal(error, r.Error);
    }

    [Fact]
    public async Task ObjectsDeletedWithinTheLastMinuteStillCount()
    {
        world.Pod(metadata: new JsonObject { ["deletionTimestamp"] = "2025-12-31T23:59:30Z" });
        world.ServiceAccount(metadata: new JsonObject { ["deletionTimestamp"] = "2025-12-31T23:59:30Z" });
        var r = await world.AuthenticateAsync(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token);
        Assert.True(r.Succeeded, r.Error);
    }

    [Theory]
    [InlineData(null, "service account token has been invalidated")]
    [InlineData("secret-uid-2", "secret UID (secret-uid-2) does not match service account secret ref claim (secret-uid)")]
    public async Task ASecretBoundTokenDiesWithTheSecret(string? newUid, string error)
    {
        world.Put("secrets", "team", "s", "secret-uid");
        var token = world.IssueBound(new BoundObjectReference("Secret", "s", "secret-uid")).Token;
        Assert.True((await world.AuthenticateAsync(token)).Succeeded);
        if (newUid is null) world.Remove("secrets", "team", "s");
        else world.Put("secrets", "team", "s", newUid);
        Assert.Equal(error, (await world.AuthenticateAsync(token)).Error);
    }

    [Theory]
    [InlineData(null, "service account token has been invalidated")]
    [InlineData("node-uid-2", "node UID (node-uid-2) does not match service account node ref claim (node-uid)")]
    public async Task ANodeBoundTokenDiesWithTheNode(string? newUid, string error)
    {
        world.Put("nodes", "", "node-1", "node-uid");
        var token = world.IssueBound(new BoundObjectReference("Node", "node-1", "node-uid")).Token;
        Assert.True((await world.AuthenticateAsync(token)).Succeeded);
        if (newUid is null) world.Remove("nodes", "", "node-1");
        else world.Put("nodes", "", "node-1", newUid);
        Assert.Equal(error, (await world.AuthenticateAsync(token)).Error);
    }

    [Fact]
    public async Task APodBoundTokensNodeIsOnlyReported()
    {
        world.Pod(node: "node-1");
        var r = await world.AuthenticateAsync(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token);
        Assert.True(r.Succeeded, r.Error); // the node does not exist, and that does not matter
        Assert.Equal(["node-1"], r.User!.Extra["authentication.kubernetes.io/node-name"]);
        Assert.False(r.User.Extra.ContainsKey("authentication.kubernetes.io/node-uid"));
    }

    public static TheoryData<string, string> NotOurs => new()
    {
        { "not a JWT", "some-opaque-token" },
        { "another issuer", """{"iss":"https://accounts.example.com","sub":"x"}""" },
        { "no issuer", """{"sub":"x"}""" },
        { "a non-string issuer", """{"iss":42}""" },
    };

    [Theory, MemberData(nameof(NotOurs))]
    public async Task ATokenOfAnotherIssuerIsNotMine(string what, string payloadOrToken)
    {
        var token = payloadOrToken.StartsWith('{') ? world.Sign(payloadOrToken) : payloadOrToken;
        var r = await world.AuthenticateAsync(token);
        Assert.False(r.Succeeded, what);
        Assert.Null(r.Error);
    }

    [Fact]
    public async Task OurIssuerSignedByAnUnknownKeyIsAnError()
    {
        using var other = RSA.Create(2048);
        var token = world.Sign(TokenWorld.Part(world.IssueBound().Token, 1), ServiceAccountKey.From(other));
        Assert.Equal("invalid signature, no keys found", (await world.AuthenticateAsync(token)).Error);
    }

    [Fact]
    public async Task ATamperedTokenIsAnError()
    {
        var parts = world.IssueBound().Token.Split('.');
        var forged = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            TokenWorld.Part(world.IssueBound().Token, 1).Replace("\"robot\"", "\"admin\"")));
        var r = await world.AuthenticateAsync(parts[0] + "." + forged + "." + parts[2]);
        Assert.Equal("square/go-jose: error in cryptographic primitive", r.Error);
    }

    [Theory]
    [InlineData("""{"alg":"none"}""", "")]
    [InlineData("""{"alg":"HS256"}""", "c2lnbmF0dXJl")]
    [InlineData("""{}""", "c2lnbmF0dXJl")]
    public async Task AnUnsignedOrHmacTokenIsRefused(string header, string signature)
    {
        var payload = world.IssueBound().Token.Split('.')[1];
        var token = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(header)) + "." + payload + "." + signature;
        var r = await world.AuthenticateAsync(token);
        Assert.False(r.Succeeded);
        Assert.Equal("square/go-jose: unknown/unsupported algorithm", r.Error);
    }

    [Fact]
    public async Task TheCacheMayKeepASuccessOnlyUntilExpPlusLeeway()
    {
        var answer = await world.Bound.AuthenticateExpiringTokenAsync(world.IssueBound(seconds: 600).Token, default);
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T00:11:00Z"), answer.ValidUntil);
    }
}
