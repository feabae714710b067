using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authorization.Rbac;
using MiniApiServer.Registry.Rbac;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>The bootstrap policy is reconciled at every start as kube-apiserver's post-start hook does.</summary>
public sealed class BootstrapReconcileTests(RbacServerFactory server) : IClassFixture<RbacServerFactory>
{
    ResourceRest Rest => server.Services.GetRequiredService<ResourceRest>();

    JsonObject Get(string resource, string name) =>
        Rest.Get(resource == "clusterroles" ? RbacDefinitions.ClusterRoles : RbacDefinitions.ClusterRoleBindings, "", name);

    [Fact]
    public async Task ReconcilingAgainChangesNothing()
    {
        _ = server.Admin();
        // Once the aggregation controller has filled admin (from edit, from view), nothing else writes these.
        await Rbac.Eventually(() => Task.FromResult(Get("clusterroles", "admin")["rules"]?.AsArray()
            .Any(r => r!["resources"]!.AsArray().Any(x => (string?)x == "namespaces/status")) == true), "admin aggregated");
        List<string> Versions() =>
        [
            .. BootstrapPolicy.ClusterRoles().Select(r => Get("clusterroles", r["metadata"]!["name"]!.ToString()).ResourceVersionOf()),
            .. BootstrapPolicy.ClusterRoleBindings().Select(b => Get("clusterrolebindings", b["metadata"]!["name"]!.ToString()).ResourceVersionOf()),
        ];
        var before = Versions();
        BootstrapPolicy.Ensure(Rest);
        Assert.Equal(before, Versions());
    }

    [Fact]
    public void MissingRulesSubjectsAndLabelsAreAddedBack()
    {
        _ = server.Admin();
        var options = new WriteOptions { FieldManager = "test" };
        Rest.Write(RbacDefinitions.ClusterRoles, "", "system:public-info-viewer", options, null, cur =>
        {
            cur!["rules"] = JsonNode.Parse("""[{"verbs":["get"],"nonResourceURLs":["/healthz","/extra"]}]""");
            cur["metadata"]!["labels"] = new JsonObject { ["mine"] = "yes" };
            return cur;
        });
        Rest.Write(RbacDefinitions.ClusterRoleBindings, "", "system:basic-user", options, null, cur =>
        {
            cur!["subjects"] = JsonNode.Parse("""[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"extra"}]""");
            return cur;
        });

        BootstrapPolicy.Ensure(Rest);

        var role = Get("clusterroles", "system:public-info-viewer");
        var urls = role["rules"]!.AsArray().SelectMany(r => r!["nonResourceURLs"]!.AsArray().Select(u => (string?)u)).ToList();
        Assert.Equal(["/healthz", "/extra", "/livez", "/readyz", "/version", "/version/"], urls);
        Assert.Equal("yes", (string?)role["metadata"]!["labels"]!["mine"]);
        Assert.Equal("rbac-defaults", (string?)role["metadata"]!["labels"]!["kubernetes.io/bootstrapping"]);
        var subjects = Get("clusterrolebindings", "system:basic-user")["subjects"]!.AsArray().Select(s => (string?)s!["name"]);
        Assert.Equal(["extra", "system:authenticated"], subjects);
    }

    [Fact]
    public void AutoupdateFalseProtectsAnObject()
    {
        _ = server.Admin();
        Rest.Write(RbacDefinitions.ClusterRoles, "", "system:service-account-issuer-discovery", new WriteOptions { FieldManager = "test" }, null, cur =>
        {
            cur!["metadata"]!["annotations"]![BootstrapPolicy.AutoUpdateAnnotation] = "false";
            cur["rules"] = new JsonArray();
            return cur;
        });
        BootstrapPolicy.Ensure(Rest);
        Assert.Empty(Get("clusterroles", "system:service-account-issuer-discovery")["rules"]!.AsArray());
    }
}

/// <summary>--authorization-mode=AlwaysAllow.</summary>
public sealed class AlwaysAllowServerFactory : RbacServerFactory
{
    public AlwaysAllowServerFactory() => Modes = ["AlwaysAllow"];
}

public sealed class AlwaysAllowModeTests(AlwaysAllowServerFactory server) : IClassFixture<AlwaysAllowServerFactory>
{
    [Fact]
    public async Task EveryoneMayDoAnythingAndTheRulesSaySo()
    {
        var jane = server.ClientFor("jane");
        await jane.GetAsync("/api/v1/namespaces/kube-system/secrets").Expect(HttpStatusCode.OK);
        var review = await jane.Post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{"namespace":"default"}}""").Expect(HttpStatusCode.Created);
        Assert.Equal("""[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]""", review["status"]!["resourceRules"]!.ToJsonString());
        Assert.Equal("""[{"verbs":["*"],"nonResourceURLs":["*"]}]""", review["status"]!["nonResourceRules"]!.ToJsonString());
        // Escalation checks ask the configured authorizer, so AlwaysAllow allows escalate too.
        await jane.CreateClusterRole(Rbac.Role("jane-everything", """[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]""", "ClusterRole"));
    }
}

static class JsonExtensions
{
    public static string ResourceVersionOf(this JsonObject o) => o["metadata"]!["resourceVersion"]!.ToString();
}
