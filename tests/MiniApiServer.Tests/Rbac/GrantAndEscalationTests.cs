using System.Net;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>Granting through roles and bindings, and kube's privilege-escalation prevention.</summary>
public sealed class GrantAndEscalationTests(RbacServerFactory server) : IClassFixture<RbacServerFactory>
{
    const string ReadPods = """[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]}]""";

    [Fact]
    public async Task AServiceAccountGrantedARoleCanListPodsInThatNamespaceOnly()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        var other = await admin.NewNamespace();
        var robot = server.ServiceAccount(ns, "robot");
        await robot.GetAsync($"/api/v1/namespaces/{ns}/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"pods is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"");

        await admin.CreateRole(ns, "pod-reader", ReadPods);
        // A ServiceAccount subject without a namespace is the binding's namespace's.
        await admin.CreateRoleBinding(ns, "robot-reads", "Role", "pod-reader", """[{"kind":"ServiceAccount","name":"robot"}]""");

        await robot.GetAsync($"/api/v1/namespaces/{ns}/pods").Expect(HttpStatusCode.OK);
        await robot.GetAsync($"/api/v1/namespaces/{other}/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");
        await robot.GetAsync($"/api/v1/namespaces/{ns}/secrets").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");

        await admin.DeleteAsync($"{Rbac.Root}/namespaces/{ns}/rolebindings/robot-reads").Expect(HttpStatusCode.OK);
        await robot.GetAsync($"/api/v1/namespaces/{ns}/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task AClusterRoleBoundInANamespaceGrantsThereAndAClusterBindingEverywhere()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        var user = "u-" + Guid.NewGuid().ToString("N")[..8];
        var client = server.ClientFor(user);
        await admin.CreateRoleBinding(ns, "view", "ClusterRole", "view", Rbac.User(user));
        await client.GetAsync($"/api/v1/namespaces/{ns}/configmaps").Expect(HttpStatusCode.OK);
        await client.GetAsync("/api/v1/namespaces/default/configmaps").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");

        await admin.CreateClusterRoleBinding(user + "-view", "view", Rbac.User(user));
        await client.GetAsync("/api/v1/namespaces/default/configmaps").Expect(HttpStatusCode.OK);
        await client.GetAsync("/api/v1/configmaps").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AGroupSubjectGrantsItsMembers()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "sa-view", "ClusterRole", "view", $$$"""[{"kind":"Group","name":"system:serviceaccounts:{{{ns}}}"}]""");
        await server.ServiceAccount(ns, "anyone").GetAsync($"/api/v1/namespaces/{ns}/pods").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AMissingRoleIsTheReasonOfThe403()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "dangling", "ClusterRole", "no-such-role", Rbac.User("dora"));
        await server.ClientFor("dora").GetAsync($"/api/v1/namespaces/{ns}/pods").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"pods is forbidden: User \"dora\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\": RBAC: clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found");
    }

    [Fact]
    public async Task NamedRulesAllowGetButNotList()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.Post($"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"}}""").Expect(HttpStatusCode.Created);
        await admin.CreateRole(ns, "app-config", """[{"apiGroups":[""],"resources":["configmaps"],"resourceNames":["app"],"verbs":["get","list"]}]""");
        await admin.CreateRoleBinding(ns, "app-config", "Role", "app-config", Rbac.User("nina"));
        var nina = server.ClientFor("nina");
        await nina.GetAsync($"/api/v1/namespaces/{ns}/configmaps/app").Expect(HttpStatusCode.OK);
        await nina.GetAsync($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%3Dapp").Expect(HttpStatusCode.OK);
        await nina.GetAsync($"/api/v1/namespaces/{ns}/configmaps").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"configmaps is forbidden: User \"nina\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"");
    }

    /// <summary>jane may write roles and rolebindings in her namespace and read pods there, nothing more.</summary>
    async Task<(string Ns, HttpClient Jane, string Name)> RoleWriter()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        var name = "jane-" + Guid.NewGuid().ToString("N")[..6];
        await admin.CreateRole(ns, "rbac-writer",
            """[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles","rolebindings"],"verbs":["create","update","patch","get"]},{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]""");
        await admin.CreateRoleBinding(ns, "rbac-writer", "Role", "rbac-writer", Rbac.User(name));
        return (ns, server.ClientFor(name, "dev"), name);
    }

    [Fact]
    public async Task ARoleGrantingWhatTheUserHoldsMayBeCreated()
    {
        var (ns, jane, _) = await RoleWriter();
        await jane.CreateRole(ns, "pod-getter", """[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]""");
    }

    [Fact]
    public async Task ARoleGrantingMoreIsForbiddenWithKubesMessage()
    {
        var (ns, jane, name) = await RoleWriter();
        await jane.Post($"{Rbac.Root}/namespaces/{ns}/roles",
                Rbac.Role("too-much", """[{"apiGroups":[""],"resources":["pods","secrets"],"verbs":["get","delete"]}]"""))
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                $"roles.rbac.authorization.k8s.io \"too-much\" is forbidden: user \"{name}\" (groups=[\"dev\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n"
                + "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\"]}");
    }

    [Fact]
    public async Task TheEscalateVerbAllowsWritingAnyRole()
    {
        var (ns, jane, name) = await RoleWriter();
        await server.Admin().CreateRole(ns, "escalator", """[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"],"verbs":["escalate"]}]""");
        await server.Admin().CreateRoleBinding(ns, "escalator", "Role", "escalator", Rbac.User(name));
        await jane.CreateRole(ns, "everything", """[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]""");
    }

    [Fact]
    public async Task BindingARoleTheUserDoesNotHoldIsForbiddenUnlessItMayBindIt()
    {
        var (ns, jane, name) = await RoleWriter();
        var admin = server.Admin();
        await jane.Post($"{Rbac.Root}/namespaces/{ns}/rolebindings", Rbac.Binding("edit", "ClusterRole", "edit", Rbac.User("bob")))
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");
        // A binding to what the user holds is fine.
        await admin.CreateRole(ns, "pods-only", """[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]""");
        await jane.CreateRoleBinding(ns, "bob-pods", "Role", "pods-only", Rbac.User("bob"));
        // bind on that one ClusterRole, in this namespace.
        await admin.CreateRole(ns, "binder", """[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"verbs":["bind"],"resourceNames":["edit"]}]""");
        await admin.CreateRoleBinding(ns, "binder", "Role", "binder", Rbac.User(name));
        await jane.CreateRoleBinding(ns, "edit", "ClusterRole", "edit", Rbac.User("bob"));
        await jane.Post($"{Rbac.Root}/namespaces/{ns}/rolebindings", Rbac.Binding("admin", "ClusterRole", "admin", Rbac.User("bob")))
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task BindingAMissingRoleIsForbiddenWithTheLookupError()
    {
        var (ns, jane, _) = await RoleWriter();
        await jane.Post($"{Rbac.Root}/namespaces/{ns}/rolebindings", Rbac.Binding("ghost", "Role", "ghost", Rbac.User("bob")))
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                "rolebindings.rbac.authorization.k8s.io \"ghost\" is forbidden: role.rbac.authorization.k8s.io \"ghost\" not found");
    }

    [Fact]
    public async Task SettingAnAggregationRuleNeedsClusterAdmin()
    {
        var name = "agg-" + Guid.NewGuid().ToString("N")[..6];
        var user = server.ClientFor(name);
        await server.Admin().CreateClusterRole(Rbac.Role(name + "-writer", """[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"verbs":["create"]}]""", "ClusterRole"));
        await server.Admin().CreateClusterRoleBinding(name + "-writer", name + "-writer", Rbac.User(name));
        await user.Post($"{Rbac.Root}/clusterroles",
                $$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{{name}}}"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"x":"y"}}]}}""")
            .ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
                $"clusterroles.rbac.authorization.k8s.io \"{name}\" is forbidden: must have cluster-admin privileges to use the aggregationRule");
    }

    [Fact]
    public async Task ACustomAggregatedRoleFollowsTheRolesItSelects()
    {
        var admin = server.Admin();
        var label = "agg-" + Guid.NewGuid().ToString("N")[..6];
        await admin.CreateClusterRole($$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{{label}}}"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"{{{label}}}":"true"}}]}}""");
        await admin.CreateClusterRole($$$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{{label}}}-part","labels":{"{{{label}}}":"true"}},"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]}]}""");
        async Task<int> RuleCount() => ((await admin.GetAsync($"{Rbac.Root}/clusterroles/{label}").Expect(HttpStatusCode.OK))["rules"]?.AsArray() ?? []).Count;
        await Rbac.Eventually(async () => await RuleCount() == 1, "the part's rule is aggregated");
        await admin.DeleteAsync($"{Rbac.Root}/clusterroles/{label}-part").Expect(HttpStatusCode.OK);
        await Rbac.Eventually(async () => await RuleCount() == 0, "the deleted part's rule is gone");
    }

    [Fact]
    public async Task BindingsValidateAsKubeDoes()
    {
        var admin = server.Admin();
        var ns = await admin.NewNamespace();
        await admin.CreateRoleBinding(ns, "b", "ClusterRole", "view", Rbac.User("x"));
        var b = await admin.GetAsync($"{Rbac.Root}/namespaces/{ns}/rolebindings/b").Expect(HttpStatusCode.OK);
        b["roleRef"]!["name"] = "edit";
        var status = await admin.Put($"{Rbac.Root}/namespaces/{ns}/rolebindings/b", b.ToJsonString()).ExpectStatus((HttpStatusCode)422, "Invalid");
        Assert.Contains("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef", (string?)status["message"]);

        var bad = await admin.Post($"{Rbac.Root}/clusterrolebindings",
                """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"bad/name"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"ServiceAccount","name":"robot"},{"kind":"Robot","name":"r2"}]}""")
            .ExpectStatus((HttpStatusCode)422, "Invalid");
        var message = (string?)bad["message"];
        Assert.Contains("metadata.name: Invalid value: \"bad/name\": may not contain '/'", message);
        Assert.Contains("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"", message);
        Assert.Contains("subjects[0].namespace: Required value", message);
        Assert.Contains("subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"", message);

        // roleRef.apiGroup and User/Group subjects' apiGroup are defaulted.
        var created = await admin.CreateRoleBinding(ns, "defaults", "ClusterRole", "view", """[{"kind":"User","name":"x"}]""");
        Assert.Equal("rbac.authorization.k8s.io", (string?)created["subjects"]![0]!["apiGroup"]);
    }
}
