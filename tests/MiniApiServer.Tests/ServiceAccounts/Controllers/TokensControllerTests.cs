using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>kube-controller-manager's tokens controller: legacy generation, filling hand-made token Secrets, cleanup.</summary>
public sealed class TokensControllerTests
{
    static readonly Registry.ResourceDefinition Sa = ServiceAccountStrategy.Definition;
    static readonly Registry.ResourceDefinition Secret = SecretStrategy.Definition;

    public static TheoryData<ServiceAccountTokenMode> Modes => [ServiceAccountTokenMode.Legacy, ServiceAccountTokenMode.Bound];

    static string Decode(JsonObject secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(secret.Str("data", key)!));

    static string HandMade(string name, string sa, string data = "") => $$$"""
        {"metadata":{"name":"{{{name}}}","annotations":{"kubernetes.io/service-account.name":"{{{sa}}}"}},"type":"kubernetes.io/service-account-token"{{{data}}}}
        """;

    [Fact]
    public async Task LegacyModelGivesEveryAccountAListedTokenSecret()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Legacy);
        var ns = world.NewNamespace();
        var sa = world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        var listed = await world.Eventually(Sa, ns, () => world.Get(Sa, ns, "robot") is { } cur && cur.ArrAt("secrets") is { Count: > 0 } s ? s : null);
        var name = listed.Single()!.Str("name")!;
        Assert.Matches(new Regex("^robot-token-[bcdfghjklmnpqrstvwxz2456789]{5}$"), name);
        Assert.Equal($$"""[{"name":"{{name}}"}]""", listed.ToJsonString());

        var secret = world.Get(Secret, ns, name)!;
        Assert.Equal("kubernetes.io/service-account-token", secret.Str("type"));
        Assert.Equal("robot", secret.Str("metadata", "annotations", "kubernetes.io/service-account.name"));
        Assert.Equal(sa.Uid(), secret.Str("metadata", "annotations", "kubernetes.io/service-account.uid"));
        Assert.Equal(RecognisableTokenIssuer.Legacy(ns, "robot", sa.Uid(), name), Decode(secret, "token"));
        Assert.Equal(ControllerWorld.Ca, Decode(secret, "ca.crt"));
        Assert.Equal(ns, Decode(secret, "namespace"));
    }

    [Fact]
    public async Task BoundModelGeneratesNoSecrets()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        // The controller works in order: once a later hand-made token is filled, the account has been seen.
        world.Create(Secret, ns, HandMade("marker", "robot"));
        await world.Eventually(Secret, ns, () => world.Get(Secret, ns, "marker")?.ObjAt("data"));
        Assert.Equal(["marker"], world.List(Secret, ns).Select(s => s.Name()));
        Assert.Null(world.Get(Sa, ns, "robot")!["secrets"]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AHandMadeTokenSecretIsFilled(ServiceAccountTokenMode mode)
    {
        await using var world = new ControllerWorld(mode);
        var ns = world.NewNamespace();
        var sa = world.Create(Sa, ns, """{"metadata":{"name":"build-robot"}}""");
        world.Create(Secret, ns, HandMade("build-robot-token", "build-robot"));
        var secret = await world.Eventually(Secret, ns, () => world.Get(Secret, ns, "build-robot-token") is { } s && s.ObjAt("data") is not null ? s : null);
        Assert.Equal(RecognisableTokenIssuer.Legacy(ns, "build-robot", sa.Uid(), "build-robot-token"), Decode(secret, "token"));
        Assert.Equal(ControllerWorld.Ca, Decode(secret, "ca.crt"));
        Assert.Equal(ns, Decode(secret, "namespace"));
        Assert.Equal(sa.Uid(), secret.Str("metadata", "annotations", "kubernetes.io/service-account.uid"));
    }

    [Fact]
    public async Task FillingKeepsATokenAndNamespaceButReplacesAWrongCa()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        world.Create(Secret, ns, HandMade("t", "robot", ""","stringData":{"token":"mine","namespace":"elsewhere","ca.crt":"old"}"""));
        var secret = await world.Eventually(Secret, ns, () => world.Get(Secret, ns, "t") is { } s && Decode(s, "ca.crt") == ControllerWorld.Ca ? s : null);
        Assert.Equal("mine", Decode(secret, "token"));
        Assert.Equal("elsewhere", Decode(secret, "namespace"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ATokenSecretOfAMissingAccountIsDeleted(ServiceAccountTokenMode mode)
    {
        await using var world = new ControllerWorld(mode);
        var ns = world.NewNamespace();
        world.Create(Secret, ns, HandMade("orphan", "nobody"));
        await world.Gone(Secret, ns, "orphan");
    }

    [Fact]
    public async Task ATokenSecretOfAnotherAccountUidIsDeleted()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        world.Create(Secret, ns, """
            {"metadata":{"name":"stale","annotations":{"kubernetes.io/service-account.name":"robot","kubernetes.io/service-account.uid":"an-earlier-robot"}},
             "type":"kubernetes.io/service-account-token"}
            """);
        await world.Gone(Secret, ns, "stale");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DeletingAnAccountDeletesItsTokenSecrets(ServiceAccountTokenMode mode)
    {
        await using var world = new ControllerWorld(mode);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        world.Create(Secret, ns, HandMade("robot-extra", "robot"));
        world.Create(Secret, ns, """{"metadata":{"name":"unrelated"},"stringData":{"k":"v"}}""");
        await world.Eventually(Secret, ns, () => world.Get(Secret, ns, "robot-extra")?.ObjAt("data"));
        world.Delete(Sa, ns, "robot");
        await world.Eventually(Secret, ns, () => world.List(Secret, ns).Select(s => s.Name()).SequenceEqual(["unrelated"]) ? "only unrelated" : null);
    }

    [Fact]
    public async Task LegacyModelReplacesADeletedTokenAndDropsItsReference()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Legacy);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"}}""");
        string? Listed() => world.Get(Sa, ns, "robot")?.ArrAt("secrets") is { Count: 1 } s ? s[0]!.Str("name") : null;
        var first = await world.Eventually(Sa, ns, Listed);
        world.Delete(Secret, ns, first);
        var second = await world.Eventually(Sa, ns, () => Listed() is { } n && n != first ? n : null);
        Assert.NotNull(world.Get(Secret, ns, second));
        Assert.Null(world.Get(Secret, ns, first));
    }

    [Fact]
    public async Task BoundModelDropsTheReferenceToADeletedTokenSecret()
    {
        await using var world = new ControllerWorld(ServiceAccountTokenMode.Bound);
        var ns = world.NewNamespace();
        world.Create(Sa, ns, """{"metadata":{"name":"robot"},"secrets":[{"name":"robot-token"},{"name":"other"}]}""");
        world.Create(Secret, ns, HandMade("robot-token", "robot"));
        await world.Eventually(Secret, ns, () => world.Get(Secret, ns, "robot-token")?.ObjAt("data"));
        world.Delete(Secret, ns, "robot-token");
        var secrets = await world.Eventually(Sa, ns, () => world.Get(Sa, ns, "robot")!.ArrAt("secrets") is { Count: 1 } s ? s : null);
        Assert.Equal("""[{"name":"other"}]""", secrets.ToJsonString());
    }
}
