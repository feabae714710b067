using System.Text;
using System.Text.Json;

namespace MiniApiServer.EndToEnd;

/// <summary>
/// Service-account tokens as a user meets them with real kubectl: <c>kubectl create token</c> (a protobuf
/// TokenRequest), the token used as the only credential, and the token dying with its account.
/// </summary>
public sealed class ServiceAccountTokenTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    /// <summary>A kubeconfig whose only credential is the token (a client certificate would outrank it).</summary>
    Kubectl WithToken(TempDir dir, string token) => new(fx.Server.TokenKubeconfig(dir.Path, token));

    static JsonElement Payload(string token) =>
        JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]))).RootElement;

    static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();

    [SkippableFact]
    public async Task CreateTokenBindsToAPodWithAudienceAndDuration()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "satok");
        await k.OkAsync("create", "serviceaccount", "robot", "-n", ns);
        string[] bound = ["create", "token", "robot", "-n", ns, "--audience", "x", "--duration", "20m", "--bound-object-kind", "Pod", "--bound-object-name", "p"];

        var missing = await k.RunAsync([.. bound, "--bound-object-uid", "U"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: failed to create token: pods \"p\" not found", missing.StdErr);

        await k.OkAsync("run", "p", "-n", ns, "--image=nginx", "--overrides={\"spec\":{\"serviceAccountName\":\"robot\"}}");
        var uid = await k.OkAsync("get", "pod", "p", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        var stale = await k.RunAsync([.. bound, "--bound-object-uid", "U"]);
        Assert.Contains("error: failed to create token: Operation cannot be fulfilled on Pod \"p\": the UID in the bound object reference (U) does not match the UID in record. The object might have been deleted and then recreated", stale.StdErr);

        var token = (await k.OkAsync([.. bound, "--bound-object-uid", uid])).Trim();
        var claims = Payload(token);
        Assert.Equal("""["x"]""", claims.GetProperty("aud").GetRawText());
        Assert.Equal(1200, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.Equal(uid, claims.GetProperty("kubernetes.io").GetProperty("pod").GetProperty("uid").GetString());
        Assert.Equal($"system:serviceaccount:{ns}:robot", claims.GetProperty("sub").GetString());

        var tooShort = await k.RunAsync("create", "token", "robot", "-n", ns, "--duration", "5m");
        Assert.Contains("error: failed to create token: TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes", tooShort.StdErr);
    }

    [SkippableFact]
    public async Task TheTokenIsTheServiceAccountUntilTheAccountIsDeleted()
    {
        Skip.IfNot(Kubectl.Available, "kubectl is not installed on this machine");
        var k = fx.Kubectl();
        var ns = await ServerFixture.NewNamespaceAsync(k, "satok");
        await k.OkAsync("create", "serviceaccount", "robot", "-n", ns);
        var token = (await k.OkAsync("create", "token", "robot", "-n", ns)).Trim();
        using var dir = new TempDir();
        var robot = WithToken(dir, token);

        var whoami = JsonDocument.Parse(await robot.OkAsync("auth", "whoami", "-o", "json")).RootElement.GetProperty("status").GetProperty("userInfo");
        Assert.Equal($"system:serviceaccount:{ns}:robot", whoami.GetProperty("username").GetString());
        Assert.Equal(await k.OkAsync("get", "serviceaccount", "robot", "-n", ns, "-o", "jsonpath={.metadata.uid}"), whoami.GetProperty("uid").GetString());
        Assert.Equal(["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], Strings(whoami.GetProperty("groups")));
        Assert.Equal(["JTI=" + Payload(token).GetProperty("jti").GetString()],
            Strings(whoami.GetProperty("extra").GetProperty("authentication.kubernetes.io/credential-id")));

        await k.OkAsync("delete", "serviceaccount", "robot", "-n", ns);
        // A success is cached for up to 10 s, as in kube-apiserver; then the token is refused.
        var refused = await Eventually.HoldsAsync(() => robot.RunAsync("auth", "whoami"), r => r.ExitCode != 0, "the token refused");
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", refused.StdErr);
    }
}
