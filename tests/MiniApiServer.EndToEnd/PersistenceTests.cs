namespace MiniApiServer.EndToEnd;

/// <summary>
/// With a data folder (not --in-memory) the server keeps every object across a restart, like etcd behind
/// kube-apiserver: same UIDs, same resourceVersions, and the counter goes on upward afterwards.
/// </summary>
public sealed class PersistenceTests
{
    static readonly string[] Objects = ["namespace/{0}", "pod/web", "secret/s1", "configmap/settings", "serviceaccount/robot"];

    [SkippableFact]
    public async Task ObjectsUidsAndResourceVersionsSurviveARestart()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        using var root = new TempDir();
        var ns = "keep-" + Guid.NewGuid().ToString("N")[..8];

        Dictionary<string, string> before;
        long highest;
        await using (var first = await ServerProcess.StartAsync(inMemory: false, root: root.Path))
        {
            var k = new Kubectl(first.AdminKubeconfig);
            await k.OkAsync("create", "namespace", ns);
            await k.OkAsync("run", "web", "--image=nginx", "-n", ns);
            await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=k=v");
            await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1");
            await k.OkAsync("create", "sa", "robot", "-n", ns);
            await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", ns, "--timeout=30s");
            before = await IdentitiesAsync(k, ns);
            // A list's resourceVersion is the store's newest at the time of the list.
            highest = await ListResourceVersionAsync(k);

            // Ctrl-C: a clean shutdown that flushes the store and exits 0.
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await ServerProcess.StartAsync(inMemory: false, root: root.Path);
        var k2 = new Kubectl(second.AdminKubeconfig);
        Assert.Equal(before, await IdentitiesAsync(k2, ns));
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(await k2.OkAsync("get", "secret", "s1", "-n", ns, "-o", "jsonpath={.data.k}"))));
        Assert.Equal("1", await k2.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a}"));

        // New writes continue the resourceVersion sequence above everything stored before.
        await k2.OkAsync("create", "configmap", "later", "-n", ns, "--from-literal=b=2");
        var later = long.Parse(await k2.OkAsync("get", "configmap", "later", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"));
        var maxBefore = before.Values.Select(v => long.Parse(v.Split(' ')[1])).Max();
        Assert.True(later > maxBefore && later > highest, $"new resourceVersion {later} is not above the stored {maxBefore}/{highest}");
        Assert.True(await ListResourceVersionAsync(k2) >= later);
        Assert.Equal(0, await second.StopAsync());
    }

    static async Task<long> ListResourceVersionAsync(Kubectl k)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await k.OkAsync("get", "--raw", "/api/v1/namespaces"));
        return long.Parse(doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!);
    }

    /// <summary>"kind/name" → "uid resourceVersion" for each object the test made.</summary>
    static async Task<Dictionary<string, string>> IdentitiesAsync(Kubectl k, string ns)
    {
        var result = new Dictionary<string, string>();
        foreach (var o in Objects.Select(o => string.Format(o, ns)))
            result[o] = await k.OkAsync("get", o, "-n", ns, "-o", "jsonpath={.metadata.uid} {.metadata.resourceVersion}");
        return result;
    }
}
