using System.Net;
using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Certificates;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Certificates;

/// <summary>
/// A server of its own (its own client CA and deny list), because rotating the client CA would otherwise fail
/// every other test's certificates. Each refused certificate gets 401, even though anonymous requests are on.
/// </summary>
public sealed class RefusedCertificateServer : ApiServerFactory
{
    public RefusedCertificateServer() => Flags["client-cert-deny-list"] = DenyListPath;

    public string DenyListPath => System.IO.Path.Combine(CertDir, "..", "denied.txt");

    /// <summary>A client whose certificate is issued as `certs issue` issues it (by the client CA).</summary>
    public HttpClient UserWith(string user, DateTimeOffset notBefore, DateTimeOffset notAfter, out X509Certificate2 certificate)
    {
        _ = Pki; // the PKI exists
        using var clientCa = ClusterPki.LoadClientCa(CertDir); // as the files are now: a test may have rotated it
        var issued = clientCa.IssueClientCertificate(user, ["engineering"], notBefore, notAfter);
        certificate = issued.ToCertificateWithKey();
        return ClientWithCertificate(certificate);
    }
}

public sealed class RefusedCertificateTests(RefusedCertificateServer server) : IClassFixture<RefusedCertificateServer>
{
    const string WhoAmI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    const string Review = """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""";

    public static TheoryData<string, int, int> Lifetimes => new()
    {
        { "expired yesterday", -8, -1 },
        { "valid from tomorrow", 1, 8 },
    };

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public async Task ACertificateOutsideItsValidityGets401(string why, int fromDays, int toDays)
    {
        var now = DateTimeOffset.UtcNow;
        var client = server.UserWith("timely", now.AddDays(fromDays), now.AddDays(toDays), out _);
        var response = await client.PostAsync(WhoAmI, Integration.Api.Json(Review));
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task ACertificateOnTheDenyListGets401WhileItsTwinStillWorks()
    {
        var now = DateTimeOffset.UtcNow;
        var denied = server.UserWith("leaked", now.AddMinutes(-5), now.AddDays(1), out var leaked);
        var twin = server.UserWith("leaked", now.AddMinutes(-5), now.AddDays(1), out _);
        await denied.Post(WhoAmI, Review).Expect(HttpStatusCode.Created);
        File.AppendAllText(server.DenyListPath, CertificateDenyList.EntryFor(leaked) + "  # leaked on a laptop\n");

        await Eventually(async () => (await denied.PostAsync(WhoAmI, Integration.Api.Json(Review))).StatusCode == HttpStatusCode.Unauthorized);
        await twin.Post(WhoAmI, Review).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AfterAClientCaRotationOldCertificatesGet401AndNewOnesWork()
    {
        var now = DateTimeOffset.UtcNow;
        var old = server.UserWith("before", now.AddMinutes(-5), now.AddDays(1), out _);
        await old.Post(WhoAmI, Review).Expect(HttpStatusCode.Created);
        var servingBefore = File.ReadAllText(System.IO.Path.Combine(server.CertDir, PkiFileNames.ServingCert));

        ClientCaRotation.Rotate(server.CertDir, TimeProvider.System);

        await Eventually(async () => (await old.PostAsync(WhoAmI, Integration.Api.Json(Review))).StatusCode == HttpStatusCode.Unauthorized);
        var review = await server.UserWith("after", now.AddMinutes(-5), now.AddDays(1), out _).Post(WhoAmI, Review).Expect(HttpStatusCode.Created);
        Assert.Equal("after", (string?)review["status"]!["userInfo"]!["username"]);
        Assert.Equal(servingBefore, File.ReadAllText(System.IO.Path.Combine(server.CertDir, PkiFileNames.ServingCert)));
    }

    /// <summary>The server re-reads its files at most once a second: poll (never a fixed sleep) for up to ten.</summary>
    static async Task Eventually(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
            await Task.Delay(100, timeout.Token);
    }
}
