using System.Text.Json.Nodes;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>
/// Secret-based tokens as kube's legacy.go validator takes them: complete claims, and with
/// --service-account-lookup the Secret that holds the very token and the account it names; each use marks the
/// Secret with the day it was last used.
/// </summary>
public sealed class LegacyTokenAuthenticatorTests : IDisposable
{
    readonly TokenWorld world = new();
    readonly string token;

    public LegacyTokenAuthenticatorTests()
    {
        world.ServiceAccount();
        token = world.TokenIssuer.IssueLegacy("team", "robot", "sa-uid", "robot-token");
        world.TokenSecret(token);
    }

    public void Dispose() => world.Dispose();

    [Fact]
    public async Task ALegacyTokenIsItsServiceAccountWithoutExtra()
    {
        var r = await world.AuthenticateAsync(token);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal(ServiceAccountTokenAuthenticator.LegacyName, r.Authenticator);
        Assert.Equal("system:serviceaccount:team:robot", r.User!.Name);
        Assert.Equal("sa-uid", r.User.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:team"], r.User.Groups);
        Assert.Empty(r.User.Extra); // legacy tokens have no jti, so no credential id
    }

    [Fact]
    public async Task ALegacyTokenIsOnlyForTheApiAudiences()
    {
        var r = await world.AuthenticateAsync(token, ["vault"]);
        Assert.Equal("token audiences [\"https://kubernetes.default.svc.cluster.local\"] is invalid for the target audiences [\"vault\"]", r.Error);
    }

    public static TheoryData<string, Action<TokenWorld>, string> Refusals => new()
    {
        { "the Secret is deleted", w => w.Remove("secrets", "team", "robot-token"), "Token has been invalidated" },
        { "the Secret is being deleted", w => w.TokenSecret(w.TokenIssuer.IssueLegacy("team", "robot", "sa-uid", "robot-token"), metadata: new JsonObject { ["deletionTimestamp"] = "2026-01-01T00:00:00Z" }), "Token has been invalidated" },
        { "the Secret holds another token", w => w.TokenSecret("another"), "Token does not match server's copy" },
        { "the account is deleted", w => w.Remove("serviceaccounts", "team", "robot"), "serviceaccounts \"robot\" not found" },
        { "the account is being deleted", w => w.ServiceAccount(metadata: new JsonObject { ["deletionTimestamp"] = "2026-01-01T00:00:00Z" }), "ServiceAccount team/robot has been deleted" },
        { "the account was recreated", w => w.ServiceAccount(uid: "sa-uid-2"), "ServiceAccount UID (sa-uid-2) does not match claim (sa-uid)" },
    };

    [Theory, MemberData(nameof(Refusals))]
    public async Task ALegacyTokenNeedsItsSecretAndAccount(string what, Action<TokenWorld> change, string error)
    {
        change(world);
        var r = await world.AuthenticateAsync(token);
        Assert.False(r.Succeeded, what);
        Assert.Equal(error, r.Error);
    }

    [Fact]
    public async Task ASecretMarkedInvalidRefusesItsToken()
    {
        world.TokenSecret(token, metadata: new JsonObject { ["labels"] = new JsonObject { [LegacyTokenValidator.InvalidSinceLabel] = "2025-06-01" } });
        var r = await world.AuthenticateAsync(token);
        Assert.Equal("the token in secret team/robot-token for service account team/robot has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the 'kubernetes.io/legacy-token-invalid-since' label from the secret to temporarily allow use of this token", r.Error);
    }

    [Fact]
    public async Task WithoutLookupOnlyTheClaimsCount()
    {
        using var w = new TokenWorld(lookup: false);
        var r = await w.AuthenticateAsync(w.TokenIssuer.IssueLegacy("team", "robot", "sa-uid", "robot-token"));
        Assert.True(r.Succeeded, r.Error); // no Secret, no ServiceAccount stored
    }

    public static TheoryData<string, string> BadClaims => new()
    {
        { """{"iss":"kubernetes/serviceaccount"}""", "sub claim is missing" },
        { """{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:team:robot"}""", "namespace claim is missing" },
        { """{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:team:robot","kubernetes.io/serviceaccount/namespace":"team"}""", "secretName claim is missing" },
        { """{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:team:robot","kubernetes.io/serviceaccount/namespace":"team","kubernetes.io/serviceaccount/secret.name":"s"}""", "serviceAccountName claim is missing" },
        { """{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:team:robot","kubernetes.io/serviceaccount/namespace":"team","kubernetes.io/serviceaccount/secret.name":"s","kubernetes.io/serviceaccount/service-account.name":"robot"}""", "serviceAccountUID claim is missing" },
        { """{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:other:robot","kubernetes.io/serviceaccount/namespace":"team","kubernetes.io/serviceaccount/secret.name":"s","kubernetes.io/serviceaccount/service-account.name":"robot","kubernetes.io/serviceaccount/service-account.uid":"u"}""", "sub claim is invalid" },
    };

    [Theory, MemberData(nameof(BadClaims))]
    public async Task IncompleteClaimsAreRefused(string payload, string error) =>
        Assert.Equal(error, (await world.AuthenticateAsync(world.Sign(payload))).Error);

    [Fact]
    public async Task UseLabelsTheSecretOncePerDay()
    {
        await world.AuthenticateAsync(token);
        var labelled = world.Store.Get(new ObjectKey("secrets", "team", "robot-token"))!;
        Assert.Equal("2026-01-01", (string?)labelled.Object["metadata"]!["labels"]![LegacyTokenTracker.LastUsedLabel]);

        world.Time.Advance(TimeSpan.FromHours(23));
        await world.AuthenticateAsync(token);
        Assert.Equal(labelled.ResourceVersion, world.Store.Get(new ObjectKey("secrets", "team", "robot-token"))!.ResourceVersion);

        world.Time.Advance(TimeSpan.FromHours(2));
        await world.AuthenticateAsync(token);
        Assert.Equal("2026-01-02", (string?)world.Get("secrets", "team", "robot-token")!["metadata"]!["labels"]![LegacyTokenTracker.LastUsedLabel]);
    }

    [Fact]
    public async Task ALabelDatedTomorrowIsLeftAlone()
    {
        world.TokenSecret(token, metadata: new JsonObject { ["labels"] = new JsonObject { [LegacyTokenTracker.LastUsedLabel] = "2026-01-02" } });
        var before = world.Store.Get(new ObjectKey("secrets", "team", "robot-token"))!.ResourceVersion;
        Assert.True((await world.AuthenticateAsync(token)).Succeeded);
        Assert.Equal(before, world.Store.Get(new ObjectKey("secrets", "team", "robot-token"))!.ResourceVersion);
    }

    [Fact]
    public async Task ABoundTokenIsNotForTheLegacyAuthenticator()
    {
        var r = await world.Legacy.AuthenticateTokenAsync(world.IssueBound().Token, default);
        Assert.False(r.Succeeded);
        Assert.Null(r.Error);
    }
}
