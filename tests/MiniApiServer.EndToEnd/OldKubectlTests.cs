using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// kubectl builds older than Kubernetes' skew policy allows (1.27–1.30 against our 1.32 server) — they print a
/// version-skew WARNING, yet most of the API works for them. These theories state exactly what works, so the
/// README can say so:
/// reading (get, get -A, get -w), the typed creates, run, label, patch, describe and delete all work on every build;
/// the manifest commands (create -f, apply, apply --server-side, replace -f, edit, explain) work on 1.29 and
/// 1.30, which validate through OpenAPI v3 (fieldValidation=Strict on the server). 1.27 and 1.28 validate
/// client-side through OpenAPI v2 in gnostic protobuf, which this server does not serve: those commands end
/// in "Error from server (NotFound): the server could not find the requested resource" unless run with
/// --validate=false (explain has no such way out).
/// </summary>
public sealed class OldKubectlTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    public static TheoryData<string> OldBuilds => new() { "1.27", "1.28", "1.29", "1.30" };

    /// <summary>The builds that validate manifests through OpenAPI v3 (server-side field validation).</summary>
    static bool UsesOpenApiV3(string version) => version is not ("1.27" or "1.28");

    const string NoOpenApiV2 = "Error from server (NotFound): the server could not find the requested resource";

    [SkippableTheory]
    [MemberData(nameof(OldBuilds))]
    public async Task ReadingWatchingAndDeletingWork(string version)
    {
        Skip.If(Kubectl.Build(version) is null, $"kubectl {version} is not installed on this machine");
        var k = fx.Kubectl(version);
        var ns = await ServerFixture.NewNamespaceAsync(k, "old" + version.Replace(".", ""));

        var skew = await k.RunAsync("version");
        Assert.Equal(0, skew.ExitCode);
        // 1.27 still prints the version.Info{...} form by default; later builds print the short form.
        var minor = version.Split('.')[1];
        Assert.Matches($@"Client Version: (v{Regex.Escape(version)}\.|version\.Info\{{Major:""1"", Minor:""{minor}"")", skew.StdOut);
        Assert.Matches(@"Server Version: (v1\.32\.|version\.Info\{Major:""1"", Minor:""32"")", skew.StdOut);
        Assert.Contains($"WARNING: version difference between client ({version}) and server (1.32) exceeds the supported minor version skew of +/-1", skew.StdErr);

        var namespaces = await k.OkAsync("get", "ns");
        Assert.Matches(@"^NAME\s+STATUS\s+AGE\n", namespaces);
        Assert.Matches($@"(?m)^{ns}\s+Active\s", namespaces);

        await k.OkAsync("run", "web", "--image=nginx", "-n", ns);
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", ns, "--timeout=30s");
        var all = await k.OkAsync("get", "pods", "-A");
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", all);
        Assert.Matches($@"(?m)^{ns}\s+web\s+1/1\s+Running\s+0\s", all);

        // get -w: the list, then a watch; a pod created meanwhile shows up; --request-timeout ends it with exit 0.
        await using (var watch = k.Start("get", "pods", "-n", ns, "-w", "--request-timeout=10s"))
        {
            await watch.WaitForOutputAsync(o => Regex.IsMatch(o, @"(?m)^web\s"), TimeSpan.FromSeconds(30));
            await k.OkAsync("run", "late", "--image=nginx", "-n", ns);
            await watch.WaitForOutputAsync(o => Regex.IsMatch(o, @"(?m)^late\s"), TimeSpan.FromSeconds(30));
            Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        }

        Assert.Equal("secret/s1 created", (await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=k=v")).Trim());
        Assert.Equal("pod/web labeled", (await k.OkAsync("label", "pod", "web", "-n", ns, "tier=front")).Trim());
        Assert.Matches(@"(?m)^Events:", await k.OkAsync("describe", "pod", "web", "-n", ns));

        Assert.Equal("pod \"web\" deleted", (await k.OkAsync("delete", "pod", "web", "-n", ns, "--timeout=60s")).Trim());
        Assert.Contains("Error from server (NotFound): pods \"web\" not found", (await k.RunAsync("get", "pod", "web", "-n", ns)).StdErr);
        Assert.Equal($"namespace \"{ns}\" deleted", (await k.OkAsync("delete", "namespace", ns, "--timeout=60s")).Trim());
        Assert.Contains($"namespaces \"{ns}\" not found", (await k.RunAsync("get", "namespace", ns)).StdErr);
    }

    [SkippableTheory]
    [MemberData(nameof(OldBuilds))]
    public async Task ManifestCommandsNeedOpenApiV3OrValidateFalse(string version)
    {
        Skip.If(Kubectl.Build(version) is null, $"kubectl {version} is not installed on this machine");
        var k = fx.Kubectl(version);
        var ns = await ServerFixture.NewNamespaceAsync(k, "oldf" + version.Replace(".", ""));
        using var dir = new TempDir();
        string Cm(string name, string value) => dir.Write(name + ".yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\ndata: {{a: \"{value}\"}}\n");

        // Plain validation: works through OpenAPI v3 on 1.29+, fails on OpenAPI v2 before.
        foreach (var args in new[] { new[] { "create", "-f", Cm("created", "1") }, ["apply", "-f", Cm("applied", "1")], ["apply", "--server-side", "-f", Cm("ssa", "1")], ["explain", "pods.spec"] })
        {
            var r = await k.RunAsync(args);
            if (UsesOpenApiV3(version)) Assert.True(r.ExitCode == 0, $"kubectl {version} {string.Join(' ', args)}: {r}");
            else Assert.True(r.ExitCode == 1 && r.StdErr.Trim() == NoOpenApiV2, $"kubectl {version} {string.Join(' ', args)}: {r}");
        }

        // --validate=false needs no OpenAPI document: every build creates, applies, replaces and edits.
        var ignore = "--validate=false";
        Assert.Equal("configmap/plain created", (await k.OkAsync("create", "-f", Cm("plain", "1"), ignore)).Trim());
        Assert.Equal("configmap/app created", (await k.OkAsync("apply", "-f", Cm("app", "1"), ignore)).Trim());
        Assert.Equal("configmap/app configured", (await k.OkAsync("apply", "-f", Cm("app", "2"), ignore)).Trim());
        Assert.Equal("configmap/server serverside-applied", (await k.OkAsync("apply", "--server-side", "-f", Cm("server", "1"), ignore)).Trim());
        Assert.Equal("configmap/plain replaced", (await k.OkAsync("replace", "-f", Cm("plain", "replaced"), ignore)).Trim());
        k.Environment["KUBE_EDITOR"] = "sed -i s/replaced/edited/";
        Assert.Equal("configmap/plain edited", (await k.OkAsync("edit", "configmap", "plain", "-n", ns, ignore)).Trim());
        Assert.Equal("2 edited", await k.OkAsync("get", "configmap", "app", "plain", "-n", ns, "-o", "jsonpath={.items[*].data.a}"));
    }
}
