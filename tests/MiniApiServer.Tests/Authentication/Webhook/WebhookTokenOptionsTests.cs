using System.Text;
using MiniApiServer.Authentication.Webhook;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;

namespace MiniApiServer.Tests.Authentication.Webhook;

/// <summary>The --authentication-token-webhook-* flags and the kubeconfig they name, read at start as kube-apiserver reads them.</summary>
public sealed class WebhookTokenOptionsTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    static WebhookTokenOptions? Parse(params string[] args) => WebhookTokenOptions.FromFlags(new FlagSet(WebhookTokenOptions.Flags).Parse(args));

    string Kubeconfig(string text)
    {
        var path = dir.File($"{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void WithoutAConfigFileTheWebhookIsOff() => Assert.Null(Parse());

    [Fact]
    public void KubesDefaultsAreV1beta1AndTwoMinutes()
    {
        var options = Parse($"--authentication-token-webhook-config-file={Kubeconfig("clusters: [{name: a, cluster: {server: 'https://h/x'}}]")}")!;
        Assert.Equal("v1beta1", options.Version);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CacheTtl);
        Assert.Equal(new Uri("https://h/x"), options.Kubeconfig.Server);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1beta1")]
    public void BothTokenReviewVersionsAreAccepted(string version)
    {
        var file = Kubeconfig("clusters: [{name: a, cluster: {server: 'https://h/x'}}]");
        Assert.Equal(version, Parse($"--authentication-token-webhook-config-file={file}", $"--authentication-token-webhook-version={version}")!.Version);
    }

    [Fact]
    public void AnotherVersionStopsTheStart()
    {
        var file = Kubeconfig("clusters: [{name: a, cluster: {server: 'https://h/x'}}]");
        var e = Assert.Throws<ConfigurationException>(() => Parse($"--authentication-token-webhook-config-file={file}", "--authentication-token-webhook-version=v2"));
        Assert.Equal("--authentication-token-webhook-version: unsupported authentication webhook version \"v2\", supported versions are \"v1\", \"v1beta1\"", e.Message);
    }

    [Fact]
    public void TheCacheTtlIsAGoDuration()
    {
        var file = Kubeconfig("clusters: [{name: a, cluster: {server: 'https://h/x'}}]");
        Assert.Equal(TimeSpan.FromSeconds(90), Parse($"--authentication-token-webhook-config-file={file}", "--authentication-token-webhook-cache-ttl=1m30s")!.CacheTtl);
        Assert.Throws<ConfigurationException>(() => Parse($"--authentication-token-webhook-config-file={file}", "--authentication-token-webhook-cache-ttl=soon"));
    }

    [Fact]
    public void TheCurrentContextPicksClusterAndUserAndDataFieldsAreBase64Pem()
    {
        using var ca = CertificateAuthority.CreateSelfSigned("ca", TimeProvider.System).Ca;
        var client = ca.IssueClientCertificate("kube-apiserver", [], DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
        var file = Kubeconfig($"""
            clusters:
            - {"{"}name: wrong, cluster: {"{"}server: "https://wrong/"{"}"}{"}"}
            - name: authn
              cluster:
                server: https://authn.example.com/authenticate
                certificate-authority-data: {B64(ca.CertificatePem)}
                tls-server-name: webhook.internal
            users:
            - {"{"}name: wrong, user: {"{"}token: nope{"}"}{"}"}
            - name: apiserver
              user:
                client-certificate-data: {B64(client.CertificatePem)}
                client-key-data: {B64(client.PrivateKeyPem)}
                token: "12345"
            contexts:
            - {"{"}name: webhook, context: {"{"}cluster: authn, user: apiserver{"}"}{"}"}
            current-context: webhook
            """);
        var config = Parse($"--authentication-token-webhook-config-file={file}")!.Kubeconfig;
        Assert.Equal(new Uri("https://authn.example.com/authenticate"), config.Server);
        Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(config.CertificateAuthorities).Thumbprint);
        Assert.Equal("webhook.internal", config.TlsServerName);
        Assert.Equal("CN=kube-apiserver", config.ClientCertificate?.Subject);
        Assert.True(config.ClientCertificate!.HasPrivateKey);
        Assert.Equal("12345", config.BearerToken);
    }

    [Fact]
    public void ATokenFileIsReadRelativeToTheKubeconfig()
    {
        File.WriteAllText(dir.File("token.txt"), "s3cret\n");
        var file = Kubeconfig("clusters: [{name: a, cluster: {server: 'https://h/x'}}]\nusers: [{name: u, user: {tokenFile: token.txt}}]");
        Assert.Equal("s3cret", Parse($"--authentication-token-webhook-config-file={file}")!.Kubeconfig.BearerToken);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "clusters: [{name: authn, cluster: {}}]", "invalid configuration: no server found for cluster \"authn\"" },
        { "kind: Config", "invalid configuration: no configuration has been provided" },
        { "clusters: [{name: a, cluster: {server: 'https://h/'}}]\ncurrent-context: missing", "invalid configuration: context was not found for specified context: missing" },
        { "clusters: [{name: a, cluster: {server: 'https://h/', certificate-authority: nowhere/ca.crt}}]", "invalid configuration: unable to read certificate-authority" },
        { "clusters: [{name: a, cluster: {server: 'https://h/', certificate-authority-data: bm90IGEgY2VydA==}}]", "unable to load root certificates" },
        { "clusters: [{name: a, cluster: {server: 'https://h/'}}]\nusers: [{name: u, user: {client-certificate-data: eA==}}]", "invalid configuration: client-key-data or client-key must be specified for u to use the clientCert authentication method." },
        { "clusters: [{name: a, cluster: {server: 'https://h/'}}]\nusers: [{name: u, user: {client-certificate: a.crt, client-certificate-data: eA==}}]", "invalid configuration: client-cert-data and client-cert are both specified for u. client-cert-data will override." },
        { "clusters: [{name: a, cluster: {server: 'https://h/'}}]\nusers: [{name: u, user: {token: t, username: x, password: y}}]", "invalid configuration: more than one authentication method found for u" },
        { "clusters: [{name: a, cluster: {server: 'ftp://h/'}}]", "is not an http or https URL" },
        { "clusters: [", "error converting YAML to JSON" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ABadConfigFileStopsTheStartNamingTheFlagAndTheFile(string text, string problem)
    {
        var file = Kubeconfig(text);
        var e = Assert.Throws<ConfigurationException>(() => Parse($"--authentication-token-webhook-config-file={file}"));
        Assert.StartsWith($"--authentication-token-webhook-config-file {file}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void AMissingConfigFileStopsTheStart()
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse($"--authentication-token-webhook-config-file={dir.File("absent")}"));
        Assert.Contains("cannot be read", e.Message);
    }
}
