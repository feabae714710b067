using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// A server whose static token file knows the "default" service account of the tests' namespace (standing in
/// for the service-account token machinery), so the tests mount a token Secret of their own and need nothing else.
/// </summary>
public sealed class ExecServerFixture : IAsyncLifetime
{
    public const string Token = "e2e-service-account-token";
    public const string Namespace = "apps";
    readonly string tokenFile = Path.Combine(Path.GetTempPath(), "miniapiserver-e2e-files", Guid.NewGuid().ToString("N") + ".csv");
    ServerProcess? server;

    public ServerProcess Server => server ?? throw new InvalidOperationException("the server is not started");

    /// <summary>Guards the one-time namespace and Secret set-up shared by the class's tests.</summary>
    public SemaphoreSlim SetupLock { get; } = new(1, 1);
    public bool Prepared { get; set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        await File.WriteAllTextAsync(tokenFile, $"{Token},system:serviceaccount:{Namespace}:default,sa-uid,\"system:serviceaccounts,system:serviceaccounts:{Namespace}\"\n");
        server = await ServerProcess.StartAsync([$"--token-auth-file={tokenFile}"]);
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        File.Delete(tokenFile);
    }
}

/// <summary>
/// kubectl exec and kubectl logs against simulated pods: the mounted service-account files, the environment,
/// exit codes, stdin, and applications in pods calling the API server over its real HTTPS endpoint with the
/// mounted token and CA (in-pod kubectl and curl), Forbidden until a role is bound.
/// </summary>
public sealed class ExecAndLogsTests(ExecServerFixture fx) : IClassFixture<ExecServerFixture>
{
    const string SaDir = "/var/run/secrets/kubernetes.io/serviceaccount";
    const string Ns = ExecServerFixture.Namespace;

    /// <summary>The namespace with the account's token Secret (token, ca.crt of the server, namespace), once.</summary>
    async Task<Kubectl> PrepareAsync()
    {
        var k = new Kubectl(fx.Server.AdminKubeconfig);
        await fx.SetupLock.WaitAsync();
        try
        {
            if (!fx.Prepared)
            {
                await k.OkAsync("create", "namespace", Ns);
                await k.OkAsync("create", "secret", "generic", "sa-token", "-n", Ns, $"--from-literal=token={ExecServerFixture.Token}",
                    $"--from-file=ca.crt={Path.Combine(fx.Server.CertDir, "ca.crt")}", $"--from-literal=namespace={Ns}");
                fx.Prepared = true;
            }
        }
        finally { fx.SetupLock.Release(); }
        return k;
    }

    /// <summary>Applies a pod whose containers all mount the token Secret where the kubelet mounts the account's token.</summary>
    static async Task<string> ApplyPodAsync(Kubectl k, string name, string containersYaml, string restartPolicy = "Always")
    {
        using var dir = new TempDir();
        var mounts = $"\n    volumeMounts: [{{name: sa, mountPath: {SaDir}, readOnly: true}}]";
        var containers = Regex.Replace(containersYaml.TrimEnd(), @"(?m)^(  - name: .*)$", "$1" + mounts);
        var file = dir.Write("pod.yaml", string.Join('\n',
            "apiVersion: v1",
            "kind: Pod",
            $"metadata: {{name: {name}, namespace: {Ns}}}",
            "spec:",
            $"  restartPolicy: {restartPolicy}",
            "  volumes: [{name: sa, secret: {secretName: sa-token}}]",
            "  containers:",
            containers) + "\n");
        await k.OkAsync("apply", "-f", file);
        return name;
    }

    [SkippableFact]
    public async Task ExecReadsTheMountedServiceAccountFilesAndTheEnvironment()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = await PrepareAsync();
        var pod = await ApplyPodAsync(k, "web", """
              - name: nginx
                image: nginx
                env: [{name: MODE, value: demo}, {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
            """);
        await k.OkAsync("wait", "--for=condition=Ready", $"pod/{pod}", "-n", Ns, "--timeout=30s");

        Assert.Equal(ExecServerFixture.Token, await k.OkAsync("exec", pod, "-n", Ns, "--", "cat", $"{SaDir}/token"));
        Assert.Equal("ca.crt\nnamespace\ntoken\n", await k.OkAsync("exec", pod, "-n", Ns, "--", "ls", SaDir));
        Assert.Equal(Ns, await k.OkAsync("exec", pod, "-n", Ns, "--", "cat", $"{SaDir}/namespace"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await k.OkAsync("exec", pod, "-n", Ns, "--", "cat", $"{SaDir}/ca.crt"));
        var env = (await k.OkAsync("exec", pod, "-n", Ns, "--", "env")).Split('\n');
        Assert.Contains("MODE=demo", env);
        Assert.Contains("POD_NAME=web", env);
        Assert.Contains("KUBERNETES_SERVICE_HOST=127.0.0.1", env);
        Assert.Contains($"KUBERNETES_SERVICE_PORT={new Uri(fx.Server.Url).Port}", env);
        Assert.Equal("web\n", await k.OkAsync("exec", pod, "-n", Ns, "--", "sh", "-c", "echo $HOSTNAME"));
    }

    [SkippableFact]
    public async Task ExitCodesAndErrorsReachKubectl()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = await PrepareAsync();
        var pod = await ApplyPodAsync(k, "codes", """
              - name: app
                image: nginx
            """);
        await k.OkAsync("wait", "--for=condition=Ready", $"pod/{pod}", "-n", Ns, "--timeout=30s");

        var falsy = await k.RunAsync("exec", pod, "-n", Ns, "--", "false");
        Assert.Equal(1, falsy.ExitCode);
        Assert.Contains("command terminated with exit code 1", falsy.StdErr);
        var three = await k.RunAsync("exec", pod, "-n", Ns, "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal((3, "out\n"), (three.ExitCode, three.StdOut));
        Assert.Contains("err\n", three.StdErr);
        var missing = await k.RunAsync("exec", pod, "-n", Ns, "--", "nosuch");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("exec: \"nosuch\": executable file not found in $PATH", missing.StdErr);
        var badContainer = await k.RunAsync("exec", pod, "-n", Ns, "-c", "other", "--", "ls");
        Assert.NotEqual(0, badContainer.ExitCode);
        Assert.Contains($"container other is not valid for pod {pod}", badContainer.StdErr);
        var noPod = await k.RunAsync("exec", "nosuch", "-n", Ns, "--", "ls");
        Assert.Contains("Error from server (NotFound): pods \"nosuch\" not found", noPod.StdErr);
    }

    [SkippableFact]
    public async Task ExecWithStdinEchoesIt()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = await PrepareAsync();
        var pod = await ApplyPodAsync(k, "echo", """
              - name: app
                image: nginx
            """);
        await k.OkAsync("wait", "--for=condition=Ready", $"pod/{pod}", "-n", Ns, "--timeout=30s");
        var r = await k.RunWithInputAsync("hello\nworld\n", "exec", "-i", pod, "-n", Ns, "--", "cat");
        Assert.Equal((0, "hello\nworld\n"), (r.ExitCode, r.StdOut));
    }

    [SkippableFact]
    public async Task AnApplicationInAPodUsesItsAccountForbiddenUntilARoleIsBound()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = await PrepareAsync();
        var pod = await ApplyPodAsync(k, "client", $$"""
              - name: whoami
                image: bitnami/kubectl
                args: [auth, whoami]
              - name: lister
                image: busybox
                command: [sh, -c, "while true; do kubectl get pods; sleep 1; done"]
              - name: curl
                image: curlimages/curl
                command: [sh, -c, 'while true; do curl -sS --cacert {{SaDir}}/ca.crt -H "Authorization: Bearer $(cat {{SaDir}}/token)" https://kubernetes.default.svc/api/v1/namespaces/{{Ns}}/pods; echo; sleep 1; done']
            """);
        var forbidden = $"Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:{Ns}:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"{Ns}\"";

        var whoami = await Eventually.HoldsAsync(() => k.RunAsync("logs", pod, "-n", Ns, "-c", "whoami"), r => r.StdOut.Contains("Username"), "whoami's log");
        Assert.Matches($@"(?m)^Username\s+system:serviceaccount:{Ns}:default$", whoami.StdOut);
        Assert.Matches($@"(?m)^Groups\s+\[system:serviceaccounts system:serviceaccounts:{Ns} system:authenticated\]$", whoami.StdOut);
        await Eventually.HoldsAsync(() => k.RunAsync("logs", pod, "-n", Ns, "-c", "lister", "--tail=1"), r => r.StdOut.Trim() == forbidden, "the lister's Forbidden");
        await Eventually.HoldsAsync(() => k.RunAsync("logs", pod, "-n", Ns, "-c", "curl", "--tail=1"), r => r.StdOut.Contains("\"reason\":\"Forbidden\""), "curl's Forbidden Status");
        // The same calls through kubectl exec.
        var viaExec = await k.RunAsync("exec", pod, "-n", Ns, "-c", "lister", "--", "kubectl", "get", "pods");
        Assert.Equal((1, forbidden), (viaExec.ExitCode, viaExec.StdErr.Split('\n')[0]));

        await k.OkAsync("create", "rolebinding", "apps-view", "-n", Ns, "--clusterrole=view", $"--serviceaccount={Ns}:default");
        await Eventually.HoldsAsync(() => k.RunAsync("logs", pod, "-n", Ns, "-c", "lister", "--tail=5"), r => Regex.IsMatch(r.StdOut, $@"(?m)^{pod}\s+\d/3\s+\w+\s+\d+\s+\d+s$"), "the lister's pod table");
        await Eventually.HoldsAsync(() => k.RunAsync("logs", pod, "-n", Ns, "-c", "curl", "--tail=1"), r => r.StdOut.Contains("\"kind\":\"PodList\""), "curl's PodList");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", await k.OkAsync("exec", pod, "-n", Ns, "-c", "lister", "--", "kubectl", "get", "pods"));
        Assert.Equal("yes\n", await k.OkAsync("exec", pod, "-n", Ns, "-c", "lister", "--", "kubectl", "auth", "can-i", "list", "pods"));
    }

    [SkippableFact]
    public async Task ACompletedCommandTerminatesTheContainerAndItsLogRemains()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var k = await PrepareAsync();
        var pod = await ApplyPodAsync(k, "job", """
              - name: task
                image: busybox
                command: [sh, -c, "echo one; echo two; exit 4"]
            """, restartPolicy: "Never");
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Failed", $"pod/{pod}", "-n", Ns, "--timeout=30s");
        Assert.Equal("one\ntwo\n", await k.OkAsync("logs", pod, "-n", Ns));
        Assert.Equal("two\n", await k.OkAsync("logs", pod, "-n", Ns, "--tail=1"));
        Assert.Equal("4 Error", await k.OkAsync("get", "pod", pod, "-n", Ns, "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}"));
        Assert.Matches($@"(?m)^{pod}\s+0/1\s+Error\s+0\s", await k.OkAsync("get", "pod", pod, "-n", Ns));
        var exec = await k.RunAsync("exec", pod, "-n", Ns, "--", "ls");
        Assert.Contains("cannot exec into a container in a completed pod; current phase is Failed", exec.StdErr);
    }
}
