using System.Text;
using k8s;
using k8s.KubeConfigModels;
using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Authentication.Kubeconfigs;

/// <summary>
/// <c>run.sh kubeconfig --mechanism M</c>: each mechanism's kubeconfig carries the credential a user of that
/// mechanism has (read from the same fixtures the server reads), and asking for what the mechanism cannot vouch
/// for is a clear error (exit 2), never a kubeconfig that will only get a 401.
/// </summary>
public sealed class KubeconfigMechanismsTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "kubeconfig-mech-" + Guid.NewGuid().ToString("N"));

    (K8SConfiguration Config, User User) Print(params string[] args)
    {
        var stdout = new StringWriter();
        Assert.Equal(0, KubeconfigCommand.Run([.. args, $"--cert-dir={dir}/certs"], TimeProvider.System, stdout));
        var config = KubernetesClientConfiguration.LoadKubeConfig(new MemoryStream(Encoding.UTF8.GetBytes(stdout.ToString())));
        return (config, Assert.Single(config.Users));
    }

    static string Fail(params string[] args) =>
        Assert.Throws<ConfigurationException>(() => KubeconfigCommand.Run([.. args], TimeProvider.System, TextWriter.Null)).Message;

    [Fact]
    public void AStaticTokenUserGetsTheFirstTokenTheFileGivesThem()
    {
        var (config, user) = Print("--mechanism=token", "--user=grace", "--secure-port=7443");
        Assert.Equal("static-token-grace-c94b17", user.UserCredentials.Token);
        Assert.Equal("https://127.0.0.1:7443", config.Clusters.Single().ClusterEndpoint.Server);
    }

    [Fact]
    public void AUserTheTokenFileLacksIsRefusedWithTheLineToAddAndTheRestartItNeeds()
    {
        var file = Path.Combine(dir, "tokens.csv");
        Directory.CreateDirectory(dir);
        File.WriteAllText(file, "t1,ann,1\nt2,ann,1\n");
        Assert.Equal("t1", Print("--mechanism=token", "--user=ann", $"--token-auth-file={file}").User.UserCredentials.Token);
        var message = Fail("--mechanism=token", "--user=zoe", $"--token-auth-file={file}");
        Assert.Matches($@"^user ""zoe"" has no token in {System.Text.RegularExpressions.Regex.Escape(file)} \(its users: ann\)\. Add a line such as  [0-9a-f]{{32}},zoe,zoe,""group1,group2""  and restart the server", message);
    }

    [Fact]
    public void AnOidcUserGetsTheLoginPluginForTheDemoIssuer()
    {
        var (_, user) = Print("--mechanism=oidc", "--user=carol", "--secure-port=7443", $"--data-dir={dir}/data");
        var exec = user.UserCredentials.ExternalExecution;
        Assert.Equal("client.authentication.k8s.io/v1", exec.ApiVersion);
        Assert.Contains("oidc-login", exec.Arguments);
        Assert.Contains("--oidc-issuer-url=https://127.0.0.1:7444", exec.Arguments);
        Assert.Contains("--username=carol", exec.Arguments);
        Assert.Contains($"--token-cache-dir={dir}/data/demo/oidc-login-cache", exec.Arguments);
    }

    [Fact]
    public void AWebhookUserGetsTheirFirstDirectoryToken() =>
        Assert.Equal("webhook-token-erin-a7f402", Print("--mechanism=webhook", "--user=erin").User.UserCredentials.Token);

    [Fact]
    public void AProxyUserTalksToTheProxyWithTheirProxyToken()
    {
        var (config, user) = Print("--mechanism=proxy", "--user=bob", "--secure-port=7443");
        Assert.Equal("https://127.0.0.1:7446", config.Clusters.Single().ClusterEndpoint.Server);
        Assert.Equal("proxy-token-bob-8e1d7a", user.UserCredentials.Token);
    }

    [Fact]
    public void AnonymousNamesNoCredentialKubeApiserverReads()
    {
        var creds = Print("--mechanism=anonymous").User.UserCredentials;
        // A username alone (no password, token, certificate or exec): kubectl does not prompt, the server ignores Basic.
        Assert.Equal(("system:anonymous", null, null, null, null), (creds.UserName, creds.Password, creds.Token, creds.ClientCertificateData, creds.ExternalExecution));
    }

    public static TheoryData<string[], string> Refusals => new()
    {
        { ["--mechanism=ldap", "--user=a"], "--mechanism \"ldap\" is not one of x509, token, oidc, webhook, proxy, anonymous" },
        { ["--mechanism=token", "--user=frank", "--group=admins"], "--group applies to --mechanism=x509 only: a token file user's groups and UID are the file's" },
        { ["--mechanism=oidc", "--user=alice", "--group=admins"], "--group applies to --mechanism=x509 only: the issuer's ID token names the groups" },
        { ["--mechanism=webhook", "--user=dave", "--days=3"], "--days applies to --mechanism=x509 only" },
        { ["--mechanism=x509", "--user=a", "--token-auth-file=x"], "--token-auth-file applies to --mechanism=token only" },
        { ["--mechanism=anonymous", "--user=a"], "--user makes no sense for --mechanism=anonymous: an anonymous request names no one" },
        { ["--mechanism=webhook"], "--user is required" },
        { ["--mechanism=proxy", "--user=alice", "--secure-port=0"], "with --secure-port=0 the ports are not known in advance: give --server (the server prints its URLs when it starts)" },
    };

    [Theory, MemberData(nameof(Refusals))]
    public void WhatAMechanismCannotVouchForIsRefused(string[] args, string message) => Assert.Equal(message, Fail(args));

    [Theory]
    [InlineData("oidc", "zed", "user \"zed\" is not a user of the demo OIDC issuer")]
    [InlineData("proxy", "dave", "user \"dave\" is not a user of the demo authenticating proxy")]
    [InlineData("webhook", "alice", "user \"alice\" is not in the demo token webhook's directory")]
    public void AUserTheProviderDoesNotKnowIsRefused(string mechanism, string user, string message) =>
        Assert.StartsWith(message, Fail($"--mechanism={mechanism}", $"--user={user}"));

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
