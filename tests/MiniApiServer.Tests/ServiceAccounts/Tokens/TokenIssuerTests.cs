using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MiniApiServer.Authentication.ServiceAccounts;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>The tokens kube-apiserver signs: header, key id and every claim, byte for byte where kube's are fixed.</summary>
public sealed class TokenIssuerTests : IDisposable
{
    readonly TokenWorld world = new();

    public void Dispose() => world.Dispose();

    const long Now = 1767225600; // 2026-01-01T00:00:00Z

    [Fact]
    public void TheKeyIdIsTheUnpaddedBase64UrlSha256OfTheDerPublicKey()
    {
        // The DER SubjectPublicKeyInfo is exactly what a "PUBLIC KEY" PEM block carries.
        var pem = world.Rsa.ExportSubjectPublicKeyInfoPem();
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----"))));
        var expected = Convert.ToBase64String(SHA256.HashData(der)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, world.Key.KeyId);
        Assert.Equal(43, world.Key.KeyId.Length);
    }

    [Fact]
    public void TheHeaderIsAlgAndKidOnly()
    {
        var token = world.TokenIssuer.IssueLegacy("team", "robot", "sa-uid", "robot-token");
        Assert.Equal($$"""{"alg":"RS256","kid":"{{world.Key.KeyId}}"}""", TokenWorld.Part(token, 0));
    }

    [Fact]
    public void ALegacyTokenNamesItsSecretAndNeverExpires()
    {
        var token = world.TokenIssuer.IssueLegacy("team", "robot", "sa-uid", "robot-token");
        Assert.Equal("""{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"team","kubernetes.io/serviceaccount/secret.name":"robot-token","kubernetes.io/serviceaccount/service-account.name":"robot","kubernetes.io/serviceaccount/service-account.uid":"sa-uid","sub":"system:serviceaccount:team:robot"}""",
            TokenWorld.Part(token, 1));
    }

    [Fact]
    public void ABoundTokenCarriesSortedClaims()
    {
        var issued = world.IssueBound(audiences: ["vault", "https://kubernetes.default.svc.cluster.local"]);
        Assert.Equal($$$"""{"aud":["vault","https://kubernetes.default.svc.cluster.local"],"exp":{{{Now + 3600}}},"iat":{{{Now}}},"iss":"https://kubernetes.default.svc.cluster.local","jti":"{{{TokenWorld.Jti}}}","kubernetes.io":{"namespace":"team","serviceaccount":{"name":"robot","uid":"sa-uid"}},"nbf":{{{Now}}},"sub":"system:serviceaccount:team:robot"}""",
            TokenWorld.Part(issued.Token, 1));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now + 3600), issued.ExpiresAt);
    }

    [Fact]
    public void ABoundTokenIsSignedWithTheFirstIssuer()
    {
        using var world2 = new TokenWorld(issuers: ["https://first.example", "https://second.example"]);
        var claims = Claims(world2.IssueBound().Token);
        Assert.Equal("https://first.example", (string?)claims["iss"]);
    }

    [Fact]
    public void APodBoundTokenNamesThePodAndItsNode()
    {
        world.Pod(node: "node-1");
        world.Put("nodes", "", "node-1", "node-uid");
        var k8s = Claims(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token)["kubernetes.io"]!;
        Assert.Equal("""{"namespace":"team","node":{"name":"node-1","uid":"node-uid"},"pod":{"name":"web-0","uid":"pod-uid"},"serviceaccount":{"name":"robot","uid":"sa-uid"}}""",
            k8s.ToJsonString());
    }

    [Fact]
    public void AMissingNodeIsNamedWithoutUid()
    {
        world.Pod(node: "gone");
        var k8s = Claims(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token)["kubernetes.io"]!;
        Assert.Equal("""{"name":"gone"}""", k8s["node"]!.ToJsonString());
    }

    [Fact]
    public void AnUnscheduledPodNamesNoNode()
    {
        world.Pod(node: null);
        var k8s = Claims(world.IssueBound(new BoundObjectReference("Pod", "web-0", "pod-uid")).Token)["kubernetes.io"]!.AsObject();
        Assert.False(k8s.ContainsKey("node"));
    }

    [Theory]
    [InlineData("Secret", "secret")]
    [InlineData("Node", "node")]
    public void SecretAndNodeBoundTokensNameTheirObject(string kind, string claim)
    {
        var k8s = Claims(world.IssueBound(new BoundObjectReference(kind, "obj", "obj-uid")).Token)["kubernetes.io"]!.AsObject();
        Assert.Equal("""{"name":"obj","uid":"obj-uid"}""", k8s[claim]!.ToJsonString());
        Assert.Equal(claim == "node" ? ["namespace", "node", "serviceaccount"] : ["namespace", "secret", "serviceaccount"], k8s.Select(p => p.Key));
    }

    public static TheoryData<string, string, bool, string, long?> Extension => new()
    {
        // bound kind, audience, --service-account-extend-token-expiration, why, warnafter offset (null: not extended)
        { "Pod", TokenWorld.Issuer, true, "the kubelet's projected token", 3607 },
        { "Pod", TokenWorld.Issuer, false, "extension switched off", null },
        { "Pod", "vault", true, "an audience that is not the API's", null },
        { "Secret", TokenWorld.Issuer, true, "not pod-bound", null },
    };

    [Theory, MemberData(nameof(Extension))]
    public void A3607SecondPodTokenForTheApiIsExtendedToAYear(string kind, string audience, bool extend, string why, long? warnAfter)
    {
        using var w = new TokenWorld(extend: extend);
        w.Pod(node: null);
        var issued = w.IssueBound(new BoundObjectReference(kind, "web-0", "pod-uid"), [audience], seconds: 3607);
        var claims = Claims(issued.Token);
        Assert.True(Now + (warnAfter is null ? 3607 : 365 * 24 * 3600) == (long)claims["exp"]!, why);
        Assert.Equal(warnAfter is null ? null : Now + warnAfter, (long?)claims["kubernetes.io"]!["warnafter"]);
        // The expiry reported to the caller is always the one asked for.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now + 3607), issued.ExpiresAt);
    }

    [Fact]
    public void ALifetimeLongerThanTheMaximumIsShortened()
    {
        using var w = new TokenWorld(maxExpiration: TimeSpan.FromHours(2));
        var issued = w.IssueBound(seconds: 86400);
        Assert.Equal(Now + 7200, (long)Claims(issued.Token)["exp"]!);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now + 7200), issued.ExpiresAt);
    }

    [Fact]
    public void TheSignatureVerifiesWithThePublicKey()
    {
        var token = world.IssueBound().Token;
        var parts = token.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.True(world.Rsa.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    static JsonObject Claims(string token) => JsonNode.Parse(TokenWorld.Part(token, 1))!.AsObject();
}
