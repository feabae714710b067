using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// kubectl get's output forms (server-side tables, wide columns, full objects, jsonpath, names, labels,
/// selectors, all namespaces, several kinds at once) and describe, on one running pod per test.
/// </summary>
public sealed class OutputFormatTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    async Task<(Kubectl k, string ns)> RunningPodAsync(string prefix)
    {
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, prefix);
        await k.OkAsync("run", "web", "--image=nginx", "-n", ns, "--labels=app=web,tier=front");
        await k.OkAsync("wait", "--for=jsonpath={.status.phase}=Running", "pod/web", "-n", ns, "--timeout=30s");
        return (k, ns);
    }

    [SkippableFact]
    public async Task TableWideYamlJsonJsonpathAndName()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var (k, ns) = await RunningPodAsync("out");

        var table = await k.OkAsync("get", "pods", "-n", ns);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1/1\s+Running\s+0\s+\d+s\n$", table);

        var wide = await k.OkAsync("get", "pods", "-n", ns, "-o", "wide");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n", wide);
        Assert.Matches(@"(?m)^web\s+1/1\s+Running\s+0\s+\d+s\s+\d+\.\d+\.\d+\.\d+\s+\S+\s+<none>\s+<none>$", wide);

        var yaml = await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "yaml");
        Assert.StartsWith("apiVersion: v1\nkind: Pod\nmetadata:\n", yaml);
        Assert.Contains("  name: web\n", yaml);
        Assert.Contains("  phase: Running\n", yaml);

        using (var doc = JsonDocument.Parse(await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "json")))
        {
            Assert.Equal("Pod", doc.RootElement.GetProperty("kind").GetString());
            Assert.Equal(ns, doc.RootElement.GetProperty("metadata").GetProperty("namespace").GetString());
            Assert.Equal("Running", doc.RootElement.GetProperty("status").GetProperty("phase").GetString());
        }
        // A list -o json is a v1 List of full objects (kubectl wraps the PodList's items).
        using (var list = JsonDocument.Parse(await k.OkAsync("get", "pods", "-n", ns, "-o", "json")))
        {
            Assert.Equal("List", list.RootElement.GetProperty("kind").GetString());
            var item = Assert.Single(list.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal("Pod", item.GetProperty("kind").GetString());
        }

        Assert.Equal("web nginx Running", await k.OkAsync("get", "pod", "web", "-n", ns, "-o", "jsonpath={.metadata.name} {.spec.containers[0].image} {.status.phase}"));
        Assert.Equal("pod/web\n", await k.OkAsync("get", "pods", "-n", ns, "-o", "name"));
        Assert.Matches(@"^NAME\s+IMAGE\nweb\s+nginx\n$", await k.OkAsync("get", "pods", "-n", ns, "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image"));
    }

    [SkippableFact]
    public async Task LabelsAndSelectors()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var (k, ns) = await RunningPodAsync("sel");
        await k.OkAsync("run", "db", "--image=postgres", "-n", ns, "--labels=app=db");

        Assert.Matches(@"(?m)^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$", await k.OkAsync("get", "pods", "-n", ns, "--show-labels"));
        Assert.Matches(@"(?m)^web\s+1/1\s+Running\s+0\s+\d+s\s+app=web,tier=front$", await k.OkAsync("get", "pods", "-n", ns, "--show-labels"));

        Assert.Equal("pod/web\n", await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "name"));
        Assert.Equal("pod/db\n", await k.OkAsync("get", "pods", "-n", ns, "-l", "app!=web", "-o", "name"));
        Assert.Equal("pod/db\npod/web\n", await k.OkAsync("get", "pods", "-n", ns, "-l", "app in (web,db)", "-o", "name"));
        Assert.Equal("pod/db\n", await k.OkAsync("get", "pods", "-n", ns, "-l", "!tier", "-o", "name"));
        Assert.Equal("pod/web\n", await k.OkAsync("get", "pods", "-n", ns, "--field-selector", "metadata.name=web,status.phase=Running", "-o", "name"));
        Assert.Equal("pod/db\n", await k.OkAsync("get", "pods", "-n", ns, "--field-selector", "metadata.name!=web", "-o", "name"));

        var none = await k.RunAsync("get", "pods", "-n", ns, "-l", "app=nothing");
        Assert.Equal(0, none.ExitCode);
        Assert.Equal($"No resources found in {ns} namespace.", none.StdErr.Trim());

        var badField = await k.RunAsync("get", "pods", "-n", ns, "--field-selector", "spec.bogus=1");
        Assert.Equal(1, badField.ExitCode);
        Assert.Contains("Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match label selector \"\", field selector \"spec.bogus=1\": field label not supported: spec.bogus", badField.StdErr);
    }

    [SkippableFact]
    public async Task AllNamespacesAndSeveralKindsAtOnce()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var (k, ns) = await RunningPodAsync("multi");
        await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=k=v");
        await k.OkAsync("create", "sa", "robot", "-n", ns);

        var all = await k.OkAsync("get", "pods", "-A");
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", all);
        Assert.Matches($@"(?m)^{ns}\s+web\s+1/1\s+Running\s+0\s", all);

        var several = await k.OkAsync("get", "pods,secrets,sa", "-n", ns);
        Assert.Matches(@"(?m)^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", several);
        Assert.Matches(@"(?m)^pod/web\s+1/1\s+Running\s", several);
        Assert.Matches(@"(?m)^NAME\s+TYPE\s+DATA\s+AGE$", several);
        Assert.Matches(@"(?m)^secret/s1\s+Opaque\s+1\s", several);
        Assert.Matches(@"(?m)^NAME\s+SECRETS\s+AGE$", several);
        Assert.Matches(@"(?m)^serviceaccount/robot\s+[01]\s", several); // 1 once the legacy tokens controller lists its Secret
        // One blank line between the kinds' tables.
        Assert.Equal(2, Regex.Matches(several, @"\n\n").Count);
    }

    [SkippableFact]
    public async Task DescribePodNamespaceSecretServiceAccount()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed");
        var (k, ns) = await RunningPodAsync("desc");
        await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=k=v");
        await k.OkAsync("create", "sa", "robot", "-n", ns);

        var pod = await k.RunAsync("describe", "pod", "web", "-n", ns);
        Assert.True(pod.ExitCode == 0 && pod.StdErr == "", pod.ToString());
        Assert.Matches(@"(?m)^Name:\s+web$", pod.StdOut);
        Assert.Matches($@"(?m)^Namespace:\s+{ns}$", pod.StdOut);
        Assert.Matches(@"(?m)^Status:\s+Running$", pod.StdOut);
        Assert.Matches(@"(?m)^Labels:\s+app=web$", pod.StdOut);
        Assert.Matches(@"(?m)^\s+Image:\s+nginx$", pod.StdOut);
        Assert.Matches(@"(?m)^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n", pod.StdOut);
        Assert.Matches(@"(?m)^\s+Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned " + ns + "/web to ", pod.StdOut);

        var nsOut = await k.RunAsync("describe", "ns", ns);
        Assert.True(nsOut.ExitCode == 0 && nsOut.StdErr == "", nsOut.ToString());
        Assert.Matches($@"(?m)^Name:\s+{ns}$", nsOut.StdOut);
        Assert.Matches(@"(?m)^Status:\s+Active$", nsOut.StdOut);

        var secret = await k.RunAsync("describe", "secret", "s1", "-n", ns);
        Assert.True(secret.ExitCode == 0 && secret.StdErr == "", secret.ToString());
        Assert.Matches(@"(?m)^Type:\s+Opaque$", secret.StdOut);
        Assert.Matches(@"(?m)^Data\n====\nk:\s+1 bytes$", secret.StdOut);

        var sa = await k.RunAsync("describe", "sa", "robot", "-n", ns);
        Assert.True(sa.ExitCode == 0 && sa.StdErr == "", sa.ToString());
        Assert.Matches(@"(?m)^Name:\s+robot$", sa.StdOut);
        Assert.Matches(@"(?m)^Events:\s+<none>$", sa.StdOut);

        var missing = await k.RunAsync("describe", "pod", "nope", "-n", ns);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"nope\" not found", missing.StdErr);
    }
}
