using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Pki;
using MiniApiServer.Storage;
using MiniApiServer.Tests.ServiceAccounts.Controllers;

namespace MiniApiServer.Tests.Integration;

/// <summary>
/// The whole server in process (WebApplicationFactory), with in-memory storage and a PKI of its own in a
/// temp folder. Clients authenticate for real: each one presents a client certificate minted by the
/// cluster CA for the identity the test names, exactly as kubectl would over TLS.
/// </summary>
public class ApiServerFactory : WebApplicationFactory<Program>
{
    readonly string root = Path.Combine(Path.GetTempPath(), "miniapiserver-tests", Guid.NewGuid().ToString("N"));
    ClusterPki? pki;

    public string CertDir => Path.Combine(root, "certs");
    public string DataDir => Path.Combine(root, "data");

    /// <summary>Extra server flags, as "name" → "value" (the factory passes them as --name=value).</summary>
    public Dictionary<string, string> Flags { get; } = new() { ["in-memory"] = "true", ["demo-providers"] = "false" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("cert-dir", CertDir);
        builder.UseSetting("data-dir", DataDir);
        foreach (var (k, v) in Flags) builder.UseSetting(k, v);
        builder.ConfigureTestServices(s =>
        {
            if (StoreOptions is { } options)
            {
                s.RemoveAll<IObjectStore>();
                s.AddSingleton<IObjectStore>(_ => LiteDbObjectStore.InMemory(options));
            }
            // Until the server registers its signing issuer, the tokens controller gets one that needs no keys.
            s.TryAddSingleton<IServiceAccountTokenIssuer>(new RecognisableTokenIssuer());
            ConfigureServices(s);
        });
    }

    /// <summary>Service overrides of a derived factory (runs after the server's own registrations).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    /// <summary>Store tuning for the in-memory store (e.g. a tiny watch history), or null for the server's own.</summary>
    protected virtual StoreOptions? StoreOptions => null;

    public ClusterPki Pki => pki ??= ClusterPki.LoadOrCreate(CertDir, TimeProvider.System);

    /// <summary>A service account as its token would authenticate it (user and groups).</summary>
    public HttpClient ServiceAccount(string ns, string name) =>
        ClientFor($"system:serviceaccount:{ns}:{name}", "system:serviceaccounts", $"system:serviceaccounts:{ns}");

    /// <summary>A client presenting a certificate for the user and groups.</summary>
    public HttpClient ClientFor(string user, params string[] groups)
    {
        var now = DateTimeOffset.UtcNow;
        var issued = Pki.IssueClientCertificate(user, groups, now.AddMinutes(-5), now.AddHours(1));
        return ClientWithCertificate(X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem));
    }

    public HttpClient ClientWithCertificate(X509Certificate2? certificate)
    {
        _ = Server; // start the host
        var handler = Server.CreateHandler(ctx => ctx.Connection.ClientCertificate = certificate);
        var client = new HttpClient(handler) { BaseAddress = new Uri("https://localhost") };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>system:masters, as the admin kubeconfig.</summary>
    public HttpClient Admin() => ClientFor("kubernetes-admin", "system:masters");

    public HttpClient Anonymous() => ClientWithCertificate(null);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        pki?.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
