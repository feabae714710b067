using System.Text.Json.Nodes;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>Claims to user: username/groups/uid/extra, prefixes, email_verified, required claims, CEL rules.</summary>
public sealed class ClaimMappingTests
{
    static async Task<AuthenticationResult> AuthenticateAsync(string mappings, Action<JsonObject> editClaims)
    {
        using var host = await OidcTestHost.WithMappingsAsync(mappings);
        var claims = host.Issuer.Claims(host.Time.GetUtcNow());
        editClaims(claims);
        return await host.AuthenticateAsync(host.Issuer.Mint(claims));
    }

    static async Task<AuthenticationResult> LegacyAsync(Action<JsonObject> editClaims, string usernameClaim = "sub", string usernamePrefix = "",
        string groupsClaim = "", string groupsPrefix = "", params (string, string)[] required)
    {
        var issuer = new FakeOidcIssuer();
        var jwt = OidcOptions.FromLegacyFlags(issuer.Url, "kube", usernameClaim, usernamePrefix, groupsClaim, groupsPrefix, required, null);
        var options = OidcOptions.FromConfiguration(new AuthenticationConfiguration { Jwt = [jwt] }, ["RS256"], [], new CelExpressionCompiler());
        using var host = await OidcTestHost.FromOptionsAsync(options, issuer);
        var claims = issuer.Claims(host.Time.GetUtcNow());
        editClaims(claims);
        return await host.AuthenticateAsync(issuer.Mint(claims));
    }

    [Theory]
    [InlineData("sub", "", "https://issuer.example.com#1234")]   // legacy default: issuer URL + '#'
    [InlineData("sub", "-", "1234")]                             // '-' means no prefix
    [InlineData("sub", "oidc:", "oidc:1234")]
    [InlineData("email", "", "jane@example.com")]                // email is not prefixed by default
    [InlineData("email", "oidc:", "oidc:jane@example.com")]
    [InlineData("name", "", "https://issuer.example.com#Jane")]
    public async Task LegacyUsernamePrefixes(string claim, string prefix, string expected)
    {
        var r = await LegacyAsync(c => { c["email"] = "jane@example.com"; c["name"] = "Jane"; }, claim, prefix);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal(expected, r.User!.Name);
    }

    [Theory]
    [InlineData("true", true, null)]
    [InlineData(null, true, null)]                                   // absent: accepted
    [InlineData("false", false, "oidc: email not verified")]
    [InlineData("\"true\"", false, "oidc: parse 'email_verified' claim: json: cannot unmarshal string into Go value of type bool")]
    public async Task EmailVerifiedMustBeTrueWhenPresentForTheEmailClaim(string? verifiedJson, bool accepted, string? error)
    {
        var r = await LegacyAsync(c =>
        {
            c["email"] = "jane@example.com";
            if (verifiedJson is not null) c["email_verified"] = JsonNode.Parse(verifiedJson);
        }, "email");
        Assert.Equal(accepted, r.Succeeded);
        Assert.Equal(error, r.Error);
    }

    [Fact]
    public async Task EmailVerifiedIsIgnoredForOtherUsernameClaims()
    {
        var r = await LegacyAsync(c => c["email_verified"] = false, "sub", "-");
        Assert.True(r.Succeeded, r.Error);
    }

    [Theory]
    [InlineData("{}", "oidc: parse username claims \"preferred_username\": claim not present")]
    [InlineData("{\"preferred_username\": 5}", "oidc: parse username claims \"preferred_username\": json: cannot unmarshal number into Go value of type string")]
    public async Task UsernameClaimMustBeAString(string extra, string error)
    {
        var r = await LegacyAsync(c => { foreach (var (k, v) in JsonNode.Parse(extra)!.AsObject()) c[k] = v?.DeepClone(); }, "preferred_username", "-");
        Assert.Equal(error, r.Error);
    }

    [Theory]
    [InlineData("[\"dev\", \"ops\"]", "g:", new[] { "g:dev", "g:ops" })]
    [InlineData("\"admins\"", "", new[] { "admins" })]   // a single string is one group
    [InlineData("[]", "g:", new string[0])]
    [InlineData(null, "g:", new string[0])]               // absent: no groups
    public async Task GroupsClaimIsAStringOrAnArray(string? groupsJson, string prefix, string[] expected)
    {
        var r = await LegacyAsync(c => { if (groupsJson is not null) c["groups"] = JsonNode.Parse(groupsJson); }, "sub", "-", "groups", prefix);
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal(expected, r.User!.Groups);
    }

    [Fact]
    public async Task GroupsClaimOfAnotherTypeFails()
    {
        var r = await LegacyAsync(c => c["groups"] = 5, "sub", "-", "groups");
        Assert.Equal("oidc: parse groups claim \"groups\": json: cannot unmarshal number into Go value of type string", r.Error);
    }

    [Theory]
    [InlineData("example.com", null)]
    [InlineData("other.com", "oidc: required claim hd value does not match. Got = other.com, want = example.com")]
    [InlineData(null, "oidc: required claim hd not present in ID token")]
    public async Task RequiredClaimsMustBePresentAndEqual(string? hd, string? error)
    {
        var r = await LegacyAsync(c => { if (hd is not null) c["hd"] = hd; }, "sub", "-", "", "", ("hd", "example.com"));
        Assert.Equal(error, r.Error);
    }

    [Fact]
    public async Task JtiBecomesTheCredentialId()
    {
        var r = await LegacyAsync(c => c["jti"] = "abc-123", "sub", "-");
        Assert.Equal(["JTI=abc-123"], r.User!.Extra[UserInfo.CredentialIdKey]);
        var none = await LegacyAsync(_ => { }, "sub", "-");
        Assert.Empty(none.User!.Extra);
    }

    [Fact]
    public async Task UidFromAClaim()
    {
        var r = await AuthenticateAsync("""
            claimMappings:
              username: {claim: sub, prefix: ""}
              uid: {claim: oid}
            """, c => c["oid"] = "u-1");
        Assert.Equal("u-1", r.User!.Uid);
    }

    [Fact]
    public async Task CelMappingsBuildTheWholeUser()
    {
        var r = await AuthenticateAsync("""
            claimMappings:
              username: {expression: "'oidc:' + claims.email"}
              groups: {expression: "claims.roles.map(r, 'role:' + r)"}
              uid: {expression: "claims.sub"}
              extra:
              - key: example.com/tenant
                valueExpression: claims.tenant
              - key: example.com/empty
                valueExpression: "''"
              - key: example.com/tags
                valueExpression: "claims.?tags.orValue([])"
            claimValidationRules:
            - expression: "claims.?email_verified.orValue(true) == true"
            """, c =>
        {
            c["email"] = "jane@example.com";
            c["roles"] = new JsonArray("admin", "dev");
            c["tenant"] = "acme";
            c["jti"] = "j1";
        });
        Assert.True(r.Succeeded, r.Error);
        Assert.Equal("oidc:jane@example.com", r.User!.Name);
        Assert.Equal(["role:admin", "role:dev"], r.User.Groups);
        Assert.Equal("1234", r.User.Uid);
        Assert.Equal(["acme"], r.User.Extra["example.com/tenant"]);
        Assert.False(r.User.Extra.ContainsKey("example.com/empty"));   // "" means absent
        Assert.False(r.User.Extra.ContainsKey("example.com/tags"));    // [] means absent
        Assert.Equal(["JTI=j1"], r.User.Extra[UserInfo.CredentialIdKey]);
    }

    [Theory]
    [InlineData("claims.?email_verified.orValue(true) == true", "{}", null)]
    [InlineData("claims.?email_verified.orValue(true) == true", "{\"email_verified\": true}", null)]
    [InlineData("claims.?email_verified.orValue(true) == true", "{\"email_verified\": false}", "oidc: error evaluating claim validation expression: validation expression 'claims.?email_verified.orValue(true) == true' failed: unverified")]
    [InlineData("claims.exp - claims.iat <= 3600", "{}", null)]
    [InlineData("claims.exp - claims.iat <= 60", "{}", "oidc: error evaluating claim validation expression: validation expression 'claims.exp - claims.iat <= 60' failed: unverified")]
    [InlineData("has(claims.hd) && claims.hd == 'example.com'", "{\"hd\": \"example.com\"}", null)]
    [InlineData("has(claims.hd)", "{}", "oidc: error evaluating claim validation expression: validation expression 'has(claims.hd)' failed: unverified")]
    [InlineData("claims.hd == 'example.com'", "{}", "oidc: error evaluating claim validation expression: Cannot find overload to select field 'hd' in variable 'claims'.")]
    [InlineData("claims.sub", "{}", "oidc: error evaluating claim validation expression: validation expression must return a boolean")]
    public async Task ClaimValidationRules(string expression, string extraClaims, string? error)
    {
        var r = await AuthenticateAsync($$"""
            claimMappings:
              username: {claim: sub, prefix: ""}
            claimValidationRules:
            - expression: "{{expression}}"
              message: unverified
            """, c => { foreach (var (k, v) in JsonNode.Parse(extraClaims)!.AsObject()) c[k] = v?.DeepClone(); });
        Assert.Equal(error, r.Error);
    }

    [Theory]
    [InlineData("1234", null)]
    [InlineData("system:admin", "oidc: error evaluating user info validation rule: validation expression '!user.username.startsWith('system:')' failed: reserved prefix")]
    public async Task UserValidationRulesSeeTheMappedUser(string sub, string? error)
    {
        var r = await AuthenticateAsync("""
            claimMappings:
              username: {claim: sub, prefix: ""}
              groups: {claim: groups, prefix: ""}
            userValidationRules:
            - expression: "!user.username.startsWith('system:')"
              message: reserved prefix
            - expression: "user.groups.all(g, !g.startsWith('system:')) && user.uid == '' && size(user.extra) == 0"
              message: groups
            """, c => { c["sub"] = sub; c["groups"] = new JsonArray("dev"); });
        Assert.Equal(error, r.Error);
    }

    [Theory]
    [InlineData("username: {expression: \"claims.?nick.orValue('')\"}", "oidc: empty username via CEL expression is not allowed")]
    [InlineData("username: {expression: \"claims.exp\"}", "oidc: error evaluating username claim expression: username claim expression must return a string")]
    [InlineData("username: {expression: \"claims.missing\"}", "oidc: error evaluating username claim expression: no such key")]
    [InlineData("username: {claim: sub, prefix: \"\"}\n  groups: {expression: \"[1, 2]\"}", "oidc: error evaluating group claim expression: expression must return a string or a list of strings")]
    [InlineData("username: {claim: sub, prefix: \"\"}\n  uid: {expression: \"claims.iat\"}", "oidc: error evaluating uid claim expression: uid claim expression must return a string")]
    public async Task CelMappingsOfTheWrongTypeFailTheToken(string mappings, string error)
    {
        var r = await AuthenticateAsync("claimMappings:\n  " + mappings, _ => { });
        Assert.Equal(error, r.Error);
    }
}
