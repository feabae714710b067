using System.Diagnostics;
using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// README's "Ready-made identities" table, checked with real kubectl: every kubeconfig the server writes at
/// start, used as it is, makes <c>kubectl auth whoami -o json</c> show exactly the identity the table promises
/// (and a file the table does not list fails the test). <c>run.sh kubeconfig --mechanism M</c> prints
/// kubeconfigs that work the same way.
/// </summary>
public sealed class KubeconfigsTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    /// <summary>One row of README's table: what whoami shows. <c>Extra</c> lists the extra keys (values vary: JTI, certificate hash).</summary>
    public sealed record Identity(string User, string? Uid, string[] Groups, params string[] Extra)
    {
        public override string ToString() => $"{User} [{string.Join(' ', Groups)}]";
    }

    const string CredentialId = "authentication.kubernetes.io/credential-id";

    /// <summary>README's table, row by row: kubeconfig → identity. Every authenticated user also has system:authenticated.</summary>
    public static readonly Dictionary<string, Identity> ReadmeTable = new()
    {
        ["admin.kubeconfig"] = new("kubernetes-admin", null, ["system:masters", "system:authenticated"], CredentialId),
        ["x509-devuser.kubeconfig"] = new("devuser", null, ["engineering", "system:authenticated"], CredentialId),
        ["token-frank.kubeconfig"] = new("frank", "2001", ["viewers", "system:authenticated"]),
        ["token-grace.kubeconfig"] = new("grace", "2002", ["developers", "ops", "system:authenticated"]),
        ["token-heidi.kubeconfig"] = new("heidi", "2003", ["system:authenticated"]),
        ["oidc-alice.kubeconfig"] = new("oidc:alice@example.com", "5c1e0a52-alice", ["oidc:developers", "system:authenticated"], CredentialId),
        ["oidc-bob.kubeconfig"] = new("oidc:bob@example.com", "7d3f1b63-bob", ["oidc:developers", "oidc:ops", "system:authenticated"], CredentialId),
        ["oidc-carol.kubeconfig"] = new("oidc:carol@example.com", "9a4c2d74-carol", ["oidc:viewers", "system:authenticated"], CredentialId),
        ["webhook-dave.kubeconfig"] = new("dave", "1001", ["ops", "oncall", "system:authenticated"], "example.com/department"),
        ["webhook-erin.kubeconfig"] = new("erin", "1002", ["developers", "system:authenticated"]),
        ["proxy-alice.kubeconfig"] = new("alice", "5c1e0a52-alice", ["developers", "system:authenticated"], "demo.miniapiserver.io/proxy-login"),
        ["proxy-bob.kubeconfig"] = new("bob", "7d3f1b63-bob", ["developers", "ops", "system:authenticated"], "demo.miniapiserver.io/proxy-login"),
        ["proxy-carol.kubeconfig"] = new("carol", "9a4c2d74-carol", ["viewers", "system:authenticated"], "demo.miniapiserver.io/proxy-login"),
    };

    public static TheoryData<string> Files => [.. ReadmeTable.Keys];

    public static TheoryData<string> Builds => ["1.31", "1.32", "1.33"];

    string KubeconfigDir => Path.Combine(fx.Server.DataDir, "kubeconfigs");

    [Fact]
    public void TheServerWritesExactlyTheTablesKubeconfigsAndAnonymous() =>
        Assert.Equal(ReadmeTable.Keys.Append("anonymous.kubeconfig").Order(StringComparer.Ordinal),
            Directory.GetFiles(KubeconfigDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [SkippableTheory, MemberData(nameof(Files))]
    public async Task EachWrittenKubeconfigIsTheIdentityReadmePromises(string file)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        AssertIdentity(ReadmeTable[file], await new Kubectl(Path.Combine(KubeconfigDir, file)).OkAsync("auth", "whoami", "-o", "json"));
    }

    [SkippableTheory, MemberData(nameof(Builds))]
    public async Task TheAnonymousKubeconfigReadsVersionWithoutPromptingAndWhoamiIsForbidden(string version)
    {
        Skip.If(Kubectl.Build(version) is null, $"kubectl {version} is not installed on this machine");
        var anonymous = new Kubectl(Path.Combine(KubeconfigDir, "anonymous.kubeconfig"), version);
        // Standard input is kubectl's own (not a terminal here): an empty user entry would end in "Please enter Username: error: EOF".
        var versionJson = await anonymous.OkAsync("get", "--raw", "/version");
        Assert.Equal("v1.32.0", JsonDocument.Parse(versionJson).RootElement.GetProperty("gitVersion").GetString());
        // kube's default policy binds system:basic-user (selfsubjectreviews) to system:authenticated only.
        var whoami = await anonymous.RunAsync("auth", "whoami", "-v=6");
        Assert.Equal(1, whoami.ExitCode);
        Assert.Matches("selfsubjectreviews.*403 Forbidden", whoami.StdErr);
        Assert.Contains("error: the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it", whoami.StdErr);
        Assert.DoesNotContain("Please enter", whoami.StdOut + whoami.StdErr);
        var pods = await anonymous.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods");
        Assert.Contains("Error from server (Forbidden): pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", pods.StdErr);
    }

    /// <summary>run.sh kubeconfig for each mechanism's demo identity: the printed kubeconfig is that identity.</summary>
    public static TheoryData<string[], string> Printed => new()
    {
        { ["--mechanism=x509", "--user=dev1", "--group=engineering", "--group=qa"], "dev1 [engineering qa system:authenticated]" },
        { ["--mechanism=token", "--user=heidi"], "heidi [system:authenticated]" },
        { ["--mechanism=oidc", "--user=bob"], "oidc:bob@example.com [oidc:developers oidc:ops system:authenticated]" },
        { ["--mechanism=webhook", "--user=erin"], "erin [developers system:authenticated]" },
        { ["--mechanism=proxy", "--user=carol"], "carol [viewers system:authenticated]" },
    };

    [SkippableTheory, MemberData(nameof(Printed))]
    public async Task TheKubeconfigCommandPrintsEachMechanismsIdentity(string[] args, string expected)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        using var tmp = new TempDir();
        var file = Path.Combine(tmp.Path, "printed.kubeconfig");
        var mechanism = args[0]["--mechanism=".Length..];
        // The server runs on free ports: its URLs come from its start-up lines, as a user would copy them.
        string[] where = mechanism switch
        {
            "proxy" => [$"--server={DemoUrl("authenticating proxy")}"],
            "oidc" => [$"--server={fx.Server.Url}", $"--oidc-issuer-url={DemoUrl("OIDC issuer")}", $"--data-dir={tmp.Path}"],
            _ => [$"--server={fx.Server.Url}"],
        };
        var (exit, stderr) = await RunServerCommandAsync(["kubeconfig", .. args, .. where, $"--cert-dir={fx.Server.CertDir}", $"--out={file}"]);
        Assert.True(exit == 0, stderr);
        var json = await new Kubectl(file).OkAsync("auth", "whoami", "-o", "json");
        var user = JsonDocument.Parse(json).RootElement.GetProperty("status").GetProperty("userInfo");
        Assert.Equal(expected, $"{user.GetProperty("username").GetString()} [{string.Join(' ', user.GetProperty("groups").EnumerateArray().Select(g => g.GetString()))}]");
    }

    [Fact]
    public async Task ATokenForAUserTheFileLacksNeedsTheFileEditedAndARestart()
    {
        var (exit, stderr) = await RunServerCommandAsync(["kubeconfig", "--mechanism=token", "--user=zoe", $"--server={fx.Server.Url}", $"--cert-dir={fx.Server.CertDir}"]);
        Assert.Equal(2, exit);
        Assert.Matches(@"^error: user ""zoe"" has no token in .*tokens\.csv \(its users: frank, grace, heidi\)\. Add a line such as  [0-9a-f]{32},zoe,zoe,""group1,group2""  and restart the server: it reads the token file once, at start", stderr);
    }

    string DemoUrl(string provider) =>
        System.Text.RegularExpressions.Regex.Match(fx.Server.Output, $@"{provider} (https://[0-9.:]+)").Groups[1].Value is { Length: > 0 } url
            ? url : throw new InvalidOperationException($"the server printed no {provider} URL:\n{fx.Server.Output}");

    static void AssertIdentity(Identity expected, string whoamiJson)
    {
        var user = JsonDocument.Parse(whoamiJson).RootElement.GetProperty("status").GetProperty("userInfo");
        Assert.Equal(expected.User, user.GetProperty("username").GetString());
        Assert.Equal(expected.Uid, user.TryGetProperty("uid", out var uid) ? uid.GetString() : null);
        Assert.Equal(expected.Groups, user.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        var extra = user.TryGetProperty("extra", out var e) ? e.EnumerateObject().Select(p => p.Name).ToArray() : [];
        Assert.Equal(expected.Extra, extra);
    }

    /// <summary>The server's own command line (what run.sh runs), for a subcommand.</summary>
    static async Task<(int Exit, string StdErr)> RunServerCommandAsync(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ServerProcess.RepoRoot };
        psi.ArgumentList.Add(ServerProcess.ServerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        await stdout;
        return (p.ExitCode, await stderr);
    }
}
