using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>What kubectl learns about the server: version, api-resources, raw discovery documents and explain.</summary>
public sealed class DiscoveryTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    [SkippableFact]
    public async Task VersionJsonReportsMinor32()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        using var doc = JsonDocument.Parse(await fx.Kubectl().OkAsync("version", "-o", "json"));
        var server = doc.RootElement.GetProperty("serverVersion");
        Assert.Equal("1", server.GetProperty("major").GetString());
        Assert.Equal("32", server.GetProperty("minor").GetString());
        Assert.StartsWith("v1.32.", server.GetProperty("gitVersion").GetString());
        Assert.Equal("linux/amd64", server.GetProperty("platform").GetString());
        Assert.True(doc.RootElement.TryGetProperty("clientVersion", out _));
    }

    [SkippableFact]
    public async Task ApiResourcesListsTheCoreResourcesInColumns()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var out_ = await fx.Kubectl().OkAsync("api-resources");
        Assert.Matches(@"^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n", out_);
        Assert.Matches(@"(?m)^pods\s+po\s+v1\s+true\s+Pod$", out_);
        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$", out_);
        Assert.Matches(@"(?m)^secrets\s+v1\s+true\s+Secret$", out_);
        Assert.Matches(@"(?m)^serviceaccounts\s+sa\s+v1\s+true\s+ServiceAccount$", out_);
        Assert.Matches(@"(?m)^configmaps\s+cm\s+v1\s+true\s+ConfigMap$", out_);
        Assert.Matches(@"(?m)^events\s+ev\s+v1\s+true\s+Event$", out_);

        var namespaced = await fx.Kubectl().OkAsync("api-resources", "--namespaced=false", "-o", "name");
        Assert.Contains("namespaces", namespaced.Split('\n'));
        Assert.DoesNotContain("pods", namespaced.Split('\n'));
    }

    [SkippableFact]
    public async Task RawApiV1IsTheResourceList()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        using var doc = JsonDocument.Parse(await fx.Kubectl().OkAsync("get", "--raw", "/api/v1"));
        Assert.Equal("APIResourceList", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal("v1", doc.RootElement.GetProperty("groupVersion").GetString());
        var pods = doc.RootElement.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "pods");
        Assert.Equal("Pod", pods.GetProperty("kind").GetString());
        Assert.True(pods.GetProperty("namespaced").GetBoolean());
        Assert.Equal(new[] { "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch" },
            pods.GetProperty("verbs").EnumerateArray().Select(v => v.GetString()).Order());

        using var api = JsonDocument.Parse(await fx.Kubectl().OkAsync("get", "--raw", "/api"));
        Assert.Contains("v1", api.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
    }

    [SkippableFact]
    public async Task ExplainShowsDescriptionsAndTypes()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var containers = await k.OkAsync("explain", "pods.spec.containers");
        Assert.Matches(@"^KIND:\s+Pod\nVERSION:\s+v1\n", containers);
        Assert.Contains("FIELD: containers <[]Container>", containers);
        Assert.Matches(@"(?m)^DESCRIPTION:\n\s+List of containers belonging to the pod\.", containers);
        Assert.Matches(@"(?m)^FIELDS:$", containers);
        Assert.Matches(@"(?m)^  image\t<string>$", containers);
        Assert.Matches(@"(?m)^  name\t<string> -required-$", containers);
        Assert.Matches(@"(?m)^  ports\t<\[\]ContainerPort>$", containers);
        Assert.Matches(@"(?m)^  resources\t<ResourceRequirements>$", containers);

        var pods = await k.OkAsync("explain", "pods");
        Assert.Matches(@"(?m)^  spec\t<PodSpec>$", pods);
        Assert.Matches(@"(?m)^  metadata\t<ObjectMeta>$", pods);

        var missing = await k.RunAsync("explain", "pods.spec.nosuchfield");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("field \"nosuchfield\" does not exist", missing.StdErr);
    }
}
