using System.Net;

namespace MiniApiServer.Tests.Integration;

/// <summary>The request road's front: who is let in (x509 and anonymous) and the interim authorization.</summary>
public sealed class AuthenticationAndAuthorizationTests : IClassFixture<ApiServerFactory>
{
    readonly ApiServerFactory server;
    public AuthenticationAndAuthorizationTests(ApiServerFactory server) => this.server = server;

    [Theory]
    [InlineData("/version")]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    public async Task PublicEndpointsAreReadableWithoutCredentials(string path)
    {
        var response = await server.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task VersionReportsA132Server()
    {
        var v = await server.Anonymous().GetAsync("/version").Expect(HttpStatusCode.OK);
        Assert.Equal("1", (string?)v["major"]);
        Assert.Equal("32", (string?)v["minor"]);
        Assert.StartsWith("v1.32.", (string?)v["gitVersion"]);
    }

    [Fact]
    public async Task AnonymousCannotReadDiscovery() =>
        await server.Anonymous().GetAsync("/api").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "forbidden: User \"system:anonymous\" cannot get path \"/api\"");

    [Fact]
    public async Task AnonymousCannotListPods() =>
        await server.Anonymous().GetAsync("/api/v1/namespaces/default/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");

    [Fact]
    public async Task AuthenticatedUsersReadDiscoveryButNotResources()
    {
        var jane = server.ClientFor("jane", "dev");
        await jane.GetAsync("/api/v1").Expect(HttpStatusCode.OK);
        await jane.GetAsync("/apis").Expect(HttpStatusCode.OK);
        var status = await jane.GetAsync("/api/v1/namespaces/kube-system/pods/web").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "pods \"web\" is forbidden: User \"jane\" cannot get resource \"pods\" in API group \"\" in the namespace \"kube-system\"");
        Assert.Equal("pods", (string?)status["details"]?["kind"]);
        Assert.Equal("web", (string?)status["details"]?["name"]);
        await jane.GetAsync("/api/v1/namespaces").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "namespaces is forbidden: User \"jane\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
    }

    [Fact]
    public async Task SystemMastersMayDoAnything() =>
        await server.Admin().GetAsync("/api/v1/namespaces").Expect(HttpStatusCode.OK);

    [Fact]
    public async Task CertificateFromAForeignCaIsUnauthorizedEvenWithAnonymousOn()
    {
        using var foreign = MiniApiServer.Pki.ClusterPki.LoadOrCreate(Path.Combine(Path.GetTempPath(), "foreign-" + Guid.NewGuid().ToString("N")), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var issued = foreign.IssueClientCertificate("mallory", ["system:masters"], now.AddMinutes(-1), now.AddHours(1));
        var client = server.ClientWithCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem));
        var response = await client.GetAsync("/version");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}",
            await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
    }

    [Fact]
    public async Task ExpiredCertificateIsUnauthorized()
    {
        var now = DateTimeOffset.UtcNow;
        var issued = server.Pki.IssueClientCertificate("old", ["system:masters"], now.AddDays(-2), now.AddDays(-1));
        var client = server.ClientWithCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/namespaces")).StatusCode);
    }

    [Fact]
    public async Task NoCookiesAreEverSet()
    {
        var response = await server.Admin().GetAsync("/api/v1/namespaces");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
