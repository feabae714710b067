namespace MiniApiServer.EndToEnd;

/// <summary>
/// Deleting a namespace: it turns Terminating, the namespace controller deletes what it holds, then the
/// namespace itself goes; kubectl delete waits for that end.
/// </summary>
public sealed class NamespaceDeletionTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    [SkippableFact]
    public async Task DeleteNamespaceWaitsUntilItAndItsObjectsAreGone()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "doomed");
        await k.OkAsync("run", "web", "--image=nginx", "-n", ns);
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1");
        await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=k=v");
        await k.OkAsync("create", "sa", "robot", "-n", ns);
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", ns, "--timeout=30s");

        // Watch the namespace's phase while it is deleted: Active, then Terminating (the DELETED event
        // carries the last state, still Terminating).
        await using var phases = k.Start("get", "namespace", ns, "-w", "-o", "jsonpath={.status.phase}{\"\\n\"}", "--request-timeout=90s");
        await phases.WaitForOutputAsync(o => o.StartsWith("Active\n"), TimeSpan.FromSeconds(30));

        var deleted = await k.RunAsync("delete", "namespace", ns, "--timeout=60s");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"namespace \"{ns}\" deleted", deleted.StdOut.Trim());

        // delete returned: the namespace is gone already, not merely Terminating.
        var gone = await k.RunAsync("get", "namespace", ns);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"Error from server (NotFound): namespaces \"{ns}\" not found", gone.StdErr);
        await phases.WaitForOutputAsync(o => o.Contains("Terminating\n"), TimeSpan.FromSeconds(30));

        // Nothing it held survives.
        var left = await k.OkAsync("get", "pods,configmaps,secrets,serviceaccounts", "-A", "-o", "name", "--field-selector", $"metadata.namespace={ns}");
        Assert.Equal("", left);
    }

    [SkippableFact]
    public async Task ANewObjectInATerminatingNamespaceIsForbidden()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "closing");
        await k.OkAsync("run", "web", "--image=nginx", "-n", ns);
        await k.OkAsync("delete", "namespace", ns, "--wait=false");

        // Either the namespace is still Terminating (403 Forbidden, as NamespaceLifecycle admission answers)
        // or already gone (404): a create never succeeds.
        var create = await k.RunAsync("create", "configmap", "late", "-n", ns, "--from-literal=a=1");
        Assert.Equal(1, create.ExitCode);
        // (create configmap goes through the typed client, which prefixes "error: failed to create configmap: ".)
        Assert.Matches($@"^error: failed to create configmap: (configmaps ""late"" is forbidden: unable to create new content in namespace {ns} because it is being terminated|namespaces ""{ns}"" not found)$", create.StdErr.Trim());
    }
}
