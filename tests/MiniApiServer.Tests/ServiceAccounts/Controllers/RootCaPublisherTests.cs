using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>kube-controller-manager's root-ca-cert-publisher: kube-root-ca.crt in every namespace, kept as published.</summary>
public sealed class RootCaPublisherTests
{
    static readonly Registry.ResourceDefinition Cm = ConfigMapStrategy.Definition;
    const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    static bool Published(JsonObject? cm) =>
        cm is not null
        && JsonNode.DeepEquals(cm["data"], new JsonObject { ["ca.crt"] = ControllerWorld.Ca })
        && cm.Str("metadata", "annotations", "kubernetes.io/description") == Description;

    static Task<JsonObject> PublishedIn(ControllerWorld world, string ns) =>
        world.Eventually(Cm, ns, () => world.Get(Cm, ns, "kube-root-ca.crt") is { } cm && Published(cm) ? cm : null);

    [Fact]
    public async Task EveryNamespaceGetsTheClusterCa()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        var cm = await PublishedIn(world, ns);
        Assert.Null(cm["binaryData"]);
    }

    [Fact]
    public async Task ADeletedConfigMapIsPublishedAgain()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        var first = await PublishedIn(world, ns);
        world.Delete(Cm, ns, "kube-root-ca.crt");
        await world.Eventually(Cm, ns, () => world.Get(Cm, ns, "kube-root-ca.crt") is { } cm && cm.Uid() != first.Uid() && Published(cm) ? cm : null);
    }

    /// <summary>Data is put back whole (extra keys go) and the description is set again.</summary>
    [Theory]
    [InlineData("""{"data":{"ca.crt":"forged"}}""")]
    [InlineData("""{"data":{"extra":"x"}}""")]
    [InlineData("""{"metadata":{"annotations":{"kubernetes.io/description":null}}}""")]
    public async Task AChangedConfigMapIsRestored(string mergePatch)
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Legacy);
        var ns = world.NewNamespace();
        await PublishedIn(world, ns);
        world.Rest.Patch(Cm, ns, "kube-root-ca.crt", PatchTypes.Merge, JsonNode.Parse(mergePatch)!, new WriteOptions { FieldManager = "kubectl" });
        await PublishedIn(world, ns);
    }
}
