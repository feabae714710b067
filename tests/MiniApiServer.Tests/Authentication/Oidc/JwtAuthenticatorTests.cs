using System.Text.Json.Nodes;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>Token processing of a JWT authenticator (kube oidc.go + go-oidc v2.2.1), against a fake issuer.</summary>
public sealed class JwtAuthenticatorTests
{
    static async Task<(OidcTestHost Host, JsonObject Claims)> HostAsync(string mappings = "")
    {
        var host = await OidcTestHost.WithMappingsAsync(mappings);
        return (host, host.Issuer.Claims(host.Time.GetUtcNow()));
    }

    static string Error(AuthenticationResult r)
    {
        Assert.False(r.Succeeded, "expected a failure");
        Assert.NotNull(r.Error);
        return r.Error!;
    }

    [Fact]
    public async Task ValidTokenAuthenticatesTheSubjectWithItsVerifiedExpiry()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var token = host.Issuer.Mint(claims);
        var r = await host.Authenticators.AuthenticateWithExpiryAsync(token, CancellationToken.None);
        Assert.True(r.Result.Succeeded, r.Result.Error);
        Assert.Equal("1234", r.Result.User!.Name);
        Assert.Empty(r.Result.User.Groups);
        Assert.Equal("", r.Result.User.Uid);
        Assert.Null(r.Result.Audiences);
        Assert.Equal(OidcTestHost.Start.AddHours(1), r.Expiry.ExpiresAt);
        Assert.Equal(OidcTestHost.Start.AddHours(1), TokenExpiry.FromToken(token).ExpiresAt);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS512")]
    public async Task EveryAllowedRsaAlgorithmVerifies(string alg)
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var r = await host.AuthenticateAsync(host.Issuer.Current.Sign(claims, alg));
        Assert.True(r.Succeeded, r.Error);
    }

    [Fact]
    public async Task EcKeysVerify()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var r = await host.AuthenticateAsync(host.Issuer.Ec.Sign(claims));
        Assert.True(r.Succeeded, r.Error);
    }

    [Fact]
    public async Task AlgNoneIsRejected()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var error = Error(await host.AuthenticateAsync(SigningKey.Unsigned(claims)));
        Assert.StartsWith("oidc: verify token: oidc: id token signed with unsupported algorithm", error);
    }

    [Fact]
    public async Task Hs256KeyedWithThePublicKeyIsRejectedEvenWhenAllowedAlgorithmsWereWidened()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        foreach (var forged in host.Issuer.Current.ForgeHs256WithPublicKey(claims))
            Assert.Contains("unsupported algorithm", Error(await host.AuthenticateAsync(forged)));
        // Even if HS256 were in the allowed list, no HMAC key is ever made from the JWKS.
        var keys = host.First.Keys!;
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(host.Issuer.Current.ForgeHs256WithPublicKey(claims).First());
        Assert.Equal("failed to verify id token signature", await keys.VerifySignatureAsync(jwt, ["HS256", "RS256"], CancellationToken.None));
    }

    [Fact]
    public async Task AlgorithmOutsideTheLegacyFlagListIsRejected()
    {
        var issuer = new FakeOidcIssuer();
        var options = OidcOptions.FromConfiguration(
            new AuthenticationConfiguration { Jwt = [OidcOptions.FromLegacyFlags(issuer.Url, "kube", "sub", "", "", "", [], null)] },
            ["RS256"], [], new CelExpressionCompiler());
        using var host = await OidcTestHost.FromOptionsAsync(options, issuer);
        var claims = issuer.Claims(host.Time.GetUtcNow());
        Assert.True((await host.AuthenticateAsync(issuer.Mint(claims))).Succeeded);
        Assert.Equal("oidc: verify token: oidc: id token signed with unsupported algorithm, expected [\"RS256\"] got \"ES256\"",
            Error(await host.AuthenticateAsync(issuer.Ec.Sign(claims))));
        Assert.Contains("unsupported algorithm", Error(await host.AuthenticateAsync(issuer.Current.Sign(claims, "PS256"))));
    }

    [Fact]
    public async Task TamperedPayloadFailsTheSignature()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var parts = host.Issuer.Mint(claims).Split('.');
        claims["sub"] = "admin";
        var tampered = parts[0] + "." + FakeOidcIssuer.B64(claims.ToJsonString()) + "." + parts[2];
        Assert.Equal("oidc: verify token: failed to verify signature: failed to verify id token signature", Error(await host.AuthenticateAsync(tampered)));
    }

    [Theory]
    [InlineData("https://other.example.com")]
    [InlineData("https://issuer.example.com/")]
    [InlineData("")]
    public async Task TokenOfAnotherIssuerIsNotMine(string iss)
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        claims["iss"] = iss;
        var r = await host.AuthenticateAsync(host.Issuer.Mint(claims));
        Assert.False(r.Succeeded);
        Assert.Null(r.Error);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("{\"iss\":\"https://issuer.example.com\"}")]
    [InlineData("abc.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbSJ9.sig")]
    public async Task NonJwtTokensAreNotMineExceptAMatchingIssuer(string token)
    {
        var (host, _) = await HostAsync();
        using var __ = host;
        var r = await host.AuthenticateAsync(token);
        if (token.StartsWith("abc.", StringComparison.Ordinal))
            Assert.StartsWith("oidc: verify token: oidc: malformed jwt", Error(r)); // iss matches: the token is ours and broken
        else
            Assert.Null(r.Error);
        Assert.False(r.Succeeded);
    }

    [Fact]
    public async Task WrongAudienceFails()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        claims["aud"] = new JsonArray("other", "another");
        Assert.Equal("oidc: verify token: oidc: expected audience \"kube\" got [\"other\" \"another\"]", Error(await host.AuthenticateAsync(host.Issuer.Mint(claims))));
    }

    [Fact]
    public async Task AnyConfiguredAudienceMatches()
    {
        using var host = await OidcTestHost.FromYamlAsync("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: AuthenticationConfiguration
            jwt:
            - issuer: {url: "https://issuer.example.com", audiences: [a, b], audienceMatchPolicy: MatchAny}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """);
        var claims = host.Issuer.Claims(host.Time.GetUtcNow(), "b");
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        claims["aud"] = new JsonArray("x", "a");
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        claims["aud"] = "c";
        Assert.Equal("oidc: verify token: oidc: expected audience in [\"a\" \"b\"] got [\"c\"]", Error(await host.AuthenticateAsync(host.Issuer.Mint(claims))));
    }

    [Fact]
    public async Task ExpiryIsExactAndWithoutLeeway()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        var token = host.Issuer.Mint(claims);
        host.Time.Advance(TimeSpan.FromHours(1)); // now == exp: still valid (go-oidc: expired when exp is before now)
        Assert.True((await host.AuthenticateAsync(token)).Succeeded);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("oidc: verify token: oidc: token is expired (Token Expiry: 2025-03-01 13:00:00 +0000 UTC)", Error(await host.AuthenticateAsync(token)));
    }

    [Fact]
    public async Task ExpIsRequired()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        claims.Remove("exp");
        Assert.Equal("oidc: verify token: oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)", Error(await host.AuthenticateAsync(host.Issuer.Mint(claims))));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(60, true)]    // go-oidc v2.2.1 allows an nbf up to one minute ahead
    [InlineData(61, false)]
    [InlineData(3600, false)]
    public async Task NotBeforeHasOneMinuteOfLeeway(int secondsAhead, bool accepted)
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        claims["nbf"] = host.Time.GetUtcNow().ToUnixTimeSeconds() + secondsAhead;
        var r = await host.AuthenticateAsync(host.Issuer.Mint(claims));
        Assert.Equal(accepted, r.Succeeded);
        if (!accepted) Assert.Contains("before the nbf (not before) time", r.Error);
    }

    [Fact]
    public async Task IssuedAtInTheFutureIsNotChecked()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        claims["iat"] = host.Time.GetUtcNow().AddDays(1).ToUnixTimeSeconds();
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
    }

    [Fact]
    public async Task UnknownKidRefetchesTheKeysAfterRotation()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        Assert.Equal(1, host.Issuer.JwksRequests);
        var old = host.Issuer.Current;
        host.Issuer.Rotate("key-2");
        host.Time.Advance(RemoteKeySet.MinimumRefreshInterval);
        var rotated = await host.AuthenticateAsync(host.Issuer.Mint(claims));
        Assert.True(rotated.Succeeded, rotated.Error);
        Assert.Equal(2, host.Issuer.JwksRequests);
        // The withdrawn key no longer verifies once the set was refreshed.
        host.Time.Advance(RemoteKeySet.MinimumRefreshInterval);
        Assert.Contains("failed to verify id token signature", Error(await host.AuthenticateAsync(old.Sign(claims))));
    }

    [Fact]
    public async Task RefetchesAreRateLimited()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        for (var i = 0; i < 20; i++)
            Assert.False((await host.AuthenticateAsync(host.Issuer.Current.Sign(claims, kid: $"made-up-{i}"))).Succeeded);
        Assert.Equal(1, host.Issuer.JwksRequests);
        host.Time.Advance(RemoteKeySet.MinimumRefreshInterval);
        Assert.False((await host.AuthenticateAsync(host.Issuer.Current.Sign(claims, kid: "made-up"))).Succeeded);
        Assert.Equal(2, host.Issuer.JwksRequests);
    }

    [Fact]
    public async Task KeysFreshByCacheControlAreNotRefetched()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        host.Issuer.JwksMaxAge = TimeSpan.FromMinutes(5);
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        host.Issuer.Rotate("key-2");
        host.Time.Advance(TimeSpan.FromMinutes(4)); // 60 s of max-age left: more than go-oidc's 30 s delta
        Assert.False((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        Assert.Equal(1, host.Issuer.JwksRequests);
        host.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.True((await host.AuthenticateAsync(host.Issuer.Mint(claims))).Succeeded);
        Assert.Equal(2, host.Issuer.JwksRequests);
    }

    [Fact]
    public async Task TokenWithoutKidTriesEveryKey()
    {
        var (host, claims) = await HostAsync();
        using var _ = host;
        Assert.True((await host.AuthenticateAsync(host.Issuer.Ec.Sign(claims, includeKid: false))).Succeeded);
    }

    [Fact]
    public async Task UninitialisedAuthenticatorFailsTokensOfItsIssuerOnly()
    {
        var issuer = new FakeOidcIssuer { Failing = true };
        using var host = await OidcTestHost.FromYamlAsync("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: AuthenticationConfiguration
            jwt:
            - issuer: {url: "https://issuer.example.com", audiences: [kube]}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, issuer, initialize: false);
        Assert.False(await host.First.InitializeAsync(CancellationToken.None));
        Assert.Contains("503", host.First.HealthError);
        var claims = issuer.Claims(host.Time.GetUtcNow());
        Assert.Equal("oidc: authenticator not initialized", Error(await host.AuthenticateAsync(issuer.Mint(claims))));
        claims["iss"] = "https://elsewhere.example.com";
        Assert.Null((await host.AuthenticateAsync(issuer.Mint(claims))).Error);
        // The background loop retries every 10 s (of the injected clock) until discovery succeeds.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var loop = host.First.StartAsync(stop.Token);
        // Each poll moves the clock by one second: a retry happens only once 10 s have passed.
        await WaitUntil(() => issuer.DiscoveryRequests >= 3, stop.Token, host.Time);
        Assert.True(host.Time.GetUtcNow() - OidcTestHost.Start >= JwtAuthenticator.InitializationRetryInterval);
        issuer.Failing = false;
        await WaitUntil(() => loop.IsCompleted, stop.Token, host.Time);
        await loop;
        Assert.Null(host.First.HealthError);
        claims["iss"] = issuer.Url;
        Assert.True((await host.AuthenticateAsync(issuer.Mint(claims))).Succeeded);
    }

    /// <summary>Polls a condition set by a background task (no fixed sleeps); the token bounds the wait.</summary>
    static async Task WaitUntil(Func<bool> condition, CancellationToken ct, Microsoft.Extensions.Time.Testing.FakeTimeProvider time)
    {
        while (!condition())
        {
            await Task.Delay(5, ct);
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task DiscoveryIssuerMustMatchExactly()
    {
        var issuer = new FakeOidcIssuer { AdvertisedIssuer = FakeOidcIssuer.DefaultUrl + "/" };
        using var host = await OidcTestHost.FromYamlAsync("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: AuthenticationConfiguration
            jwt:
            - issuer: {url: "https://issuer.example.com", audiences: [kube]}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, issuer, initialize: false);
        Assert.False(await host.First.InitializeAsync(CancellationToken.None));
        Assert.Equal("oidc: issuer did not match the issuer returned by provider, expected \"https://issuer.example.com\" got \"https://issuer.example.com/\"", host.First.HealthError);
    }

    [Fact]
    public async Task DiscoveryUrlIsUsedVerbatim()
    {
        var issuer = new FakeOidcIssuer(discoveryUrl: "https://internal.example.com/custom/discovery");
        using var host = await OidcTestHost.FromYamlAsync("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: AuthenticationConfiguration
            jwt:
            - issuer: {url: "https://issuer.example.com", discoveryURL: "https://internal.example.com/custom/discovery", audiences: [kube]}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, issuer);
        Assert.Equal(1, issuer.DiscoveryRequests);
        Assert.True((await host.AuthenticateAsync(issuer.Mint(issuer.Claims(host.Time.GetUtcNow())))).Succeeded);
    }

    [Fact]
    public async Task SeveralIssuersEachTakeTheirOwnTokens()
    {
        var a = new FakeOidcIssuer("https://a.example.com");
        var b = new FakeOidcIssuer("https://b.example.com");
        var router = new RoutingHandler(a, b);
        var config = AuthenticationConfigurationFile.Parse("""
            apiVersion: apiserver.config.k8s.io/v1
            kind: AuthenticationConfiguration
            jwt:
            - issuer: {url: "https://a.example.com", audiences: [kube]}
              claimMappings: {username: {claim: sub, prefix: "a:"}}
            - issuer: {url: "https://b.example.com", audiences: [kube]}
              claimMappings: {username: {claim: sub, prefix: "b:"}}
            """);
        var options = OidcOptions.FromConfiguration(config, OidcOptions.AllValidSigningAlgorithms, [], new CelExpressionCompiler());
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(OidcTestHost.Start);
        using var all = OidcAuthenticatorFactory.Create(options, time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, router);
        foreach (var m in all.Members) Assert.True(await m.InitializeAsync(CancellationToken.None));
        Assert.Equal("a:1234", (await all.AuthenticateTokenAsync(a.Mint(a.Claims(time.GetUtcNow())), CancellationToken.None)).User!.Name);
        Assert.Equal("b:1234", (await all.AuthenticateTokenAsync(b.Mint(b.Claims(time.GetUtcNow())), CancellationToken.None)).User!.Name);
        // b's key does not sign a's tokens.
        Assert.Contains("failed to verify", (await all.AuthenticateTokenAsync(b.Mint(a.Claims(time.GetUtcNow())), CancellationToken.None)).Error);
    }

    sealed class RoutingHandler(params FakeOidcIssuer[] issuers) : HttpMessageHandler
    {
        readonly HttpMessageInvoker[] _invokers = issuers.Select(i => new HttpMessageInvoker(i)).ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var i = Array.FindIndex(issuers, x => request.RequestUri!.ToString().StartsWith(x.Url, StringComparison.Ordinal));
            return _invokers[i].SendAsync(request, ct);
        }
    }
}
