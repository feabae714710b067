using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Runtime;

/// <summary>
/// pods/exec and pods/log through the whole server: the WebSocket channel protocol, exit statuses, kube's
/// errors, log options, and in-pod kubectl and curl calling the API with the mounted service-account token.
/// </summary>
public sealed class ExecAndLogApiTests(RuntimeServerFactory factory) : IClassFixture<RuntimeServerFactory>, IAsyncLifetime
{
    const string Ns = RuntimeServerFactory.Namespace;
    const string SaDir = "/var/run/secrets/kubernetes.io/serviceaccount";
    readonly HttpClient admin = factory.Admin();
    string pods = $"/api/v1/namespaces/{Ns}/pods";

    public async Task InitializeAsync()
    {
        var ns = await admin.GetAsync($"/api/v1/namespaces/{Ns}");
        if (ns.StatusCode == HttpStatusCode.NotFound)
        {
            await admin.Post("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = Ns } }.ToJsonString()).Expect(HttpStatusCode.Created);
            // The service account's token, mounted as the legacy token Secret volume.
            var data = new JsonObject
            {
                ["token"] = B64(RuntimeServerFactory.ServiceAccountToken),
                ["ca.crt"] = B64("not used by the test network"),
                ["namespace"] = B64(Ns),
            };
            await admin.Post($"/api/v1/namespaces/{Ns}/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "sa-token" }, ["data"] = data }.ToJsonString()).Expect(HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    /// <summary>Creates a pod whose containers mount the token Secret, and waits until the kubelet started them.</summary>
    async Task<string> PodAsync(string containersJson, string restartPolicy = "Always", Func<JsonObject, bool>? until = null)
    {
        var name = "p" + Guid.NewGuid().ToString("N")[..8];
        var pod = JsonNode.Parse("""{"spec":{"volumes":[{"name":"sa","secret":{"secretName":"sa-token"}}]}}""")!.AsObject();
        pod["metadata"] = new JsonObject { ["name"] = name };
        pod["spec"]!["restartPolicy"] = restartPolicy;
        var containers = JsonNode.Parse(containersJson)!.AsArray();
        foreach (var c in containers.OfType<JsonObject>())
            c["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "sa", ["mountPath"] = SaDir });
        pod["spec"]!["containers"] = containers;
        await admin.Post(pods, pod.ToJsonString()).Expect(HttpStatusCode.Created);
        await WaitForAsync(name, until ?? (p => p["status"]?["containerStatuses"] is JsonArray cs && cs.All(c => c?["state"]?["running"] is not null)));
        return name;
    }

    /// <summary>Polls the pod until <paramref name="condition"/> holds (the kubelet's status settles asynchronously).</summary>
    async Task<JsonObject> WaitForAsync(string name, Func<JsonObject, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var pod = await admin.GetAsync($"{pods}/{name}").Expect(HttpStatusCode.OK);
            if (condition(pod)) return pod;
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"pod {name} never met the condition; last: {pod["status"]}");
            await Task.Delay(50);
        }
    }

    sealed record ExecResult(string StdOut, string StdErr, JsonObject Status);

    async Task<ExecResult> ExecAsync(string pod, string query, string? stdin = null, string protocol = "v5.channel.k8s.io")
    {
        var client = factory.AdminWebSocket(protocol);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await client.ConnectAsync(new Uri($"ws://localhost{pods}/{pod}/exec?{query}"), cts.Token);
        Assert.Equal(protocol, socket.SubProtocol);
        if (stdin is not null)
        {
            await socket.SendAsync(new byte[] { 0 }.Concat(Encoding.UTF8.GetBytes(stdin)).ToArray(), WebSocketMessageType.Binary, true, cts.Token);
            await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, cts.Token);
        }
        var channels = new Dictionary<byte, MemoryStream> { [1] = new(), [2] = new(), [3] = new() };
        var buffer = new byte[65536];
        var message = new MemoryStream();
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, cts.Token);
            if (r.MessageType == WebSocketMessageType.Close) break;
            Assert.Equal(WebSocketMessageType.Binary, r.MessageType);
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var data = message.ToArray();
            message.SetLength(0);
            channels[data[0]].Write(data, 1, data.Length - 1);
        }
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        string Text(byte ch) => Encoding.UTF8.GetString(channels[ch].ToArray());
        return new ExecResult(Text(1), Text(2), JsonNode.Parse(Text(3))!.AsObject());
    }

    static string Command(params string[] argv) => string.Join('&', argv.Select(a => "command=" + Uri.EscapeDataString(a)));

    [Fact]
    public async Task ExecCatsTheMountedTokenAndReportsSuccess()
    {
        var pod = await PodAsync("""[{"name":"web","image":"nginx"}]""");
        var r = await ExecAsync(pod, Command("cat", $"{SaDir}/token") + "&container=web&stdout=true&stderr=true");
        Assert.Equal(RuntimeServerFactory.ServiceAccountToken, r.StdOut);
        Assert.Equal("""{"metadata":{},"status":"Success"}""", r.Status.ToJsonString());
    }

    [Theory]
    [InlineData(new[] { "false" }, 1, "")]
    [InlineData(new[] { "sh", "-c", "echo oops >&2; exit 3" }, 3, "oops\n")]
    [InlineData(new[] { "nosuch" }, 127, "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown\n")]
    public async Task ANonZeroExitReachesTheClientAsTheKubeletReportsIt(string[] argv, int code, string stderr)
    {
        var pod = await PodAsync("""[{"name":"web","image":"nginx"}]""");
        var r = await ExecAsync(pod, Command(argv) + "&stdout=true&stderr=true");
        Assert.Equal(stderr, r.StdErr);
        Assert.Equal("Failure", (string?)r.Status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)r.Status["reason"]);
        Assert.Equal($$"""[{"reason":"ExitCode","message":"{{code}}"}]""", r.Status["details"]!["causes"]!.ToJsonString());
    }

    [Fact]
    public async Task StdinIsStreamedAndClosedWithTheV5CloseSignal()
    {
        var pod = await PodAsync("""[{"name":"web","image":"nginx"}]""");
        var r = await ExecAsync(pod, Command("cat") + "&stdin=true&stdout=true&stderr=true", stdin: "abc\n");
        Assert.Equal("abc\n", r.StdOut);
        Assert.Equal("Success", (string?)r.Status["status"]);
    }

    [Fact]
    public async Task TheV4ProtocolIsAcceptedToo()
    {
        var pod = await PodAsync("""[{"name":"web","image":"nginx"}]""");
        var r = await ExecAsync(pod, Command("echo", "hi") + "&stdout=true", protocol: "v4.channel.k8s.io");
        Assert.Equal("hi\n", r.StdOut);
    }

    [Fact]
    public async Task EnvShowsTheServiceAndTheContainersVariables()
    {
        var pod = await PodAsync("""
            [{"name":"web","image":"nginx","env":[
               {"name":"A","value":"1"},{"name":"B","value":"$(A)-2"},
               {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
               {"name":"NS_FROM_SECRET","valueFrom":{"secretKeyRef":{"name":"sa-token","key":"namespace"}}}]}]
            """);
        var env = (await ExecAsync(pod, Command("env") + "&stdout=true")).StdOut.Split('\n');
        Assert.Contains("A=1", env);
        Assert.Contains("B=1-2", env);
        Assert.Contains($"POD={pod}", env);
        Assert.Contains($"NS_FROM_SECRET={Ns}", env);
        Assert.Contains("KUBERNETES_SERVICE_HOST=10.96.0.1", env);
        Assert.Contains("KUBERNETES_SERVICE_PORT=443", env);
        Assert.Contains($"HOSTNAME={pod}", env);
    }

    [Fact]
    public async Task ExecChecksComeBeforeTheUpgradeAsKubeStatuses()
    {
        var pod = await PodAsync("""[{"name":"a","image":"nginx"},{"name":"b","image":"nginx"}]""");
        await admin.GetAsync($"{pods}/{pod}/exec?command=ls&stdout=true").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            $"a container name must be specified for pod {pod}, choose one of: [a b]");
        await admin.GetAsync($"{pods}/{pod}/exec?command=ls&container=c&stdout=true").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", $"container c is not valid for pod {pod}");
        await admin.GetAsync($"{pods}/{pod}/exec?container=a&stdout=true").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest", "you must specify at least 1 command");
        await admin.GetAsync($"{pods}/nosuch/exec?command=ls&stdout=true").ExpectStatus(HttpStatusCode.NotFound, "NotFound", "pods \"nosuch\" not found");
        // A running container but no WebSocket (kubectl's SPDY fallback): refused with a Status.
        await admin.PostAsync($"{pods}/{pod}/exec?command=ls&container=a&stdout=true", null).ExpectStatus(HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task ExecIntoAContainerThatIsNotRunningGetsTheKubeletsAnswer()
    {
        var pod = await PodAsync("""[{"name":"job","image":"busybox","command":["true"]}]""", "Never",
            until: p => (string?)p["status"]?["phase"] == "Succeeded");
        var response = await admin.GetAsync($"{pods}/{pod}/exec?command=ls&stdout=true");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("container not found (\"job\")", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LogOptionsSelectLines()
    {
        var pod = await PodAsync("""[{"name":"c","image":"busybox","command":["sh","-c","echo one; echo two; echo three"]}]""", "Never",
            until: p => (string?)p["status"]?["phase"] == "Succeeded");
        async Task<string> Log(string query) => await (await admin.GetAsync($"{pods}/{pod}/log{query}")).Content.ReadAsStringAsync();
        Assert.Equal("one\ntwo\nthree\n", await Log(""));
        Assert.Equal("two\nthree\n", await Log("?tailLines=2"));
        Assert.Equal("one\ntw", await Log("?limitBytes=6"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$", await Log("?tailLines=1&timestamps=true"));
        Assert.Equal("one\ntwo\nthree\n", await Log("?follow=true")); // ended: follow returns at once
        await admin.GetAsync($"{pods}/{pod}/log?tailLines=-1").ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid",
            $"PodLogOptions \"{pod}\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0");
        await admin.GetAsync($"{pods}/{pod}/log?previous=true").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            $"previous terminated container \"c\" in pod \"{pod}\" not found");
        var status = await admin.GetAsync($"{pods}/{pod}").Expect(HttpStatusCode.OK);
        var terminated = status["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!;
        Assert.Equal((0, "Completed"), ((int)terminated["exitCode"]!, (string?)terminated["reason"]));
    }

    [Fact]
    public async Task FollowStreamsUntilTheContainerEnds()
    {
        var pod = await PodAsync("""[{"name":"c","image":"busybox","command":["sh","-c","echo a; sleep 1; echo b; exit 2"]}]""", "Never");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = await admin.GetStringAsync($"{pods}/{pod}/log?follow=true", cts.Token);
        Assert.Equal("a\nb\n", text);
        var done = await WaitForAsync(pod, p => (string?)p["status"]?["phase"] == "Failed");
        Assert.Equal("Error", (string?)done["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["reason"]);
    }

    [Fact]
    public async Task LogOfAPodWithSeveralContainersNeedsAName()
    {
        var pod = await PodAsync("""[{"name":"a","image":"nginx"},{"name":"b","image":"nginx"}]""");
        await admin.GetAsync($"{pods}/{pod}/log").ExpectStatus(HttpStatusCode.BadRequest, "BadRequest",
            $"a container name must be specified for pod {pod}, choose one of: [a b]");
    }

    [Fact]
    public async Task AFailingCommandIsRestartedWithBackOff()
    {
        var pod = await PodAsync("""[{"name":"c","image":"busybox","command":["sh","-c","echo try; exit 1"]}]""",
            until: p => p["status"]?["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CrashLoopBackOff");
        var status = (await admin.GetAsync($"{pods}/{pod}").Expect(HttpStatusCode.OK))["status"]!;
        var c = status["containerStatuses"]![0]!;
        Assert.Equal("Running", (string?)status["phase"]);
        Assert.Equal(1, (int)c["restartCount"]!);
        Assert.Equal(1, (int)c["lastState"]!["terminated"]!["exitCode"]!);
        Assert.StartsWith("back-off 10s restarting failed container=c", (string?)c["state"]!["waiting"]!["message"]);
        Assert.Equal("try\n", await admin.GetStringAsync($"{pods}/{pod}/log"));
        Assert.Equal("try\n", await admin.GetStringAsync($"{pods}/{pod}/log?previous=true"));
    }

    [Fact]
    public async Task InPodKubectlUsesTheMountedTokenAndIsForbiddenUntilARoleIsBound()
    {
        var pod = await PodAsync("""[{"name":"app","image":"nginx"}]""");
        var whoami = await ExecAsync(pod, Command("kubectl", "auth", "whoami") + "&stdout=true&stderr=true");
        Assert.Equal(
            "ATTRIBUTE   VALUE\n" +
            $"Username    system:serviceaccount:{Ns}:default\n" +
            "UID         sa-uid\n" +
            $"Groups      [system:serviceaccounts system:serviceaccounts:{Ns} system:authenticated]\n", whoami.StdOut);

        var forbidden = await ExecAsync(pod, Command("kubectl", "get", "pods") + "&stdout=true&stderr=true");
        Assert.Equal($"Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:{Ns}:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"{Ns}\"\n", forbidden.StdErr);
        Assert.Equal("1", (string?)forbidden.Status["details"]!["causes"]![0]!["message"]);
        Assert.Equal("no\n", (await ExecAsync(pod, Command("kubectl", "auth", "can-i", "list", "pods") + "&stdout=true")).StdOut);

        var curl = await ExecAsync(pod, Command("sh", "-c", $"curl -sS -H \"Authorization: Bearer $(cat {SaDir}/token)\" https://kubernetes.default.svc/api/v1/namespaces/{Ns}/pods") + "&stdout=true&stderr=true");
        var status = JsonNode.Parse(curl.StdOut)!;
        Assert.Equal(("Status", "Forbidden", 403), ((string?)status["kind"], (string?)status["reason"], (int)status["code"]!));

        await admin.Post($"/apis/rbac.authorization.k8s.io/v1/namespaces/{Ns}/rolebindings",
            $$"""{"metadata":{"name":"sa-view-{{pod}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"{{Ns}}"}]}""")
            .Expect(HttpStatusCode.Created);
        var list = await ExecAsync(pod, Command("kubectl", "get", "pods") + "&stdout=true&stderr=true");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", list.StdOut);
        Assert.Matches($@"(?m)^{pod}\s+1/1\s+Running\s+0\s+\d+s$", list.StdOut);
        var names = await ExecAsync(pod, Command("kubectl", "get", "pod", pod, "-o", "name") + "&stdout=true&stderr=true");
        Assert.Equal($"pod/{pod}\n", names.StdOut);
        var curlList = await ExecAsync(pod, Command("curl", "-s", "-H", $"Authorization: Bearer {RuntimeServerFactory.ServiceAccountToken}", $"https://kubernetes.default.svc/api/v1/namespaces/{Ns}/pods") + "&stdout=true");
        Assert.Equal("PodList", (string?)JsonNode.Parse(curlList.StdOut)!["kind"]);
    }

    [Fact]
    public async Task AContainerWhoseCommandIsAClientLogsItsOutput()
    {
        var pod = await PodAsync("""[{"name":"who","image":"bitnami/kubectl","args":["auth","whoami"]}]""", "Never",
            until: p => (string?)p["status"]?["phase"] == "Succeeded");
        var log = await admin.GetStringAsync($"{pods}/{pod}/log");
        Assert.Contains($"Username    system:serviceaccount:{Ns}:default\n", log);
    }
}
