using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Pki;
using static MiniApiServer.Tests.Authentication.X509.TestPki;

namespace MiniApiServer.Tests.Authentication.RequestHeader;

public sealed class RequestHeaderAuthenticatorTests
{
    private static readonly CertificateAuthority ProxyCa = NewRootCa("front-proxy-ca");
    private static readonly CertificateAuthority ClusterCa = NewRootCa("kubernetes");

    private readonly FakeTimeProvider _time = new(Now);

    /// <summary>kubeadm's configuration: X-Remote-* headers, only front-proxy-client may assert identities.</summary>
    private static RequestHeaderOptions Kubeadm(params string[] allowedNames) => new(
        "unused", allowedNames, ["X-Remote-User"], ["X-Remote-Uid"], ["X-Remote-Group"], ["X-Remote-Extra-"]);

    private RequestHeaderAuthenticator Authenticator(RequestHeaderOptions options) =>
        new(options, new ClientCaBundle(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(ProxyCa.Certificate.RawData))), _time);

    private static X509Certificate2 ProxyCert(string cn = "front-proxy-client") => Leaf(ProxyCa, [Cn(cn)], [ClientAuth]);

    private static DefaultHttpContext Request(X509Certificate2? clientCertificate, params (string Name, string[] Values)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = clientCertificate;
        foreach (var (name, values) in headers)
        {
            context.Request.Headers[name] = new StringValues(values);
        }
        return context;
    }

    private static async Task<AuthenticationResult> Authenticate(RequestHeaderAuthenticator authenticator, HttpContext context) =>
        await authenticator.AuthenticateAsync(context, CancellationToken.None);

    [Fact]
    public async Task TrustedProxyAssertsUserUidGroupsAndExtraThenTheHeadersAreGone()
    {
        using var proxy = ProxyCert();
        var context = Request(proxy,
            ("X-Remote-User", ["jane"]),
            ("X-Remote-Uid", ["uid-7"]),
            ("X-Remote-Group", ["dev", "ops"]),
            ("X-Remote-Extra-Scopes", ["read", "write"]),
            ("Accept", ["application/json"]));

        var result = await Authenticate(Authenticator(Kubeadm("front-proxy-client")), context);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("requestheader", result.Authenticator);
        var user = result.User!;
        Assert.Equal(("jane", "uid-7"), (user.Name, user.Uid));
        Assert.Equal(["dev", "ops"], user.Groups);
        Assert.Equal(["read", "write"], Assert.Single(user.Extra, e => e.Key == "scopes").Value);
        Assert.Single(user.Extra);
        Assert.Equal(["Accept"], context.Request.Headers.Keys);
    }

    [Fact]
    public async Task WithoutClientCertificateTheHeadersAreIgnoredAndKept()
    {
        var context = Request(null, ("X-Remote-User", ["system:admin"]), ("X-Remote-Group", ["system:masters"]));

        var result = await Authenticate(Authenticator(Kubeadm()), context);

        Assert.Equal((false, null), (result.Succeeded, result.Error));
        Assert.Equal(2, context.Request.Headers.Count);
    }

    public static TheoryData<string, Func<X509Certificate2>, string> UntrustedProxies => new()
    {
        { "client certificate from the client CA, not the request-header CA", () => Leaf(ClusterCa, [Cn("front-proxy-client")], [ClientAuth]), "x509: certificate signed by unknown authority" },
        { "proxy CA but a CN not allowed", () => ProxyCert("mallory"), "x509: subject with cn=mallory is not in the allowed list" },
        { "proxy CA but no CN at all", () => Leaf(ProxyCa, [O("system:masters")], [ClientAuth]), "x509: subject with cn= is not in the allowed list" },
        { "serverAuth-only usage", () => Leaf(ProxyCa, [Cn("front-proxy-client")], [ServerAuth]), "x509: certificate specifies an incompatible key usage" },
        { "expired", () => Leaf(ProxyCa, [Cn("front-proxy-client")], [ClientAuth], Now.AddDays(-3), Now.AddDays(-2)), "x509: certificate has expired or is not yet valid: current time 2025-03-01T12:00:00Z is after 2025-02-27T12:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(UntrustedProxies))]
    public async Task UntrustedCertificateIsAnErrorAndItsHeadersAreNotRead(string why, Func<X509Certificate2> certificate, string error)
    {
        using var cert = certificate();
        var context = Request(cert, ("X-Remote-User", ["system:admin"]));

        var result = await Authenticate(Authenticator(Kubeadm("front-proxy-client")), context);

        Assert.False(result.Succeeded, why);
        Assert.Equal(error, result.Error);
        Assert.Equal("system:admin", context.Request.Headers["X-Remote-User"].ToString());
    }

    [Fact]
    public async Task WithoutAllowedNamesAnyCertificateOfTheRequestHeaderCaMayAssert()
    {
        using var cert = ProxyCert("some-other-proxy");

        var result = await Authenticate(Authenticator(Kubeadm()), Request(cert, ("X-Remote-User", ["jane"])));

        Assert.Equal("jane", result.User?.Name);
    }

    [Theory]
    [InlineData("no username header", new string[0])]
    [InlineData("an empty username header", new[] { "" })]
    public async Task TrustedProxyWithoutUsernameHasNoOpinion(string why, string[] username)
    {
        using var proxy = ProxyCert();
        var context = Request(proxy, ("X-Remote-User", username), ("X-Remote-Group", ["dev"]));

        var result = await Authenticate(Authenticator(Kubeadm()), context);

        Assert.True((result.User, result.Error) == (null, null), why);
        Assert.True(context.Request.Headers.ContainsKey("X-Remote-Group"), "nothing is stripped without a success");
    }

    [Fact]
    public async Task UsernameIsTheFirstHeaderInConfiguredOrderWhoseFirstLineIsNotEmpty()
    {
        using var proxy = ProxyCert();
        var options = Kubeadm() with { UsernameHeaders = ["X-Primary-User", "X-Remote-User", "X-Third-User"] };
        var context = Request(proxy, ("X-Primary-User", ["", "ignored-second-line"]), ("X-Third-User", ["third"]), ("X-Remote-User", ["second", "more"]));

        var result = await Authenticate(Authenticator(options), context);

        Assert.Equal("second", result.User?.Name);
        Assert.False(context.Request.Headers.ContainsKey("X-Primary-User") || context.Request.Headers.ContainsKey("X-Third-User"));
    }

    [Fact]
    public async Task GroupsAreEveryNonEmptyLineOfEveryGroupHeaderAndCommasDoNotSplit()
    {
        using var proxy = ProxyCert();
        var options = Kubeadm() with { GroupHeaders = ["X-Remote-Group", "X-Team"] };
        var context = Request(proxy, ("X-Remote-User", ["jane"]), ("X-Team", ["t1"]), ("X-Remote-Group", ["a,b", "", "c"]));

        var result = await Authenticate(Authenticator(options), context);

        Assert.Equal(["a,b", "c", "t1"], result.User!.Groups);
    }

    [Fact]
    public async Task UidIsTheFirstNonEmptyUidHeaderAndEmptyWithoutOne()
    {
        using var proxy = ProxyCert();
        var authenticator = Authenticator(Kubeadm() with { UidHeaders = ["X-Remote-Uid", "X-Other-Uid"] });

        var withUid = await Authenticate(authenticator, Request(proxy, ("X-Remote-User", ["jane"]), ("X-Remote-Uid", [""]), ("X-Other-Uid", ["u-2"])));
        var withoutUid = await Authenticate(authenticator, Request(proxy, ("X-Remote-User", ["jane"])));

        Assert.Equal(("u-2", ""), (withUid.User!.Uid, withoutUid.User!.Uid));
    }

    public static TheoryData<string, string> ExtraKeys => new()
    {
        { "X-Remote-Extra-Scopes", "scopes" },
        { "x-remote-extra-Acme.com%2Fproject", "acme.com/project" },
        { "X-Remote-Extra-Acme.com%2fproject", "acme.com/project" },
        { "X-Remote-Extra-Check%E2%9C%93", "check✓" },
        { "X-Remote-Extra-A+B", "a+b" },
        { "X-Remote-Extra-Bad%zzEscape", "bad%zzescape" },
        { "X-Remote-Extra-Trailing%2", "trailing%2" },
    };

    [Theory]
    [MemberData(nameof(ExtraKeys))]
    public async Task ExtraKeyIsTheLowerCasedPathUnescapedRestOfTheHeaderName(string header, string key)
    {
        using var proxy = ProxyCert();

        var result = await Authenticate(Authenticator(Kubeadm()), Request(proxy, ("X-Remote-User", ["jane"]), (header, ["v"])));

        Assert.Equal(key, Assert.Single(result.User!.Extra).Key);
    }

    [Fact]
    public async Task ExtraValuesAreEveryLineIncludingEmptyOnesAcrossPrefixes()
    {
        using var proxy = ProxyCert();
        var options = Kubeadm() with { ExtraHeaderPrefixes = ["X-Remote-Extra-", "X-Custom-"] };
        var context = Request(proxy, ("X-Remote-User", ["jane"]), ("X-Remote-Extra-Scopes", ["a", ""]), ("X-Custom-Scopes", ["b"]), ("X-Custom-Other", ["c"]));

        var result = await Authenticate(Authenticator(options), context);

        Assert.Equal(["a", "", "b"], result.User!.Extra["scopes"]);
        Assert.Equal(["c"], result.User.Extra["other"]);
        Assert.DoesNotContain(context.Request.Headers.Keys, k => k.StartsWith("X-Custom-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProxyVerificationIsCachedUntilTheProxyCaChanges()
    {
        using var proxy = ProxyCert();
        var authenticator = Authenticator(Kubeadm("front-proxy-client"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("jane", (await Authenticate(authenticator, Request(proxy, ("X-Remote-User", ["jane"])))).User?.Name);
        }

        Assert.Equal(1, authenticator.ChainVerifications);
    }

    [Fact]
    public async Task CachedVerdictDoesNotOutliveTheProxyCertificate()
    {
        using var proxy = Leaf(ProxyCa, [Cn("front-proxy-client")], [ClientAuth], Now.AddDays(-1), Now.AddMinutes(1));
        var authenticator = Authenticator(Kubeadm("front-proxy-client"));
        Assert.True((await Authenticate(authenticator, Request(proxy, ("X-Remote-User", ["jane"])))).Succeeded);

        _time.Advance(TimeSpan.FromMinutes(2));
        var later = await Authenticate(authenticator, Request(proxy, ("X-Remote-User", ["jane"])));

        Assert.StartsWith("x509: certificate has expired", later.Error);
    }

    [Fact]
    public void ClearAuthenticationHeadersRemovesConfiguredNamesAndPrefixesIgnoringCase()
    {
        var authenticator = Authenticator(Kubeadm() with { UsernameHeaders = ["X-Proxy-User"], ExtraHeaderPrefixes = ["X-Proxy-Extra-"] });
        var headers = Request(null, ("x-proxy-user", ["a"]), ("X-Remote-Uid", ["u"]), ("x-PROXY-extra-k", ["v"]), ("X-Proxy-Other", ["kept"])).Request.Headers;

        authenticator.ClearAuthenticationHeaders(headers);

        Assert.Equal(["X-Proxy-Other"], headers.Keys);
        Assert.Equal(["X-Proxy-User", "X-Remote-Uid", "X-Remote-Group"], authenticator.HeaderNames);
        Assert.Equal(["X-Proxy-Extra-"], authenticator.HeaderPrefixes);
    }

    /// <summary>kube's order: request header first, then x509. A user's own certificate fails the proxy check (an error
    /// that is only recorded) and authenticates as itself; the proxy's certificate without identity headers falls
    /// through to x509 only if the client CA trusts it.</summary>
    [Fact]
    public async Task InTheUnionAnOrdinaryClientCertificateStillAuthenticatesThroughX509()
    {
        var clientRoots = new ClientCaBundle(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(ClusterCa.Certificate.RawData)));
        var union = new AuthenticatorUnion([Authenticator(Kubeadm("front-proxy-client")), new X509ClientCertificateAuthenticator(clientRoots, _time)]);
        using var alice = Leaf(ClusterCa, [Cn("alice"), O("dev")], [ClientAuth]);
        using var proxy = ProxyCert();

        var asAlice = await union.AuthenticateAsync(Request(alice, ("X-Remote-User", ["system:admin"])), CancellationToken.None);
        var proxyWithoutUser = await union.AuthenticateAsync(Request(proxy), CancellationToken.None);

        Assert.Equal(("alice", "x509"), (asAlice.User?.Name, asAlice.Authenticator));
        Assert.False(proxyWithoutUser.Succeeded);
        Assert.Contains("[x509] verifying certificate", proxyWithoutUser.Error);
    }
}
