using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry.Core;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.Runtime;

/// <summary>A token issuer double: numbered tokens, recording every request.</summary>
public sealed class CountingIssuer(TimeProvider time) : IServiceAccountTokenIssuer
{
    public List<BoundTokenRequest> Requests { get; } = [];

    public string IssueLegacy(string ns, string serviceAccountName, string serviceAccountUid, string secretName) => $"legacy-{secretName}";

    public IssuedToken IssueBound(BoundTokenRequest request)
    {
        lock (Requests)
        {
            Requests.Add(request);
            return new IssuedToken($"bound-{Requests.Count}", time.GetUtcNow() + request.Lifetime);
        }
    }
}

/// <summary>The kubelet's volume plugins: what each volume kind puts in the container's files.</summary>
public sealed class PodVolumesTests : IDisposable
{
    readonly IObjectStore store = LiteDbObjectStore.InMemory();
    readonly FakeTimeProvider clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => store.Dispose();

    void Put(Registry.ResourceDefinition def, string ns, JsonObject obj) =>
        store.Create(ResourceRest.Key(def, ns, obj["metadata"]!["name"]!.GetValue<string>()), obj);

    static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    PodVolumes Volumes(IServiceAccountTokenIssuer? issuer = null) =>
        new(store, issuer is null ? [] : [issuer], new ApiAudiences(["https://kubernetes.default.svc.cluster.local"]), clock);

    static JsonObject Pod(string volumesJson)
    {
        var pod = JsonNode.Parse("""
            {"metadata":{"name":"web","namespace":"team","uid":"pod-uid","labels":{"app":"web","tier":"front"},"annotations":{"note":"a \"quoted\" value"}},
             "spec":{"serviceAccountName":"default","containers":[{"name":"c","image":"nginx"}]}}
            """)!.AsObject();
        pod["spec"]!["volumes"] = JsonNode.Parse(volumesJson);
        return pod;
    }

    static string Text(VolumeContent v, string path) => Encoding.UTF8.GetString(v.Files[path].Read());

    [Fact]
    public void SecretVolumeProjectsEveryKeyOrTheListedItemsWithTheirModes()
    {
        Put(SecretStrategy.Definition, "team", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "creds", ["namespace"] = "team" },
            ["data"] = new JsonObject { ["user"] = B64("bob"), ["pass"] = B64("pw") },
        });
        var volumes = Volumes().Build(Pod("""
            [{"name":"all","secret":{"secretName":"creds","defaultMode":256}},
             {"name":"some","secret":{"secretName":"creds","items":[{"key":"user","path":"dir/u.txt","mode":384}]}}]
            """));
        Assert.Equal(["pass", "user"], volumes["all"].Files.Keys.Order());
        Assert.Equal("bob", Text(volumes["all"], "user"));
        Assert.Equal(256, volumes["all"].Files["user"].Mode);
        Assert.Equal(["dir/u.txt"], volumes["some"].Files.Keys);
        Assert.Equal(384, volumes["some"].Files["dir/u.txt"].Mode);
    }

    [Theory]
    [InlineData("""[{"name":"v","secret":{"secretName":"nope"}}]""", "MountVolume.SetUp failed for volume \"v\" : secret \"nope\" not found")]
    [InlineData("""[{"name":"v","configMap":{"name":"nope"}}]""", "MountVolume.SetUp failed for volume \"v\" : configmap \"nope\" not found")]
    [InlineData("""[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}}]""", "MountVolume.SetUp failed for volume \"v\" : failed to fetch token: the API server has no service account token issuer configured")]
    public void AVolumeThatCannotBeSetUpFailsAsTheKubeletReports(string volumes, string message)
    {
        var e = Assert.Throws<VolumeSetupException>(() => Volumes().Build(Pod(volumes)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OptionalSourcesThatDoNotExistAreSkipped()
    {
        var volumes = Volumes().Build(Pod("""[{"name":"v","secret":{"secretName":"nope","optional":true}},{"name":"e","emptyDir":{}}]"""));
        Assert.Empty(volumes["v"].Files);
        Assert.Empty(volumes["e"].Files);
    }

    [Fact]
    public void DownwardApiWritesNamespaceNameAndFormattedMaps()
    {
        var volumes = Volumes().Build(Pod("""
            [{"name":"d","downwardAPI":{"items":[
              {"path":"namespace","fieldRef":{"fieldPath":"metadata.namespace"}},
              {"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
              {"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}},
              {"path":"app","fieldRef":{"fieldPath":"metadata.labels['app']"}}]}}]
            """));
        Assert.Equal("team", Text(volumes["d"], "namespace"));
        Assert.Equal("app=\"web\"\ntier=\"front\"", Text(volumes["d"], "labels"));
        Assert.Equal("note=\"a \\\"quoted\\\" value\"", Text(volumes["d"], "annotations"));
        Assert.Equal("web", Text(volumes["d"], "app"));
    }

    [Fact]
    public void TheBoundServiceAccountVolumeHasTokenCaAndNamespace()
    {
        Put(ServiceAccountStrategy.Definition, "team", JsonNode.Parse("""{"metadata":{"name":"default","namespace":"team","uid":"sa-uid"}}""")!.AsObject());
        Put(ConfigMapStrategy.Definition, "team", JsonNode.Parse("""{"metadata":{"name":"kube-root-ca.crt","namespace":"team"},"data":{"ca.crt":"PEM"}}""")!.AsObject());
        var issuer = new CountingIssuer(clock);
        var volumes = Volumes(issuer).Build(Pod("""
            [{"name":"kube-api-access-abcde","projected":{"defaultMode":420,"sources":[
              {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
              {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
              {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}}]
            """));
        var v = volumes["kube-api-access-abcde"];
        Assert.Equal(["ca.crt", "namespace", "token"], v.Files.Keys.Order());
        Assert.Equal("bound-1", Text(v, "token"));
        var request = Assert.Single(issuer.Requests);
        Assert.Equal(new BoundTokenRequest("team", "default", "sa-uid", ["https://kubernetes.default.svc.cluster.local"], TimeSpan.FromSeconds(3607),
            new BoundObjectReference("Pod", "web", "pod-uid"), ForKubelet: true) with { Audiences = request.Audiences }, request);
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], request.Audiences);
    }

    /// <summary>The kubelet refreshes a projected token once 80% of its lifetime passed, or after 24 hours.</summary>
    [Theory]
    [InlineData(3607, 2885, 2886)]          // 80% of 3607 s = 2885.6 s
    [InlineData(7 * 24 * 3600, 86399, 86400)] // a week-long token is refreshed after a day
    public void TheTokenIsRefreshedAt80PercentOrADay(int lifetimeSeconds, int stillOldAt, int refreshedAt)
    {
        var issuer = new CountingIssuer(clock);
        var start = clock.GetUtcNow();
        var source = new ServiceAccountTokenSource(issuer, new BoundTokenRequest("team", "default", "u", ["a"], TimeSpan.FromSeconds(lifetimeSeconds), null, true), clock);
        Assert.Equal("bound-1", source.Token());
        clock.SetUtcNow(start + TimeSpan.FromSeconds(stillOldAt));
        Assert.Equal("bound-1", source.Token());
        clock.SetUtcNow(start + TimeSpan.FromSeconds(refreshedAt));
        Assert.Equal("bound-2", source.Token());
        Assert.Equal(2, source.Issued);
    }

    [Fact]
    public void MountsOverlayTheImageAndSubPathMountsOneEntry()
    {
        var volume = new VolumeContent(new Dictionary<string, PodFile> { ["token"] = PodFile.Of("t"u8.ToArray(), 420), ["ca.crt"] = PodFile.Of("c"u8.ToArray(), 420) });
        var fs = new ContainerFileSystem(new Dictionary<string, PodFile> { ["etc/hostname"] = PodFile.Of("web\n"u8.ToArray(), 420) },
            [("/var/run/secrets/kubernetes.io/serviceaccount", volume, null), ("/etc/ca.pem", volume, "ca.crt")]);
        Assert.Equal(new FsEntry.Directory(["etc", "var"]).Names, Assert.IsType<FsEntry.Directory>(fs.Find("/")).Names);
        Assert.Equal(["ca.crt", "token"], Assert.IsType<FsEntry.Directory>(fs.Find("/var/run/secrets/kubernetes.io/serviceaccount")).Names);
        Assert.Equal("c", Encoding.UTF8.GetString(Assert.IsType<FsEntry.File>(fs.Find("/etc/ca.pem")).Content.Read()));
        Assert.Null(fs.Find("/var/run/secrets/kubernetes.io/serviceaccount/nope"));
    }
}
