using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniApiServer.EndToEnd;

/// <summary>The official C# client (KubernetesClient) against the server, with the admin kubeconfig it writes.</summary>
public sealed class CSharpClientTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ListCreateWatchPatchDeleteThen404()
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(fx.Server.AdminKubeconfig));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;

        var namespaces = await client.CoreV1.ListNamespaceAsync(cancellationToken: ct);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");

        var ns = "client-" + Guid.NewGuid().ToString("N")[..8];
        var created = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);
        Assert.Equal("Active", created.Status?.Phase);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        // Watch from the (empty) list's resourceVersion, then create the pod: its ADDED and MODIFIED events
        // arrive until the simulated kubelet reports it Running.
        var list = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct);
        // (The client's current watch API: the list call with watch=true, read as an async stream of events.
        // The older ListNamespacedPodWithHttpMessagesAsync(watch: true).Watch<V1Pod, V1PodList>() is obsolete in v21.)
        var types = new List<WatchEventType>();
        using var stopWatch = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = Task.Run(async () =>
        {
            await foreach (var (type, p) in client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stopWatch.Token))
            {
                types.Add(type);
                if (p.Status?.Phase == "Running") return p;
            }
            throw new InvalidOperationException("the watch closed before the pod was Running; events: " + string.Join(",", types));
        }, ct);

        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx" }] },
        }, ns, cancellationToken: ct);
        Assert.Equal(ns, pod.Metadata.NamespaceProperty);

        var seen = await running.WaitAsync(ct);
        await stopWatch.CancelAsync();
        Assert.Equal(pod.Metadata.Uid, seen.Metadata.Uid);
        Assert.Equal(WatchEventType.Added, types[0]);
        Assert.All(types.Skip(1), t => Assert.Equal(WatchEventType.Modified, t));

        // A strategic merge patch: labels merge, containers merge by name (the image changes, nothing is lost).
        var patch = new V1Patch("""{"metadata":{"labels":{"tier":"front"}},"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}""", V1Patch.PatchType.StrategicMergePatch);
        var patched = await client.CoreV1.PatchNamespacedPodAsync(patch, "web", ns, cancellationToken: ct);
        Assert.Equal("web", patched.Metadata.Labels["app"]);
        Assert.Equal("front", patched.Metadata.Labels["tier"]);
        Assert.Equal("nginx:1.27", Assert.Single(patched.Spec.Containers).Image);
        Assert.True(long.Parse(patched.Metadata.ResourceVersion) > long.Parse(seen.Metadata.ResourceVersion));

        await client.CoreV1.DeleteNamespacedPodAsync("web", ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: ct);
        var error = await Eventually.HoldsAsync(async () =>
        {
            try { await client.CoreV1.ReadNamespacedPodAsync("web", ns, cancellationToken: ct); return null; }
            catch (HttpOperationException e) { return e; }
        }, e => e is not null, "the pod's deletion");
        Assert.Equal(HttpStatusCode.NotFound, error!.Response.StatusCode);
        using var status = System.Text.Json.JsonDocument.Parse(error.Response.Content);
        Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
        Assert.Equal("NotFound", status.RootElement.GetProperty("reason").GetString());
        Assert.Equal("pods \"web\" not found", status.RootElement.GetProperty("message").GetString());
        Assert.Equal(404, status.RootElement.GetProperty("code").GetInt32());
    }
}
