using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authorization;
using MiniApiServer.Authorization.Rbac;
using MiniApiServer.Authorization.Reviews;
using MiniApiServer.Pki;
using MiniApiServer.Registry;

namespace MiniApiServer.Tests.Rbac;

/// <summary>
/// The whole server in process, as <see cref="Integration.ApiServerFactory"/> builds it, in the authorization
/// mode(s) a test names. Clients authenticate with client certificates minted for the identity a test names.
/// </summary>
public class RbacServerFactory : WebApplicationFactory<Program>
{
    readonly string root = Path.Combine(Path.GetTempPath(), "miniapiserver-tests", Guid.NewGuid().ToString("N"));
    ClusterPki? pki;

    public string CertDir => Path.Combine(root, "certs");
    public IReadOnlyList<string> Modes { get; init; } = ["RBAC"];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("cert-dir", CertDir);
        builder.UseSetting("data-dir", Path.Combine(root, "data"));
        builder.UseSetting("in-memory", "true");
        builder.UseSetting("authorization-mode", string.Join(",", Modes));
        builder.UseSetting("demo-providers", "false");
    }

    public ClusterPki Pki => pki ??= ClusterPki.LoadOrCreate(CertDir, TimeProvider.System);

    public HttpClient ClientFor(string user, params string[] groups)
    {
        var now = DateTimeOffset.UtcNow;
        var issued = Pki.IssueClientCertificate(user, groups, now.AddMinutes(-5), now.AddHours(1));
        return ClientWithCertificate(X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem));
    }

    /// <summary>A service account as its token would authenticate it (user and groups).</summary>
    public HttpClient ServiceAccount(string ns, string name) =>
        ClientFor($"system:serviceaccount:{ns}:{name}", "system:serviceaccounts", $"system:serviceaccounts:{ns}");

    public HttpClient ClientWithCertificate(X509Certificate2? certificate)
    {
        _ = Server;
        var handler = Server.CreateHandler(ctx => ctx.Connection.ClientCertificate = certificate);
        var client = new HttpClient(handler) { BaseAddress = new Uri("https://localhost") };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public HttpClient Admin() => ClientFor("kubernetes-admin", "system:masters");
    public HttpClient Anonymous() => ClientWithCertificate(null);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        pki?.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
