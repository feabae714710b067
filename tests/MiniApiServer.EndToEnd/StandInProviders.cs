using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MiniApiServer.EndToEnd;

/// <summary>A certificate authority of the test's own, unrelated to the server's PKI, issuing ECDSA P-256 leaves.</summary>
public sealed class TestCa : IDisposable
{
    readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem();

    public TestCa(string name)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(7));
    }

    /// <summary>A serving certificate for 127.0.0.1 (extended key usage serverAuth).</summary>
    public X509Certificate2 IssueServer() => Issue("CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", san: true);

    /// <summary>A client certificate (clientAuth): CN = user, one O per group (kube's x509 mapping).</summary>
    public X509Certificate2 IssueClient(string user, params string[] groups) =>
        // A distinguished name string lists the last-encoded RDN first; Go reads the O values in encoded order.
        Issue($"CN={user}" + string.Concat(groups.Reverse().Select(g => $", O={g}")), "1.3.6.1.5.5.7.3.2", san: false);

    X509Certificate2 Issue(string subject, string usage, bool san)
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (san)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        using var cert = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = cert.CopyWithPrivateKey(leafKey);
        // Through PKCS#12 so that SslStream on every platform finds the private key.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}

/// <summary>X509 helpers for PEM files kubectl and the server read.</summary>
public static class Pem
{
    public static string Certificate(X509Certificate2 c) => c.ExportCertificatePem();

    public static string PrivateKey(X509Certificate2 c) => c.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
}

/// <summary>
/// An OIDC issuer and a token webhook the test hosts itself over HTTPS (Kestrel, port 0), with its own CA and
/// its own RSA signing key: what a cluster's real identity providers are to kube-apiserver, and nothing the
/// server under test generated. The issuer serves discovery and the JWKS and mints ID tokens; the webhook answers
/// TokenReviews for the tokens it was told about.
/// </summary>
public sealed class StandInProviders : IAsyncDisposable
{
    public const string ClientId = "e2e-client";
    const string KeyId = "e2e-key-1";

    readonly WebApplication app;
    readonly RSA signingKey = RSA.Create(2048);
    readonly Dictionary<string, JsonObject> webhookUsers = new(StringComparer.Ordinal);

    public TestCa Ca { get; } = new("e2e-providers-ca");

    public string Url { get; private set; } = "";

    /// <summary>Every TokenReview the webhook received (its apiVersion), so a test can tell the server asked it.</summary>
    public List<string> ReviewsReceived { get; } = [];

    StandInProviders()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var serving = Ca.IssueServer();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(serving)));
        app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Url,
            ["jwks_uri"] = Url + "/keys",
            ["authorization_endpoint"] = Url + "/auth",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/keys", () =>
        {
            var p = signingKey.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64Url(p.Modulus!), e = Base64Url(p.Exponent!) } } });
        });
        app.MapPost("/authenticate", async (HttpRequest request) =>
        {
            var review = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            var apiVersion = review["apiVersion"]!.GetValue<string>();
            lock (ReviewsReceived) ReviewsReceived.Add(apiVersion);
            var token = review["spec"]!["token"]!.GetValue<string>();
            JsonObject status = webhookUsers.TryGetValue(token, out var user)
                ? new JsonObject { ["authenticated"] = true, ["user"] = user.DeepClone() }
                : new JsonObject { ["authenticated"] = false };
            return Results.Json(new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "TokenReview", ["status"] = status });
        });
    }

    public static async Task<StandInProviders> StartAsync()
    {
        var providers = new StandInProviders();
        await providers.app.StartAsync();
        var address = providers.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        providers.Url = $"https://127.0.0.1:{new Uri(address).Port}";
        return providers;
    }

    /// <summary>The webhook will answer <paramref name="token"/> with this user (a TokenReview's status.user).</summary>
    public void AddWebhookUser(string token, string username, string uid, string[] groups, Dictionary<string, string[]> extra)
    {
        var extraJson = new JsonObject();
        foreach (var (k, v) in extra) extraJson[k] = new JsonArray([.. v.Select(x => JsonValue.Create(x))]);
        webhookUsers[token] = new JsonObject
        {
            ["username"] = username, ["uid"] = uid,
            ["groups"] = new JsonArray([.. groups.Select(g => JsonValue.Create(g))]), ["extra"] = extraJson,
        };
    }

    /// <summary>An RS256 ID token from this issuer for <see cref="ClientId"/>, valid for an hour.</summary>
    public string MintIdToken(string subject, string[] groups)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = KeyId });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Url, ["aud"] = ClientId, ["sub"] = subject, ["iat"] = now, ["exp"] = now + 3600,
            ["jti"] = Guid.NewGuid().ToString("N"), ["groups"] = groups,
        });
        var signingInput = $"{Base64Url(header)}.{Base64Url(claims)}";
        var signature = signingKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>A kubeconfig-format webhook configuration (kube's --authentication-token-webhook-config-file) for /authenticate.</summary>
    public string WebhookConfig() => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: e2e-webhook
          cluster:
            server: {{Url}}/authenticate
            certificate-authority-data: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(Ca.Pem))}}
        users:
        - name: api-server
          user: {}
        contexts:
        - name: webhook
          context: {cluster: e2e-webhook, user: api-server}
        current-context: webhook
        """;

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        signingKey.Dispose();
        Ca.Dispose();
    }
}
