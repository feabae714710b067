using System.Text.Json;
using k8s;
using k8s.Models;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// Watches as kubectl opens them: <c>get -w</c> (list, then a watch from the list's resourceVersion),
/// <c>--output-watch-events</c>, and raw watches resumed from a resourceVersion.
/// </summary>
public sealed class WatchTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [SkippableFact]
    public async Task GetWatchSeesAPodCreatedAfterItStarted()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "watch");
        await k.OkAsync("run", "before", "--image=nginx", "-n", ns);

        await using var watch = k.Start("get", "pods", "-n", ns, "-w", "--request-timeout=90s");
        // The list comes first: the table header and the existing pod.
        await watch.WaitForOutputAsync(o => o.Contains("\nbefore "), Patience);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", watch.StdOut);

        await k.OkAsync("run", "after", "--image=nginx", "-n", ns);
        // Watch events print rows without a header; the simulated kubelet takes the pod to Running.
        var seen = await watch.WaitForOutputAsync(o => System.Text.RegularExpressions.Regex.IsMatch(o, @"(?m)^after\s+1/1\s+Running\s"), Patience);
        Assert.Matches(@"(?m)^after\s+0/1\s+(Pending|ContainerCreating)\s", seen);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(seen, @"(?m)^NAME\s"));
    }

    [SkippableFact]
    public async Task OutputWatchEventsNamesEachEvent()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "watchev");

        await using var watch = k.Start("get", "configmaps", "-n", ns, "-w", "--output-watch-events", "--request-timeout=90s");
        // An empty namespace at first: the kube-root-ca.crt publisher may or may not have written yet, so
        // wait for the watch to be open by seeing an event of our own.
        await k.OkAsync("create", "configmap", "one", "-n", ns, "--from-literal=a=1");
        await watch.WaitForOutputAsync(o => System.Text.RegularExpressions.Regex.IsMatch(o, @"(?m)^ADDED\s+one\s+1\s"), Patience);
        Assert.Matches(@"^EVENT\s+NAME\s+DATA\s+AGE\n", watch.StdOut);

        await k.OkAsync("patch", "configmap", "one", "-n", ns, "--type=merge", "-p", "{\"data\":{\"b\":\"2\"}}");
        await watch.WaitForOutputAsync(o => System.Text.RegularExpressions.Regex.IsMatch(o, @"(?m)^MODIFIED\s+one\s+2\s"), Patience);
        await k.OkAsync("delete", "configmap", "one", "-n", ns);
        await watch.WaitForOutputAsync(o => System.Text.RegularExpressions.Regex.IsMatch(o, @"(?m)^DELETED\s+one\s+2\s"), Patience);
    }

    [SkippableFact]
    public async Task GetWatchEndsAtTheRequestTimeoutWithExitCodeZero()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "watchend");
        await using var watch = k.Start("get", "pods", "-n", ns, "-w", "--request-timeout=3s");
        Assert.Equal(0, await watch.WaitForExitAsync(Patience));
        // With -w kubectl prints no "No resources found" line for an empty list; nothing came, so nothing printed.
        Assert.Equal("", watch.StdOut + watch.StdErr);
    }

    /// <summary>A watch from resourceVersion N replays exactly the changes after N, in order, then ends at timeoutSeconds.</summary>
    [SkippableFact]
    public async Task RawWatchResumesAfterAResourceVersion()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "resume");
        await k.OkAsync("create", "configmap", "a", "-n", ns, "--from-literal=v=1");
        var rv = await k.OkAsync("get", "configmap", "a", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");
        await k.OkAsync("create", "configmap", "b", "-n", ns, "--from-literal=v=1");
        await k.OkAsync("patch", "configmap", "a", "-n", ns, "--type=merge", "-p", "{\"data\":{\"v\":\"2\"}}");
        await k.OkAsync("delete", "configmap", "b", "-n", ns);

        var raw = await k.OkAsync("get", "--raw", $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=3");
        var events = WatchEvents(raw).Where(e => e.Name is "a" or "b").Select(e => $"{e.Type} {e.Name} {e.Value}").ToList();
        Assert.Equal(new[] { "ADDED b 1", "MODIFIED a 2", "DELETED b 1" }, events);
        Assert.All(WatchEvents(raw), e => Assert.True(long.Parse(e.ResourceVersion) > long.Parse(rv), $"event at {e.ResourceVersion} is not after {rv}"));

        // resourceVersion=0 (or none) starts with the current state as synthetic ADDED events.
        var fromNow = WatchEvents(await k.OkAsync("get", "--raw", $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion=0&timeoutSeconds=1"));
        Assert.Contains(fromNow, e => e is { Type: "ADDED", Name: "a", Value: "2" });
        Assert.DoesNotContain(fromNow, e => e.Name == "b");
    }

    internal sealed record WatchEvent(string Type, string Name, string? Value, string ResourceVersion, JsonElement Object);

    /// <summary>A JSON watch body: one event object per line.</summary>
    internal static List<WatchEvent> WatchEvents(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var e = JsonDocument.Parse(line).RootElement;
            var o = e.GetProperty("object");
            var meta = o.TryGetProperty("metadata", out var m) ? m : default;
            string? Str(JsonElement el, string p) => el.ValueKind == JsonValueKind.Object && el.TryGetProperty(p, out var v) ? v.ToString() : null;
            return new WatchEvent(e.GetProperty("type").GetString()!, Str(meta, "name") ?? "", o.TryGetProperty("data", out var d) ? Str(d, "v") : null,
                Str(meta, "resourceVersion") ?? "0", o.Clone());
        }).ToList();
}

/// <summary>
/// A watch from a resourceVersion older than the server's event history (the last 5000 changes) gets an
/// ERROR event carrying a 410 Gone Status with reason Expired, as kube-apiserver's watch cache answers.
/// Its own server: it needs more than 5000 writes.
/// </summary>
public sealed class WatchHistoryTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    const int History = 5000;

    [SkippableFact]
    public async Task AWatchFromBeforeTheHistoryGetsAn410ErrorEvent()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "gone");
        await k.OkAsync("create", "configmap", "counter", "-n", ns, "--from-literal=n=0");
        var rv = await k.OkAsync("get", "configmap", "counter", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");

        // More changes than the history holds, written through the C# client with a few in flight at once.
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(fx.Server.AdminKubeconfig));
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i <= History + 50; i = Interlocked.Increment(ref next))
                await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($"{{\"data\":{{\"n\":\"{i}\"}}}}", V1Patch.PatchType.MergePatch), "counter", ns);
        }));

        var raw = await k.OkAsync("get", "--raw", $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=3");
        var e = Assert.Single(WatchTests.WatchEvents(raw));
        Assert.Equal("ERROR", e.Type);
        Assert.Equal("Status", e.Object.GetProperty("kind").GetString());
        Assert.Equal(410, e.Object.GetProperty("code").GetInt32());
        Assert.Equal("Expired", e.Object.GetProperty("reason").GetString());
        Assert.StartsWith($"too old resource version: {rv} (", e.Object.GetProperty("message").GetString());

        // A watch from a recent version still resumes.
        var recent = await k.OkAsync("get", "configmap", "counter", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");
        await k.OkAsync("patch", "configmap", "counter", "-n", ns, "--type=merge", "-p", "{\"data\":{\"n\":\"last\"}}");
        var resumed = WatchTests.WatchEvents(await k.OkAsync("get", "--raw", $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={recent}&timeoutSeconds=2"));
        Assert.Contains(resumed, ev => ev.Type == "MODIFIED" && ev.Object.GetProperty("data").GetProperty("n").GetString() == "last");
    }
}
