using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication.Bootstrap;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.Authentication.Bootstrap;

public sealed class BootstrapTokenAuthenticatorTests : IDisposable
{
    readonly LiteDbObjectStore store = LiteDbObjectStore.InMemory();
    readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    const string Token = "abcdef.0123456789abcdef";

    BootstrapTokenAuthenticator Authenticator => new(store, time, NullLogger.Instance);

    void Secret(string name = "bootstrap-token-abcdef", string type = "bootstrap.kubernetes.io/token", params (string Key, string Value)[] data)
    {
        var d = new JsonObject();
        foreach (var (k, v) in data) d[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v));
        store.Create(new ObjectKey("secrets", "kube-system", name), new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
            ["type"] = type,
            ["data"] = d,
        });
    }

    static readonly (string, string)[] Valid =
    [
        ("token-id", "abcdef"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true"),
    ];

    [Fact]
    public async Task AValidTokenIsTheBootstrapUser()
    {
        Secret(data: [.. Valid, ("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token, system:bootstrappers:a")]);
        var r = await Authenticator.AuthenticateTokenAsync(Token, default);
        Assert.True(r.Succeeded);
        Assert.Equal("system:bootstrap:abcdef", r.User!.Name);
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:kubeadm:default-node-token"], r.User.Groups);
    }

    public static TheoryData<string, (string, string)[], string> NotMine => new()
    {
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdef"), ("token-secret", "0123456789abcdeX"), ("usage-bootstrap-authentication", "true")], "wrong secret" },
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdeX"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true")], "wrong id" },
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdef"), ("token-secret", "0123456789abcdef")], "not for authentication" },
        { "Opaque", [("token-id", "abcdef"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true")], "wrong type" },
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdef"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true"), ("expiration", "2025-12-31T23:59:59Z")], "expired" },
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdef"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true"), ("expiration", "tomorrow")], "unparseable expiry" },
        { "bootstrap.kubernetes.io/token", [("token-id", "abcdef"), ("token-secret", "0123456789abcdef"), ("usage-bootstrap-authentication", "true"), ("auth-extra-groups", "admins")], "bad extra group" },
    };

    [Theory, MemberData(nameof(NotMine))]
    public async Task AMismatchIsNotMine(string type, (string, string)[] data, string why)
    {
        Secret(type: type, data: data);
        var r = await Authenticator.AuthenticateTokenAsync(Token, default);
        Assert.False(r.Succeeded, why);
        Assert.Null(r.Error);
    }

    [Theory]
    [InlineData("abcdef.0123456789abcde")]
    [InlineData("ABCDEF.0123456789abcdef")]
    [InlineData("some-other-token")]
    public async Task OtherTokenShapesAreNotMine(string token)
    {
        Secret(data: Valid);
        Assert.False((await Authenticator.AuthenticateTokenAsync(token, default)).Succeeded);
    }

    [Fact]
    public async Task ANotYetExpiredTokenWorksUntilItsExpiry()
    {
        Secret(data: [.. Valid, ("expiration", "2026-01-01T01:00:00Z")]);
        Assert.True((await Authenticator.AuthenticateTokenAsync(Token, default)).Succeeded);
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.False((await Authenticator.AuthenticateTokenAsync(Token, default)).Succeeded);
    }

    [Fact]
    public async Task NoSecretIsNotMine() => Assert.False((await Authenticator.AuthenticateTokenAsync(Token, default)).Succeeded);

    public void Dispose() => store.Dispose();
}
