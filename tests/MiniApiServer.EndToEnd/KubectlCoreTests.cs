namespace MiniApiServer.EndToEnd;

/// <summary>
/// The core of the API as a user meets it with real kubectl: every build in Kubernetes' skew for a 1.32
/// server (1.31, 1.32, 1.33) runs the same commands against a real server process.
/// </summary>
public sealed class KubectlCoreTests
{
    public static TheoryData<string> Versions => new() { "1.31", "1.32", "1.33" };

    [SkippableTheory]
    [MemberData(nameof(Versions))]
    public async Task CoreCommandsWork(string version)
    {
        Skip.If(Kubectl.Build(version) is null, $"kubectl {version} is not installed on this machine");
        await using var server = await ServerProcess.StartAsync();
        var k = new Kubectl(server.AdminKubeconfig, version);

        Assert.Contains("Server Version: v1.32", await k.OkAsync("version"));
        var resources = await k.OkAsync("api-resources");
        foreach (var r in new[] { "namespaces", "pods", "secrets", "serviceaccounts", "configmaps", "events", "nodes" })
            Assert.Matches($@"(?m)^{r}\s", resources);
        Assert.Contains("\"groupVersion\":\"v1\"", await k.OkAsync("get", "--raw", "/api/v1"));

        var ns = await k.OkAsync("get", "ns");
        Assert.Matches(@"^NAME\s+STATUS\s+AGE", ns);
        Assert.Matches(@"(?m)^kube-system\s+Active\s", ns);

        await k.OkAsync("create", "ns", "demo");
        await k.OkAsync("run", "web", "--image=nginx", "-n", "demo", "--labels=app=web");
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", "demo", "--timeout=30s");
        var wide = await k.OkAsync("get", "pods", "-A", "-o", "wide");
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES", wide);
        Assert.Matches(@"(?m)^demo\s+web\s+1/1\s+Running\s+0\s", wide);
        Assert.Equal("pod/web", (await k.OkAsync("get", "pods", "-n", "demo", "-l", "app=web", "--field-selector", "metadata.name=web,status.phase=Running", "-o", "name")).Trim());
        Assert.Contains("app=web", await k.OkAsync("get", "pods", "-n", "demo", "--show-labels"));
        Assert.Equal("nginx", await k.OkAsync("get", "pod", "web", "-n", "demo", "-o", "jsonpath={.spec.containers[0].image}"));
        Assert.Contains("kind: Pod", await k.OkAsync("get", "pod", "web", "-n", "demo", "-o", "yaml"));

        await k.OkAsync("label", "pod", "web", "-n", "demo", "tier=front");
        await k.OkAsync("annotate", "pod", "web", "-n", "demo", "note=hi");
        await k.OkAsync("patch", "pod", "web", "-n", "demo", "-p", "{\"metadata\":{\"labels\":{\"s\":\"1\"}}}");
        await k.OkAsync("patch", "pod", "web", "-n", "demo", "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"m\":\"1\"}}}");
        await k.OkAsync("patch", "pod", "web", "-n", "demo", "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/metadata/labels/j\",\"value\":\"1\"}]");
        Assert.Equal("front 1 1 1", await k.OkAsync("get", "pod", "web", "-n", "demo", "-o", "jsonpath={.metadata.labels.tier} {.metadata.labels.s} {.metadata.labels.m} {.metadata.labels.j}"));

        var describe = await k.OkAsync("describe", "pod", "web", "-n", "demo");
        Assert.Matches(@"(?m)^Name:\s+web", describe);
        Assert.Matches(@"(?m)^Events:", describe);
        Assert.Contains("Scheduled", describe);
        await k.OkAsync("describe", "ns", "demo");

        await k.OkAsync("create", "secret", "generic", "s1", "-n", "demo", "--from-literal=k=v");
        Assert.Equal("dg==", await k.OkAsync("get", "secret", "s1", "-n", "demo", "-o", "jsonpath={.data.k}"));
        Assert.Matches(@"(?m)^s1\s+Opaque\s+1\s", await k.OkAsync("get", "secret", "-n", "demo"));
        await k.OkAsync("describe", "secret", "s1", "-n", "demo");
        await k.OkAsync("create", "configmap", "c1", "-n", "demo", "--from-literal=a=b");
        await k.OkAsync("create", "serviceaccount", "robot", "-n", "demo");
        Assert.Equal("serviceaccount/robot", (await k.OkAsync("get", "sa", "robot", "-n", "demo", "-o", "name")).Trim());
        await k.OkAsync("describe", "sa", "robot", "-n", "demo");

        var notFound = await k.RunAsync("get", "pod", "nope", "-n", "demo");
        Assert.Equal(1, notFound.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"nope\" not found", notFound.StdErr);

        await k.OkAsync("delete", "pod", "web", "-n", "demo", "--timeout=30s");
        Assert.Contains("NotFound", (await k.RunAsync("get", "pod", "web", "-n", "demo")).StdErr);
        await k.OkAsync("delete", "ns", "demo", "--timeout=60s");
        Assert.Contains("NotFound", (await k.RunAsync("get", "ns", "demo")).StdErr);
    }
}
