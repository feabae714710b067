namespace MiniApiServer.EndToEnd;

/// <summary>
/// Commands that send manifests from files (create -f, apply -f, replace -f, edit, --dry-run=server, delete),
/// asserted on the exact lines real kubectl prints against a real cluster.
/// </summary>
public sealed class ManifestCommandsTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    static string Pod(string ns, string name, string image = "nginx", string labels = "app: web") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels: {"{"}{labels}{"}"}
        spec:
          containers:
          - name: main
            image: {image}
        """;

    static string ConfigMap(string ns, string name, string data) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
        data: {"{"}{data}{"}"}
        """;

    [SkippableFact]
    public async Task CreateFromYamlFileCreatesOnceThenReportsAlreadyExists()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "createf");
        using var dir = new TempDir();
        var file = dir.Write("pod.yaml", Pod(ns, "web"));

        Assert.Equal("pod/web created", (await k.OkAsync("create", "-f", file)).Trim());
        Assert.Equal("nginx", await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "jsonpath={.spec.containers[0].image}"));

        var again = await k.RunAsync("create", "-f", file);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"Error from server (AlreadyExists): error when creating \"{file}\": pods \"web\" already exists", again.StdErr);
    }

    [SkippableFact]
    public async Task ApplyCreatesThenConfiguresThenReportsUnchangedAndKeepsLastApplied()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "apply");
        using var dir = new TempDir();
        var file = dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '1', b: '2'"));

        Assert.Equal("configmap/settings created", (await k.OkAsync("apply", "-f", file)).Trim());
        Assert.Equal("configmap/settings unchanged", (await k.OkAsync("apply", "-f", file)).Trim());

        // A three-way merge: b left the manifest, so apply removes it; c is new; a is kept.
        dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '1', c: '3'"));
        Assert.Equal("configmap/settings configured", (await k.OkAsync("apply", "-f", file)).Trim());
        Assert.Equal("{\"a\":\"1\",\"c\":\"3\"}", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}"));

        var lastApplied = await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", @"jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}");
        Assert.Contains("\"data\":{\"a\":\"1\",\"c\":\"3\"}", lastApplied);
        Assert.Contains("\"name\":\"settings\"", lastApplied);
        // `apply view-last-applied` reads the same annotation back as YAML.
        Assert.Contains("c: \"3\"", await k.OkAsync("apply", "view-last-applied", "configmap/settings", "-n", ns));
    }

    [SkippableFact]
    public async Task ApplyOfAPodMergesContainersByName()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "applypod");
        using var dir = new TempDir();
        var file = dir.Write("pod.yaml", Pod(ns, "web"));

        Assert.Equal("pod/web created", (await k.OkAsync("apply", "-f", file)).Trim());
        // Changing a container image is one of the few pod spec updates the API allows.
        dir.Write("pod.yaml", Pod(ns, "web", image: "nginx:1.27", labels: "app: web, tier: front"));
        Assert.Equal("pod/web configured", (await k.OkAsync("apply", "-f", file)).Trim());
        // Merged by container name: still one container, "main", with the new image.
        Assert.Equal("nginx:1.27 front main,", await k.OkAsync("get", "pod", "web", "-n", ns, "-o",
            "jsonpath={.spec.containers[0].image} {.metadata.labels.tier} {range .spec.containers[*]}{.name},{end}"));
        Assert.Equal("pod/web unchanged", (await k.OkAsync("apply", "-f", file)).Trim());
    }

    [SkippableFact]
    public async Task ReplaceWritesTheFileAndAStaleResourceVersionIsAConflict()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "replace");
        using var dir = new TempDir();
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1");

        // The object as read, carrying its resourceVersion, then changed and put back.
        var read = await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml");
        var stale = dir.Write("stale.yaml", read.Replace("a: \"1\"", "a: \"stale\""));
        var file = dir.Write("cm.yaml", read.Replace("a: \"1\"", "a: \"2\""));
        Assert.Equal("configmap/settings replaced", (await k.OkAsync("replace", "-f", file)).Trim());
        Assert.Equal("2", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a}"));

        // The same resourceVersion again is now out of date: optimistic concurrency answers 409 Conflict.
        var conflict = await k.RunAsync("replace", "-f", stale);
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains($"Error from server (Conflict): error when replacing \"{stale}\": Operation cannot be fulfilled on configmaps \"settings\": " +
                        "the object has been modified; please apply your changes to the latest version and try again", conflict.StdErr);
        Assert.Equal("2", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a}"));
    }

    [SkippableFact]
    public async Task EditPatchesWhatTheEditorChanged()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "edit");
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=color=blue");

        // kubectl runs an editor with spaces in it through `sh -c "<editor> <file>"`.
        k.Environment["KUBE_EDITOR"] = "sed -i s/blue/green/";
        Assert.Equal("configmap/settings edited", (await k.OkAsync("edit", "configmap", "settings", "-n", ns)).Trim());
        Assert.Equal("green", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.color}"));

        // An editor that changes nothing: no PATCH is sent.
        k.Environment["KUBE_EDITOR"] = "true";
        var cancelled = await k.RunAsync("edit", "configmap", "settings", "-n", ns);
        Assert.Equal(0, cancelled.ExitCode);
        Assert.Contains("Edit cancelled, no changes made.", cancelled.StdOut + cancelled.StdErr);
    }

    [SkippableFact]
    public async Task ServerDryRunChangesNothing()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "dryrun");
        using var dir = new TempDir();

        var pod = dir.Write("pod.yaml", Pod(ns, "ghost"));
        Assert.Equal("pod/ghost created (server dry run)", (await k.OkAsync("create", "-f", pod, "--dry-run=server")).Trim());
        Assert.Contains("pods \"ghost\" not found", (await k.RunAsync("get", "pod", "ghost", "-n", ns)).StdErr);

        var cm = dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '1'"));
        Assert.Equal("configmap/settings created (server dry run)", (await k.OkAsync("apply", "-f", cm, "--dry-run=server")).Trim());
        Assert.Contains("configmaps \"settings\" not found", (await k.RunAsync("get", "configmap", "settings", "-n", ns)).StdErr);

        Assert.Equal("configmap/settings created", (await k.OkAsync("apply", "-f", cm)).Trim());
        var rv = await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");
        dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '2'"));
        Assert.Equal("configmap/settings configured (server dry run)", (await k.OkAsync("apply", "-f", cm, "--dry-run=server")).Trim());

        // kubectl puts a delete's dryRun in the DeleteOptions body, not in the query.
        Assert.Equal("configmap \"settings\" deleted (server dry run)", (await k.OkAsync("delete", "-f", cm, "--dry-run=server")).Trim());
        Assert.Equal($"1 {rv}", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a} {.metadata.resourceVersion}"));
    }

    [SkippableFact]
    public async Task DeleteReturnsOnceTheObjectIsGone()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "delete");
        using var dir = new TempDir();
        var file = dir.Write("pod.yaml", Pod(ns, "web"));
        await k.OkAsync("create", "-f", file);
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", ns, "--timeout=30s");
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1");

        // delete waits (GET, then list+watch) until the object is really gone, so the very next GET is 404.
        Assert.Equal("pod \"web\" deleted", (await k.OkAsync("delete", "pod", "web", "-n", ns, "--timeout=60s")).Trim());
        var gone = await k.RunAsync("get", "pod", "web", "-n", ns);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"web\" not found", gone.StdErr);

        Assert.Equal("configmap \"settings\" deleted", (await k.OkAsync("delete", "configmap/settings", "-n", ns)).Trim());
        Assert.Contains("Error from server (NotFound): configmaps \"settings\" not found", (await k.RunAsync("get", "configmap", "settings", "-n", ns)).StdErr);

        var missing = await k.RunAsync("delete", "pod", "web", "-n", ns);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"web\" not found", missing.StdErr);
    }
}
