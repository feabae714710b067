using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MiniApiServer.Admission;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry.Core;
using static MiniApiServer.Tests.ServiceAccounts.Admission.AdmissionWorld;

namespace MiniApiServer.Tests.ServiceAccounts.Admission;

/// <summary>kube's ServiceAccount admission plugin, on pod CREATE, in both token models.</summary>
public sealed class ServiceAccountAdmissionTests
{
    const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    const string Web = """{"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";

    public static TheoryData<ServiceAccountTokenMode> Modes => [ServiceAccountTokenMode.Legacy, ServiceAccountTokenMode.Bound];

    /// <summary>A world whose "default" account can be mounted in either model.</summary>
    static AdmissionWorld World(ServiceAccountTokenMode mode)
    {
        var world = new AdmissionWorld(mode);
        world.Token(world.Account("default"), "default-token-abcde");
        return world;
    }

    static JsonArray Mounts(JsonObject pod, string list = "containers", int i = 0) => pod.ArrAt("spec", list)![i]!.ArrAt("volumeMounts") ?? [];

    [Theory]
    [MemberData(nameof(Modes))]
    public void APodWithoutAnAccountRunsAsDefaultAndTheAliasFollows(ServiceAccountTokenMode mode)
    {
        using var world = World(mode);
        var pod = world.Admit(Pod(Web));
        Assert.Equal("default", pod.Str("spec", "serviceAccountName"));
        Assert.Equal("default", pod.Str("spec", "serviceAccount"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void AMissingAccountIsForbiddenWithKubesMessage(ServiceAccountTokenMode mode)
    {
        using var world = World(mode);
        var pod = Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""");
        var e = Assert.Throws<ApiException>(() => world.Admit(pod));
        Assert.Equal(403, e.Code);
        Assert.Equal("Forbidden", e.Status.Reason);
        Assert.Equal("pods \"web\" is forbidden: error looking up service account team/robot: serviceaccount \"robot\" not found", e.Status.Message);
        Assert.Equal("pods", e.Status.Details.Kind);
        Assert.Equal("web", e.Status.Details.Name);
    }

    [Fact]
    public void AMissingDefaultAccountIsForbiddenOnceTheWaitIsOver()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Bound);
        var e = Assert.Throws<ApiException>(() => world.Admit(Pod(Web)));
        Assert.Equal("pods \"web\" is forbidden: error looking up service account team/default: serviceaccount \"default\" not found", e.Status.Message);
    }

    [Fact]
    public async Task TheDefaultAccountIsWaitedForWhileItsControllerCreatesIt()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Bound, defaultAccountWait: TimeSpan.FromSeconds(20));
        var admitted = Task.Run(() => world.Admit(Pod(Web)));
        await world.WatchStarted;
        world.Account("default");
        var pod = await admitted;
        Assert.Equal("default", pod.Str("spec", "serviceAccountName"));
    }

    [Fact]
    public void AGenerateNamePodIsNamedByItsPrefixInErrors()
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        // The create road has generated the name before admission runs.
        var pod = Pod("""{"metadata":{"name":"web-x7k2q","generateName":"web-"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""");
        var e = Assert.Throws<ApiException>(() => world.Admit(pod));
        Assert.StartsWith("pods \"web-\" is forbidden: ", e.Status.Message);
    }

    /// <summary>The pod's automountServiceAccountToken wins, then the account's, else the token is mounted.</summary>
    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, false, false)]
    [InlineData(null, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    [InlineData(false, null, false)]
    public void AutomountIsThePodsChoiceThenTheAccounts(bool? onPod, bool? onAccount, bool mounted)
    {
        foreach (var mode in new[] { ServiceAccountTokenMode.Legacy, ServiceAccountTokenMode.Bound })
        {
            using var world = new AdmissionWorld(mode);
            var sa = world.Account("robot", onAccount is { } a ? $",\"automountServiceAccountToken\":{(a ? "true" : "false")}" : "");
            world.Token(sa, "robot-token-abcde");
            var pod = Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""");
            if (onPod is { } p) pod["spec"]!["automountServiceAccountToken"] = p;
            world.Admit(pod);
            Assert.Equal(mounted, pod.ArrAt("spec", "volumes")?.Count == 1);
            Assert.Equal(mounted, Mounts(pod).Count == 1);
        }
    }

    [Fact]
    public void BoundModelAddsKube132sProjectedVolume()
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        var pod = world.Admit(Pod(Web));
        var volume = (JsonObject)pod.ArrAt("spec", "volumes")!.Single()!;
        var name = volume.Str("name")!;
        Assert.Matches(new Regex("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$"), name);
        var expected = JsonNode.Parse($$$"""
            {"name":"{{{name}}}","projected":{"sources":[
              {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
              {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
              {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],
             "defaultMode":420}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, volume), volume.ToJsonString());
        Assert.Equal($$$"""[{"name":"{{{name}}}","readOnly":true,"mountPath":"{{{MountPath}}}"}]""", Mounts(pod).ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryContainerAndInitContainerIsMountedUnlessItMountsThePathItself(ServiceAccountTokenMode mode)
    {
        using var world = World(mode);
        var pod = world.Admit(Pod($$$"""
            {"metadata":{"name":"web"},"spec":{
              "initContainers":[{"name":"init","image":"busybox"}],
              "containers":[{"name":"a","image":"nginx"},
                            {"name":"b","image":"nginx","volumeMounts":[{"name":"mine","mountPath":"{{{MountPath}}}"}]}],
              "ephemeralContainers":[{"name":"debug","image":"busybox"}],
              "volumes":[{"name":"mine","emptyDir":{}}]}}
            """));
        var volume = pod.ArrAt("spec", "volumes")![1]!.Str("name");
        Assert.Equal(volume, Mounts(pod, "initContainers").Single()!.Str("name"));
        Assert.Equal(volume, Mounts(pod).Single()!.Str("name"));
        Assert.Equal("mine", Mounts(pod, "containers", 1).Single()!.Str("name"));
        Assert.Null(pod.ArrAt("spec", "ephemeralContainers")![0]!["volumeMounts"]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void NoVolumeIsAddedWhenEveryContainerMountsThePathItself(ServiceAccountTokenMode mode)
    {
        using var world = World(mode);
        var pod = world.Admit(Pod($$$"""
            {"metadata":{"name":"web"},"spec":{"containers":[{"name":"a","image":"nginx","volumeMounts":[{"name":"mine","mountPath":"{{{MountPath}}}"}]}],
             "volumes":[{"name":"mine","emptyDir":{}}]}}
            """));
        Assert.Equal(["mine"], pod.ArrAt("spec", "volumes")!.Select(v => v.Str("name")));
    }

    [Fact]
    public void BoundModelReusesAKubeApiAccessVolumeThePodAlreadyHas()
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        var pod = world.Admit(Pod("""
            {"metadata":{"name":"web"},"spec":{"containers":[{"name":"a","image":"nginx"}],
             "volumes":[{"name":"kube-api-access-mine1","emptyDir":{}}]}}
            """));
        Assert.Equal(["kube-api-access-mine1"], pod.ArrAt("spec", "volumes")!.Select(v => v.Str("name")));
        Assert.Equal("kube-api-access-mine1", Mounts(pod).Single()!.Str("name"));
    }

    [Fact]
    public void LegacyModelMountsTheAccountsFirstListedTokenSecret()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy);
        var sa = world.Account("robot");
        // Listed first but not a token of this account: an Opaque Secret, and another account's token.
        world.Put(Resource("secret"), Ns, """{"metadata":{"name":"plain"},"type":"Opaque"}""");
        world.Store.Update(new(Resource("sa"), Ns, "robot"), cur => { cur!["secrets"] = JsonNode.Parse("""[{"name":"plain"},{"name":"missing"}]"""); return cur; });
        world.Token(sa, "robot-token-first");
        world.Token(sa, "robot-token-second");
        var pod = world.Admit(Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}"""));
        Assert.Equal("""[{"name":"robot-token-first","secret":{"secretName":"robot-token-first","defaultMode":420}}]""", pod.ArrAt("spec", "volumes")!.ToJsonString());
        Assert.Equal($$$"""[{"name":"robot-token-first","readOnly":true,"mountPath":"{{{MountPath}}}"}]""", Mounts(pod).ToJsonString());
    }

    [Fact]
    public void LegacyModelNamesTheVolumeWithoutDotsAndAvoidsClashes()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy);
        world.Token(world.Account("robot"), "robot.token.a");
        var pod = world.Admit(Pod("""
            {"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}],
             "volumes":[{"name":"robot-token-a","emptyDir":{}}]}}
            """));
        var added = pod.ArrAt("spec", "volumes")![1]!;
        Assert.Matches(new Regex("^robot-token-a-[bcdfghjklmnpqrstvwxz2456789]{5}$"), added.Str("name"));
        Assert.Equal("robot.token.a", added.Str("secret", "secretName"));
    }

    [Fact]
    public void LegacyModelReusesAVolumeOfTheTokenSecret()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy);
        world.Token(world.Account("robot"), "robot-token-abcde");
        var pod = world.Admit(Pod("""
            {"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}],
             "volumes":[{"name":"creds","secret":{"secretName":"robot-token-abcde"}}]}}
            """));
        Assert.Single(pod.ArrAt("spec", "volumes")!);
        Assert.Equal("creds", Mounts(pod).Single()!.Str("name"));
    }

    [Fact]
    public async Task LegacyModelWaitsForTheTokensControllerToListAToken()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy, legacyTokenWait: TimeSpan.FromSeconds(20));
        var sa = world.Account("robot");
        var admitted = Task.Run(() => world.Admit(Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""")));
        await world.WatchStarted;
        world.Token(sa, "robot-token-late1");
        var pod = await admitted;
        Assert.Equal("robot-token-late1", pod.ArrAt("spec", "volumes")![0]!.Str("name"));
    }

    [Fact]
    public void LegacyModelWithoutATokenFailsAsKubeDidWithAServerTimeout()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy);
        var sa = world.Account("robot");
        world.Token(sa, "robot-token-unlisted", listed: false); // a token the account does not list is not used
        var e = Assert.Throws<ApiException>(() => world.Admit(Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""")));
        Assert.Equal(500, e.Code);
        Assert.Equal("ServerTimeout", e.Status.Reason);
        Assert.Equal("No API token found for service account \"robot\", retry after the token is automatically created and added to the service account", e.Status.Message);
        Assert.Equal("serviceaccounts", e.Status.Details.Kind);
        Assert.Equal("create pod", e.Status.Details.Name);
        Assert.Equal(1, e.Status.Details.RetryAfterSeconds);
    }

    [Fact]
    public void LegacyModelWithoutAutomountNeedsNoToken()
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Legacy);
        world.Account("robot", ",\"automountServiceAccountToken\":false");
        var pod = world.Admit(Pod("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}"""));
        Assert.Null(pod["spec"]!["volumes"]);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"nginx"}]}}""", """[{"name":"pull"}]""")]
    [InlineData("""{"metadata":{"name":"web"},"spec":{"serviceAccountName":"robot","imagePullSecrets":[{"name":"own"}],"containers":[{"name":"c","image":"nginx"}]}}""", """[{"name":"own"}]""")]
    public void TheAccountsImagePullSecretsGoToAPodWithoutAny(string podJson, string expected)
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Bound);
        world.Account("robot", ""","imagePullSecrets":[{"name":"pull"}]""");
        var pod = world.Admit(Pod(podJson));
        Assert.Equal(expected, pod.ArrAt("spec", "imagePullSecrets")!.ToJsonString());
    }

    /// <summary>Mirror pods (the kubelet's static pods) are never changed and may not use accounts or Secrets.</summary>
    [Theory]
    [InlineData("""{"containers":[{"name":"c","image":"nginx"}]}""", null)]
    [InlineData("""{"serviceAccountName":"default","containers":[{"name":"c","image":"nginx"}]}""", "a mirror pod may not reference service accounts")]
    [InlineData("""{"containers":[{"name":"c","image":"nginx","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}""", "a mirror pod may not reference secrets")]
    [InlineData("""{"containers":[{"name":"c","image":"nginx"}],"volumes":[{"name":"v","secret":{"secretName":"s"}}]}""", "a mirror pod may not reference secrets")]
    [InlineData("""{"containers":[{"name":"c","image":"nginx"}],"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]}""", "a mirror pod may not use ServiceAccountToken volume projections")]
    public void MirrorPodsAreLeftAloneAndLimited(string spec, string? error)
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        var pod = Pod($$$"""{"metadata":{"name":"etcd-node","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{{{spec}}}}""");
        var before = pod.ToJsonString();
        var attrs = Create(pod);
        world.Plugin.Admit(attrs);
        Assert.Equal(before, pod.ToJsonString());
        if (error is null) world.Plugin.Validate(attrs);
        else Assert.Equal($"pods \"etcd-node\" is forbidden: {error}", Assert.Throws<ApiException>(() => world.Plugin.Validate(attrs)).Status.Message);
    }

    /// <summary>kubernetes.io/enforce-mountable-secrets: "true" limits the pod to the account's Secrets.</summary>
    [Theory]
    [InlineData("""{"volumes":[{"name":"v","secret":{"secretName":"other"}}],"containers":[{"name":"c","image":"nginx"}]}""",
        "volume with secret.secretName=\"other\" is not allowed because service account robot does not reference that secret")]
    [InlineData("""{"containers":[{"name":"c","image":"nginx","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"other","key":"k"}}}]}]}""",
        "container c with envVar X referencing secret.secretName=\"other\" is not allowed because service account robot does not reference that secret")]
    [InlineData("""{"initContainers":[{"name":"i","image":"busybox","envFrom":[{"secretRef":{"name":"other"}}]}],"containers":[{"name":"c","image":"nginx"}]}""",
        "init container i with envFrom referencing secret.secretName=\"other\" is not allowed because service account robot does not reference that secret")]
    [InlineData("""{"imagePullSecrets":[{"name":"other"}],"containers":[{"name":"c","image":"nginx"}]}""",
        "imagePullSecrets[0].name=\"other\" is not allowed because service account robot does not reference that imagePullSecret")]
    [InlineData("""{"volumes":[{"name":"v","secret":{"secretName":"allowed"}}],"containers":[{"name":"c","image":"nginx","envFrom":[{"secretRef":{"name":"allowed"}}]}]}""", null)]
    public void AnAccountEnforcingMountableSecretsLimitsThePod(string spec, string? error)
    {
        using var world = new AdmissionWorld(ServiceAccountTokenMode.Bound);
        world.Put(Resource("sa"), Ns, """{"metadata":{"name":"robot","annotations":{"kubernetes.io/enforce-mountable-secrets":"true"}},"secrets":[{"name":"allowed"}]}""");
        var pod = Pod($$$"""{"metadata":{"name":"web"},"spec":{{{spec}}}}""");
        pod["spec"]!["serviceAccountName"] = "robot";
        pod["spec"]!["automountServiceAccountToken"] = false;
        if (error is null) world.Admit(pod);
        else Assert.Equal($"pods \"web\" is forbidden: {error}", Assert.Throws<ApiException>(() => world.Admit(pod)).Status.Message);
    }

    [Fact]
    public void APodInAMissingNamespaceIsLeftToNamespaceLifecycle()
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        var pod = Pod(Web);
        var before = pod.ToJsonString();
        world.Admit(pod, ns: "nowhere");
        Assert.Equal(before, pod.ToJsonString());
    }

    [Fact]
    public void OnlyPodCreationsAreChanged()
    {
        using var world = World(ServiceAccountTokenMode.Bound);
        var pod = Pod(Web);
        var before = pod.ToJsonString();
        var update = new MiniApiServer.Admission.AdmissionAttributes(PodStrategy.Definition, AdmissionOperation.Update, Ns, "web", null, pod, Pod(Web), null, false);
        world.Plugin.Admit(update);
        var status = Create(pod) with { Subresource = "status" };
        world.Plugin.Admit(status);
        Assert.Equal(before, pod.ToJsonString());
    }
}
