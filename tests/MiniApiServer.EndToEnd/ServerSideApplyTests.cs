using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// Server-side apply as kubectl drives it: create and update through application/apply-patch+yaml,
/// managedFields per manager, conflicts between managers, --force-conflicts, and kubectl's migration
/// from client-side to server-side apply.
/// </summary>
public sealed class ServerSideApplyTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    static string ConfigMap(string ns, string name, string data) => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{name}}
          namespace: {{ns}}
        data: {{{data}}}
        """;

    static string Pod(string ns, string name) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels: {"{"}app: web{"}"}
        spec:
          containers:
          - name: main
            image: nginx
        """;

    /// <summary>One managedFields entry as kubectl shows it with --show-managed-fields.</summary>
    sealed record ManagedEntry(string Manager, string Operation, JsonElement Fields)
    {
        /// <summary>Whether the entry's FieldsV1 set holds the path, e.g. ("f:data", "f:a").</summary>
        public bool Owns(params string[] path)
        {
            var e = Fields;
            foreach (var step in path)
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(step, out e)) return false;
            return true;
        }

        public override string ToString() => $"{Manager}/{Operation}: {Fields}";
    }

    static async Task<List<ManagedEntry>> ManagedFieldsAsync(Kubectl k, string ns, string resource)
    {
        using var doc = JsonDocument.Parse(await k.OkAsync("get", resource, "-n", ns, "-o", "json", "--show-managed-fields"));
        var list = new List<ManagedEntry>();
        if (!doc.RootElement.GetProperty("metadata").TryGetProperty("managedFields", out var mf)) return list;
        foreach (var e in mf.EnumerateArray())
            list.Add(new(e.GetProperty("manager").GetString()!, e.GetProperty("operation").GetString()!, e.GetProperty("fieldsV1").Clone()));
        return list;
    }

    [SkippableFact]
    public async Task ServerSideApplyCreatesUpdatesAndRecordsTheManager()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "ssa");
        using var dir = new TempDir();
        var file = dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '1', b: '2'"));

        // The apply PATCH creates the object when it is absent.
        Assert.Equal("configmap/settings serverside-applied", (await k.OkAsync("apply", "--server-side", "-f", file)).Trim());
        dir.Write("cm.yaml", ConfigMap(ns, "settings", "a: '1', c: '3'"));
        Assert.Equal("configmap/settings serverside-applied", (await k.OkAsync("apply", "--server-side", "-f", file)).Trim());
        // b was the applier's alone and left its configuration, so apply removed it.
        Assert.Equal("{\"a\":\"1\",\"c\":\"3\"}", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}"));

        var yaml = await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml", "--show-managed-fields");
        Assert.Contains("managedFields:", yaml);
        Assert.Contains("manager: kubectl", yaml);
        Assert.Contains("operation: Apply", yaml);
        Assert.DoesNotContain("managedFields:", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml"));

        var kubectlEntry = Assert.Single(await ManagedFieldsAsync(k, ns, "configmap/settings"), e => e.Manager == "kubectl");
        Assert.Equal("Apply", kubectlEntry.Operation);
        Assert.True(kubectlEntry.Owns("f:data", "f:a") && kubectlEntry.Owns("f:data", "f:c") && !kubectlEntry.Owns("f:data", "f:b"), kubectlEntry.ToString());
    }

    [SkippableFact]
    public async Task ASecondManagerConflictsUntilItForcesTheField()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "ssaconflict");
        using var dir = new TempDir();
        var mine = dir.Write("mine.yaml", ConfigMap(ns, "settings", "a: '1', b: '2'"));
        var theirs = dir.Write("theirs.yaml", ConfigMap(ns, "settings", "a: '9'"));
        await k.OkAsync("apply", "--server-side", "-f", mine);

        var conflict = await k.RunAsync("apply", "--server-side", "--field-manager=other", "-f", theirs);
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("error: Apply failed with 1 conflict: conflict with \"kubectl\": .data.a", conflict.StdErr);
        Assert.Contains("--force-conflicts", conflict.StdErr);
        Assert.Equal("1", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a}"));

        // The same value is no conflict: both managers then share the field.
        var same = dir.Write("same.yaml", ConfigMap(ns, "settings", "b: '2'"));
        await k.OkAsync("apply", "--server-side", "--field-manager=sharer", "-f", same);

        Assert.Equal("configmap/settings serverside-applied", (await k.OkAsync("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", theirs)).Trim());
        Assert.Equal("9 2", await k.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.a} {.data.b}"));

        var entries = await ManagedFieldsAsync(k, ns, "configmap/settings");
        var kubectl = Assert.Single(entries, e => e.Manager == "kubectl");
        var other = Assert.Single(entries, e => e.Manager == "other");
        var sharer = Assert.Single(entries, e => e.Manager == "sharer");
        Assert.True(other.Owns("f:data", "f:a"), other.ToString());
        Assert.False(kubectl.Owns("f:data", "f:a"), "a forced field leaves its old manager: " + kubectl);
        Assert.True(kubectl.Owns("f:data", "f:b") && sharer.Owns("f:data", "f:b"), string.Join("\n", entries));
    }

    public static TheoryData<string> MigratedKinds => new() { "configmap", "pod" };

    /// <summary>
    /// kubectl 1.32's apply --server-side on an object last written by client-side apply: it applies, applies the
    /// last-applied annotation as manager kubectl-last-applied, rewrites managedFields with a JSON patch so
    /// kubectl-client-side-apply's fields go to manager "kubectl" (operation Apply), then applies again.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(MigratedKinds))]
    public async Task ClientSideApplyMigratesToServerSideApply(string kind)
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "migrate");
        using var dir = new TempDir();
        var file = dir.Write("obj.yaml", kind == "pod" ? Pod(ns, "obj") : ConfigMap(ns, "obj", "a: '1'"));

        Assert.Equal($"{kind}/obj created", (await k.OkAsync("apply", "-f", file)).Trim());
        Assert.Contains(await ManagedFieldsAsync(k, ns, $"{kind}/obj"), e => e is { Manager: "kubectl-client-side-apply", Operation: "Update" });

        var ssa = await k.RunAsync("apply", "--server-side", "-f", file);
        Assert.Equal(0, ssa.ExitCode);
        Assert.Equal($"{kind}/obj serverside-applied", ssa.StdOut.Trim());
        // kubectl prints this warning when the final re-apply of the migration is refused by the server.
        Assert.False(ssa.StdErr.Contains("failed to re-apply configuration after performing Server-Side Apply migration"), ssa.ToString());

        var entries = await ManagedFieldsAsync(k, ns, $"{kind}/obj");
        Assert.DoesNotContain(entries, e => e.Manager == "kubectl-client-side-apply");
        var applier = Assert.Single(entries, e => e.Manager == "kubectl");
        Assert.Equal("Apply", applier.Operation);
        Assert.True(kind == "pod"
            ? applier.Owns("f:metadata", "f:labels", "f:app") && applier.Owns("f:spec", "f:containers", "k:{\"name\":\"main\"}", "f:image")
            : applier.Owns("f:data", "f:a"), applier.ToString());
        Assert.Contains(entries, e => e is { Manager: "kubectl-last-applied", Operation: "Apply" } && e.Owns("f:metadata", "f:annotations", "f:kubectl.kubernetes.io/last-applied-configuration"));

        // Applying the same manifest again afterwards changes nothing and needs no migration.
        var rv = await k.OkAsync("get", kind, "obj", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");
        var again = await k.RunAsync("apply", "--server-side", "-f", file);
        Assert.True(again.ExitCode == 0 && again.StdErr.Trim() == "", again.ToString());
        if (kind == "configmap")
            Assert.Equal(rv, await k.OkAsync("get", kind, "obj", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"));
    }
}
