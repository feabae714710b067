using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniApiServer.Authentication.Webhook;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Authentication.Webhook;

/// <summary>
/// A token webhook on a real Kestrel (127.0.0.1:0) with its own CA, which requires a client certificate issued
/// by that CA for CN=kube-apiserver and answers a v1 TokenReview for the token "good".
/// </summary>
public sealed class TlsWebhookFixture : IAsyncLifetime
{
    WebApplication? app;
    public TempDirectory Dir { get; } = new();
    public CertificateAuthority Ca { get; private set; } = null!;
    public IssuedCertificate Client { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;
    public List<string> ClientNames { get; } = [];

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        Ca = CertificateAuthority.CreateSelfSigned("webhook-ca", TimeProvider.System).Ca;
        var serving = Ca.IssueServingCertificate("webhook", ["localhost"], [IPAddress.Loopback], now.AddHours(-1), now.AddDays(1)).ToCertificateWithKey();
        Client = Ca.IssueClientCertificate("kube-apiserver", [], now.AddHours(-1), now.AddDays(1));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serving;
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => CertificateFiles.IsSignedBy(certificate, Ca.Certificate);
        })));
        app = builder.Build();
        app.MapPost("/authenticate", async (HttpContext context) =>
        {
            lock (ClientNames) ClientNames.Add(context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "");
            var review = (await JsonNode.ParseAsync(context.Request.Body))!;
            var good = review["spec"]!["token"]!.GetValue<string>() == "good";
            var status = good
                ? """{"authenticated":true,"user":{"username":"alice","groups":["devs"]}}"""
                : """{"authenticated":false}""";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{{status}}}""");
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Url = new Uri($"https://localhost:{address.Port}/authenticate");
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        Ca.Dispose();
        Dir.Dispose();
    }
}

public sealed class WebhookOverTlsTests(TlsWebhookFixture webhook) : IClassFixture<TlsWebhookFixture>
{
    /// <summary>A kubeconfig in its own folder with the CA and client pair as files named relative to it.</summary>
    string WriteKubeconfig(string caPem, bool withClientCertificate = true)
    {
        var folder = Path.Combine(webhook.Dir.Path, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "pki"));
        File.WriteAllText(Path.Combine(folder, "pki", "ca.crt"), caPem);
        File.WriteAllText(Path.Combine(folder, "pki", "client.crt"), webhook.Client.CertificatePem);
        File.WriteAllText(Path.Combine(folder, "pki", "client.key"), webhook.Client.PrivateKeyPem);
        var user = withClientCertificate ? "{client-certificate: pki/client.crt, client-key: pki/client.key}" : "{}";
        var path = Path.Combine(folder, "webhook.kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: authn
              cluster:
                server: {webhook.Url}
                certificate-authority: pki/ca.crt
            users:
            - name: apiserver
              user: {user}
            contexts:
            - name: webhook
              context: {"{"}cluster: authn, user: apiserver{"}"}
            current-context: webhook
            """);
        return path;
    }

    static WebhookTokenAuthenticator Authenticator(string kubeconfig)
    {
        var flags = new FlagSet(WebhookTokenOptions.Flags).Parse([$"--authentication-token-webhook-config-file={kubeconfig}", "--authentication-token-webhook-version=v1"]);
        return WebhookTokenAuthenticatorFactory.Create(WebhookTokenOptions.FromFlags(flags)!, [], TimeProvider.System, NullLoggerFactory.Instance,
            backoff: new WebhookRetryBackoff(TimeSpan.Zero, 1.5, 0, 1));
    }

    [Fact]
    public async Task TheWebhookIsCalledOverTlsWithItsCaAndTheClientCertificate()
    {
        var authenticator = Authenticator(WriteKubeconfig(webhook.Ca.CertificatePem));

        var good = await authenticator.AuthenticateTokenAsync("good", default);
        var bad = await authenticator.AuthenticateTokenAsync("bad", default);

        Assert.Equal("alice", good.User?.Name);
        Assert.Equal(["devs"], good.User?.Groups);
        Assert.False(bad.Succeeded);
        Assert.Null(bad.Error);
        Assert.Contains("kube-apiserver", webhook.ClientNames);
    }

    [Fact]
    public async Task AWebhookWhoseCertificateTheCaDidNotSignIsAnError()
    {
        using var other = CertificateAuthority.CreateSelfSigned("someone-else", TimeProvider.System).Ca;
        var result = await Authenticator(WriteKubeconfig(other.CertificatePem)).AuthenticateTokenAsync("good", default);
        Assert.False(result.Succeeded);
        Assert.StartsWith($"Post \"{webhook.Url}\"", result.Error);
    }

    [Fact]
    public async Task WithoutTheClientCertificateTheWebhookRefusesTheConnection()
    {
        var result = await Authenticator(WriteKubeconfig(webhook.Ca.CertificatePem, withClientCertificate: false)).AuthenticateTokenAsync("good", default);
        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
    }
}
