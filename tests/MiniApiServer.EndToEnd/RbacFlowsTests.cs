using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// RBAC as an administrator drives it with real kubectl: <c>auth reconcile</c>, the <c>create clusterrole</c>
/// and <c>create clusterrolebinding</c> generators, plain manifests of the four kinds through <c>apply</c>, and
/// <c>auth can-i</c> (one question, or <c>--list</c>) answered as kube answers, exit codes included.
/// (Service accounts gaining rights through a RoleBinding, and escalation, are in IdentitiesAndRbacTests.)
/// </summary>
public sealed partial class RbacFlowsTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    static string Suffix() => Guid.NewGuid().ToString("N")[..6];

    [SkippableFact]
    public async Task AuthReconcileCreatesThenAddsWhatIsMissingAndRemovesExtrasOnlyWhenAsked()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "reconcile");
        var s = Suffix();
        using var dir = new TempDir();
        string Manifest(string verbs, string users)
        {
            var subjects = string.Join(", ", users.Split(',').Select(u => "{apiGroup: rbac.authorization.k8s.io, kind: User, name: " + u + "}"));
            return dir.Write("rbac.yaml", $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: pod-reader, namespace: {{ns}}}
            rules: [{apiGroups: [""], resources: [pods], verbs: [{{verbs}}]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: readers, namespace: {{ns}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
            subjects: [{{subjects}}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: node-viewer-{{s}}}
            rules: [{apiGroups: [""], resources: [nodes], verbs: [{{verbs}}]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: node-viewers-{{s}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-viewer-{{s}}}
            subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: qa-{{s}}}]
            """);
        }
        string[] reconciled =
        [
            "role.rbac.authorization.k8s.io/pod-reader reconciled", "rolebinding.rbac.authorization.k8s.io/readers reconciled",
            $"clusterrole.rbac.authorization.k8s.io/node-viewer-{s} reconciled", $"clusterrolebinding.rbac.authorization.k8s.io/node-viewers-{s} reconciled",
        ];

        // 1. Nothing exists: reconcile creates all four.
        var created = await admin.RunAsync("auth", "reconcile", "-f", Manifest("get, list", "jane"));
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(reconciled, Lines(created.StdOut));
        Assert.Equal(4, Regex.Count(created.StdErr, "reconciliation required create"));
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "list", "pods", "-n", ns, "--as", "jane")).Trim());
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "list", "nodes", "--as", "kim", "--as-group", $"qa-{s}")).Trim());

        // 2. The same file again: nothing to do.
        var again = await admin.RunAsync("auth", "reconcile", "-f", Manifest("get, list", "jane"));
        Assert.Equal((0, ""), (again.ExitCode, again.StdErr));

        // 3. Another verb and subject: reconcile adds them and keeps what the objects already had.
        var updated = await admin.RunAsync("auth", "reconcile", "-f", Manifest("watch", "jane,joe"));
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Contains("reconciliation required update", updated.StdErr);
        Assert.Equal(["get", "list", "watch"], await RoleVerbsAsync(admin, "role", "pod-reader", ns));
        Assert.Equal(["jane", "joe"], await SubjectsAsync(admin, "rolebinding", "readers", ns));

        // 4. --remove-extra-permissions/--remove-extra-subjects make the objects exactly the file.
        var exact = await admin.RunAsync("auth", "reconcile", "-f", Manifest("watch", "joe"), "--remove-extra-permissions", "--remove-extra-subjects");
        Assert.True(exact.ExitCode == 0, exact.ToString());
        Assert.Equal(["watch"], await RoleVerbsAsync(admin, "role", "pod-reader", ns));
        Assert.Equal(["watch"], await RoleVerbsAsync(admin, "clusterrole", $"node-viewer-{s}", null));
        Assert.Equal(["joe"], await SubjectsAsync(admin, "rolebinding", "readers", ns));
        var jane = await admin.RunAsync("auth", "can-i", "watch", "pods", "-n", ns, "--as", "jane");
        Assert.Equal((1, "no"), (jane.ExitCode, jane.StdOut.Trim()));
    }

    [SkippableFact]
    public async Task CreateClusterRoleAndClusterRoleBindingGrantAcrossNamespacesAndNonResourceUrls()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "audited");
        await admin.OkAsync("create", "configmap", "app-settings", "--from-literal=mode=demo", "-n", ns);
        var s = Suffix();
        var user = $"auditor-{s}";
        var denied = await admin.RunAsync("get", "configmaps", "-A", "--as", user);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains($"Error from server (Forbidden): configmaps is forbidden: User \"{user}\" cannot list resource \"configmaps\" in API group \"\" at the cluster scope", denied.StdErr);

        Assert.Equal($"clusterrole.rbac.authorization.k8s.io/cm-reader-{s} created",
            (await admin.OkAsync("create", "clusterrole", $"cm-reader-{s}", "--verb=get,list", "--resource=configmaps")).Trim());
        Assert.Equal($"clusterrole.rbac.authorization.k8s.io/logs-{s} created",
            (await admin.OkAsync("create", "clusterrole", $"logs-{s}", "--verb=get", "--non-resource-url=/logs/*")).Trim());
        Assert.Equal($"clusterrolebinding.rbac.authorization.k8s.io/cm-readers-{s} created",
            (await admin.OkAsync("create", "clusterrolebinding", $"cm-readers-{s}", $"--clusterrole=cm-reader-{s}", $"--user={user}")).Trim());
        await admin.OkAsync("create", "clusterrolebinding", $"logs-{s}", $"--clusterrole=logs-{s}", $"--group=log-readers-{s}");

        var cms = await admin.OkAsync("get", "configmaps", "-A", "--as", user);
        Assert.Matches($@"(?m)^{ns}\s+app-settings\s+1\s", cms);
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "get", "configmaps", "-n", "kube-system", "--as", user)).Trim());
        var write = await admin.RunAsync("auth", "can-i", "delete", "configmaps", "-n", "default", "--as", user);
        Assert.Equal((1, "no"), (write.ExitCode, write.StdOut.Trim()));
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "get", "/logs/kubelet.log", "--as", user, "--as-group", $"log-readers-{s}")).Trim());
        var logs = await admin.RunAsync("auth", "can-i", "get", "/logs/kubelet.log", "--as", user);
        Assert.Equal((1, "no"), (logs.ExitCode, logs.StdOut.Trim()));
    }

    [SkippableFact]
    public async Task AnAggregatedClusterRoleCollectsTheRulesOfLabelledClusterRoles()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var s = Suffix();
        var label = $"example.com/aggregate-to-monitoring-{s}";
        await admin.OkAsync("create", "clusterrole", $"monitoring-{s}", $"--aggregation-rule={label}=true");
        await admin.OkAsync("create", "clusterrole", $"monitoring-pods-{s}", "--verb=get,list", "--resource=pods");
        await admin.OkAsync("label", "clusterrole", $"monitoring-pods-{s}", $"{label}=true");
        await admin.OkAsync("create", "clusterrolebinding", $"monitoring-{s}", $"--clusterrole=monitoring-{s}", $"--user=prom-{s}");
        // The aggregation controller fills the aggregated role's rules; kubectl auth can-i sees them once it has.
        await Eventually.HoldsAsync(() => admin.RunAsync("auth", "can-i", "list", "pods", "-A", "--as", $"prom-{s}"), r => r.ExitCode == 0, "the aggregated rules granted");
        Assert.Equal(["get", "list"], await RoleVerbsAsync(admin, "clusterrole", $"monitoring-{s}", null));
    }

    [SkippableFact]
    public async Task PlainManifestsOfTheFourKindsApplyCreateThenConfigure()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "apply-rbac");
        var s = Suffix();
        using var dir = new TempDir();
        string Manifest(string secretVerbs) => dir.Write("rbac.yaml", $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: secret-reader
              namespace: {{ns}}
            rules:
            - apiGroups: [""]
              resources: ["secrets"]
              verbs: [{{secretVerbs}}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: read-secrets
              namespace: {{ns}}
            subjects:
            - kind: User
              name: dev-{{s}}
              apiGroup: rbac.authorization.k8s.io
            roleRef:
              kind: Role
              name: secret-reader
              apiGroup: rbac.authorization.k8s.io
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: ns-viewer-{{s}}
            rules:
            - apiGroups: [""]
              resources: ["namespaces"]
              verbs: ["get", "list", "watch"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: ns-viewers-{{s}}
            subjects:
            - kind: Group
              name: devs-{{s}}
              apiGroup: rbac.authorization.k8s.io
            roleRef:
              kind: ClusterRole
              name: ns-viewer-{{s}}
              apiGroup: rbac.authorization.k8s.io
            """);
        string[] Names(string outcome) =>
        [
            $"role.rbac.authorization.k8s.io/secret-reader {outcome}", $"rolebinding.rbac.authorization.k8s.io/read-secrets {outcome}",
            $"clusterrole.rbac.authorization.k8s.io/ns-viewer-{s} {outcome}", $"clusterrolebinding.rbac.authorization.k8s.io/ns-viewers-{s} {outcome}",
        ];

        Assert.Equal(Names("created"), Lines(await admin.OkAsync("apply", "-f", Manifest("\"get\""))));
        Assert.Equal(Names("unchanged"), Lines(await admin.OkAsync("apply", "-f", Manifest("\"get\""))));
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "get", "secrets", "-n", ns, "--as", $"dev-{s}")).Trim());
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "list", "namespaces", "--as", "someone", "--as-group", $"devs-{s}")).Trim());
        var list = await admin.RunAsync("auth", "can-i", "list", "secrets", "-n", ns, "--as", $"dev-{s}");
        Assert.Equal((1, "no"), (list.ExitCode, list.StdOut.Trim()));

        var configured = Lines(await admin.OkAsync("apply", "-f", Manifest("\"get\", \"list\"")));
        Assert.Equal([$"role.rbac.authorization.k8s.io/secret-reader configured", .. Names("unchanged").Skip(1)], configured);
        Assert.Equal("yes", (await admin.OkAsync("auth", "can-i", "list", "secrets", "-n", ns, "--as", $"dev-{s}")).Trim());
        Assert.Equal(["get", "list"], await RoleVerbsAsync(admin, "role", "secret-reader", ns));
    }

    /// <summary>One <c>kubectl auth can-i</c> question and kube's answer: stdout and exit code (0 yes, 1 no).</summary>
    public sealed record Question(string[] Args, string Answer, int ExitCode)
    {
        public override string ToString() => $"can-i {string.Join(' ', Args)} → {Answer}";
    }

    [SkippableFact]
    public async Task CanIAsAUserAndGroupsAnswersAsKube()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "can-i");
        var s = Suffix();
        await admin.OkAsync("create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", ns);
        await admin.OkAsync("create", "rolebinding", "qa-reads", "--role=pod-reader", $"--group=qa-{s}", "-n", ns);
        await admin.OkAsync("create", "rolebinding", "dangling", "--role=missing", $"--user=dana-{s}", "-n", ns);

        Question[] table =
        [
            new(["list", "pods", "-n", ns, "--as", "jane", "--as-group", $"qa-{s}"], "yes", 0),
            new(["get", "pods/web", "-n", ns, "--as", "jane", "--as-group", $"qa-{s}"], "yes", 0),
            new(["list", "pods", "-n", ns, "--as", "jane"], "no", 1),
            new(["delete", "pods", "-n", ns, "--as", "jane", "--as-group", $"qa-{s}"], "no", 1),
            new(["list", "pods", "-n", "default", "--as", "jane", "--as-group", $"qa-{s}"], "no", 1),
            new(["get", "pods", "--subresource=log", "-n", ns, "--as", "jane", "--as-group", $"qa-{s}"], "no", 1),
            // RBAC's reason when a binding names a role that does not exist (kube: "RBAC: " + the lookup error).
            new(["list", "pods", "-n", ns, "--as", $"dana-{s}"], $"no - RBAC: role.rbac.authorization.k8s.io \"missing\" not found", 1),
            new(["create", "selfsubjectreviews.authentication.k8s.io", "--as", "jane"], "yes", 0),
            new(["get", "/healthz", "--as", "jane"], "yes", 0),
            new(["delete", "nodes", "--as", "jane", "--as-group", "system:masters"], "yes", 0),
            new(["list", "secrets", "-n", ns, "--as", $"system:serviceaccount:{ns}:robot"], "no", 1),
        ];
        foreach (var q in table)
        {
            var r = await admin.RunAsync(["auth", "can-i", .. q.Args]);
            Assert.True((r.StdOut.Trim(), r.ExitCode) == (q.Answer, q.ExitCode), $"{q}: got {r}");
        }
        // can-i asks with a SelfSubjectAccessReview as the impersonated user, which anonymous may not create: no answer at all.
        var anonymous = await admin.RunAsync("auth", "can-i", "get", "/apis", "--as", "system:anonymous", "--as-group", "system:unauthenticated");
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Contains("Error from server (Forbidden): selfsubjectaccessreviews.authorization.k8s.io is forbidden: User \"system:anonymous\" cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope", anonymous.StdErr);
    }

    [SkippableFact]
    public async Task CanIListShowsAUsersRulesInANamespace()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var admin = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(admin, "can-i-list");
        var s = Suffix();
        await admin.OkAsync("create", "role", "cm-editor", "--verb=get,list,create,update", "--resource=configmaps", "--resource-name=app-config", "-n", ns);
        await admin.OkAsync("create", "rolebinding", "cm-editors", "--role=cm-editor", $"--user=ed-{s}", "-n", ns);

        var list = await admin.OkAsync("auth", "can-i", "--list", "-n", ns, "--as", $"ed-{s}");
        Assert.Matches(@"^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n", list);
        Assert.Matches(@"(?m)^configmaps\s+\[\]\s+\[app-config\]\s+\[get list create update\]$", list);
        // Every authenticated user's rules (system:basic-user, system:discovery, system:public-info-viewer).
        Assert.Matches(@"(?m)^selfsubjectreviews\.authentication\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$", list);
        Assert.Matches(@"(?m)^\s+\[/version\]\s+\[\]\s+\[get\]$", list);

        // Another namespace: only what every authenticated user has.
        var elsewhere = await admin.OkAsync("auth", "can-i", "--list", "-n", "default", "--as", $"ed-{s}");
        Assert.DoesNotContain("configmaps", elsewhere);
        Assert.Contains("selfsubjectrulesreviews.authorization.k8s.io", elsewhere);
    }

    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static async Task<string[]> RoleVerbsAsync(Kubectl admin, string kind, string name, string? ns)
    {
        var json = await admin.OkAsync([.. new[] { "get", kind, name, "-o", "json" }, .. ns is null ? Array.Empty<string>() : ["-n", ns]]);
        return [.. JsonDocument.Parse(json).RootElement.GetProperty("rules").EnumerateArray()
            .SelectMany(r => r.GetProperty("verbs").EnumerateArray().Select(v => v.GetString()!)).Order(StringComparer.Ordinal)];
    }

    static async Task<string[]> SubjectsAsync(Kubectl admin, string kind, string name, string ns)
    {
        var json = await admin.OkAsync("get", kind, name, "-n", ns, "-o", "json");
        return [.. JsonDocument.Parse(json).RootElement.GetProperty("subjects").EnumerateArray().Select(x => x.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];
    }
}
