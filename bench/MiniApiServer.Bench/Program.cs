using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Https;

// Throughput of the request road against a baseline measured in the same run: a bare Kestrel over the same
// TLS certificate, answering "ok". Each scenario runs for --seconds with --concurrency keep-alive
// connections on loopback; the server runs as its own process (in memory), as ./run.sh starts it.
// Usage: dotnet run -c Release --project bench/MiniApiServer.Bench -- [--seconds 5] [--concurrency 8]
var seconds = Arg("--seconds", 5);
var concurrency = Arg("--concurrency", 8);
var root = Path.Combine(Path.GetTempPath(), "miniapiserver-bench", Guid.NewGuid().ToString("N"));
var serverDll = ServerDll();

using var server = StartServer(serverDll, root, out var url, out var demoLine);
var kubeconfigDir = Path.Combine(root, "data", "kubeconfigs");
var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(root, "certs", "ca.crt")));
var admin = AdminCertificate(Path.Combine(kubeconfigDir, "admin.kubeconfig"));

await using var baseline = await StartBaseline(Path.Combine(root, "certs"));
var baselineUrl = baseline.Urls.First();

using var adminClient = Client(ca, admin);
using var anonClient = Client(ca, null);
// Fixture objects: 100 ConfigMaps to list and get.
await adminClient.PostAsync($"{url}/api/v1/namespaces", Json("""{"metadata":{"name":"bench"}}"""));
for (var i = 0; i < 100; i++)
    await adminClient.PostAsync($"{url}/api/v1/namespaces/bench/configmaps", Json($$$"""{"metadata":{"name":"cm-{{{i}}}","labels":{"i":"{{{i % 10}}}"}},"data":{"k":"v"}}"""));

var results = new List<(string Name, double Rps, double Ratio)>();
var baseRps = await Measure("baseline: bare Kestrel, TLS, GET ok", anonClient, _ => new HttpRequestMessage(HttpMethod.Get, baselineUrl + "/"));
results.Add(("baseline: bare Kestrel over TLS, GET returning \"ok\"", baseRps, 1));
async Task Scenario(string name, HttpClient client, Func<int, HttpRequestMessage> request)
{
    var rps = await Measure(name, client, request);
    results.Add((name, rps, rps / baseRps));
}
await Scenario("GET /version, anonymous", anonClient, _ => new HttpRequestMessage(HttpMethod.Get, url + "/version"));
await Scenario("GET one ConfigMap, x509 admin", adminClient, i => new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/bench/configmaps/cm-{i % 100}"));
await Scenario("LIST 100 ConfigMaps (JSON), x509 admin", adminClient, _ => new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/bench/configmaps"));
await Scenario("LIST 100 ConfigMaps as a Table (kubectl get)", adminClient, _ =>
{
    var r = new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/bench/configmaps?limit=500");
    r.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    return r;
});
await Scenario("LIST with labelSelector i=3", adminClient, _ => new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/bench/configmaps?labelSelector=i%3D3"));
var created = 0;
await Scenario("CREATE a ConfigMap (in-memory store)", adminClient, _ => new HttpRequestMessage(HttpMethod.Post, $"{url}/api/v1/namespaces/bench/configmaps")
{
    Content = Json($$$"""{"metadata":{"name":"new-{{{Interlocked.Increment(ref created)}}}"},"data":{"k":"v"}}"""),
});
await Scenario("GET /api/v1/namespaces/x/pods, anonymous → 403", anonClient, _ => new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/namespaces/bench/pods"));

// One GET per authentication mechanism, the same ConfigMap each time, for a user RBAC lets read it (the view
// ClusterRole bound to every authenticated user), so the rows differ only in how the user is authenticated.
(await adminClient.PostAsync($"{url}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", Json("""
    {"metadata":{"name":"bench-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
     "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"}]}
    """))).EnsureSuccessStatusCode();
HttpRequestMessage Get(string baseUrl, int i, params (string Name, string Value)[] headers)
{
    var r = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/v1/namespaces/bench/configmaps/cm-{i % 100}");
    foreach (var (name, value) in headers) r.Headers.TryAddWithoutValidation(name, value);
    return r;
}
string Demo(string provider) => Regex.Match(demoLine, provider + @" (https://[0-9.:]+)").Groups[1].Value;
using var devClient = Client(ca, AdminCertificate(Path.Combine(kubeconfigDir, "x509-devuser.kubeconfig")));
await Scenario("GET one ConfigMap, x509 devuser (RBAC)", devClient, i => Get(url, i));
await Scenario("GET one ConfigMap, static token (frank)", anonClient, i => Get(url, i, ("Authorization", "Bearer static-token-frank-6a0d3e")));
await Scenario("GET one ConfigMap, webhook token (dave; cached answers)", anonClient, i => Get(url, i, ("Authorization", "Bearer webhook-token-dave-31c8e5")));
var idToken = await IdToken(anonClient, Demo("OIDC issuer"));
await Scenario("GET one ConfigMap, OIDC ID token (alice)", anonClient, i => Get(url, i, ("Authorization", "Bearer " + idToken)));
// Service-account tokens: a bound one from the TokenRequest API, and the legacy one the tokens controller put in a Secret.
(await adminClient.PostAsync($"{url}/api/v1/namespaces/bench/serviceaccounts", Json("""{"metadata":{"name":"robot"}}"""))).EnsureSuccessStatusCode();
using (var tokenRequest = await adminClient.PostAsync($"{url}/api/v1/namespaces/bench/serviceaccounts/robot/token", Json("""{"spec":{}}""")))
{
    tokenRequest.EnsureSuccessStatusCode();
    var boundToken = JsonDocument.Parse(await tokenRequest.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetProperty("token").GetString()!;
    await Scenario("GET one ConfigMap, bound service-account token (TokenRequest)", anonClient, i => Get(url, i, ("Authorization", "Bearer " + boundToken)));
}
var legacyToken = await LegacyToken(adminClient, url);
await Scenario("GET one ConfigMap, legacy service-account token (Secret)", anonClient, i => Get(url, i, ("Authorization", "Bearer " + legacyToken)));
var frontProxy = X509Certificate2.CreateFromPemFile(Path.Combine(root, "certs", "front-proxy-client.crt"), Path.Combine(root, "certs", "front-proxy-client.key"));
using var frontProxyClient = Client(ca, X509CertificateLoader.LoadPkcs12(frontProxy.Export(X509ContentType.Pkcs12), null));
await Scenario("GET one ConfigMap, request headers from the front-proxy certificate", frontProxyClient, i => Get(url, i, ("X-Remote-User", "alice"), ("X-Remote-Group", "developers")));
await Scenario("GET one ConfigMap through the demo authenticating proxy (proxy token; two hops)", anonClient, i => Get(Demo("authenticating proxy"), i, ("Authorization", "Bearer proxy-token-alice-4f9b2c")));

var rss = ResidentMegabytes(server.Id);
Console.WriteLine();
Console.WriteLine($"| scenario ({concurrency} connections, {seconds} s each) | requests/s | ratio to baseline |");
Console.WriteLine("|---|---:|---:|");
foreach (var (name, rps, ratio) in results) Console.WriteLine($"| {name} | {rps:F0} | {ratio:F2} |");
Console.WriteLine();
Console.WriteLine($"Server resident memory after the run ({100 + created} ConfigMaps stored): {rss:F0} MiB");
server.Kill(entireProcessTree: true);
try { Directory.Delete(root, true); } catch (IOException) { }

static async Task<string> LegacyToken(HttpClient admin, string url)
{
    // The tokens controller lists the account's token Secret soon after the account is created.
    for (var attempt = 0; attempt < 100; attempt++)
    {
        var sa = JsonDocument.Parse(await admin.GetStringAsync($"{url}/api/v1/namespaces/bench/serviceaccounts/robot")).RootElement;
        if (sa.TryGetProperty("secrets", out var secrets) && secrets.GetArrayLength() > 0)
        {
            var secret = JsonDocument.Parse(await admin.GetStringAsync($"{url}/api/v1/namespaces/bench/secrets/{secrets[0].GetProperty("name").GetString()}")).RootElement;
            return Encoding.UTF8.GetString(Convert.FromBase64String(secret.GetProperty("data").GetProperty("token").GetString()!));
        }
        await Task.Delay(100);
    }
    throw new InvalidOperationException("the tokens controller did not give robot a token Secret");
}

async Task<double> Measure(string name, HttpClient client, Func<int, HttpRequestMessage> request)
{
    // Warm up (connections, JIT, caches), then count completed requests for the duration.
    for (var i = 0; i < 200; i++) (await client.SendAsync(request(i))).Dispose();
    var stop = Stopwatch.StartNew();
    long done = 0, failed = 0;
    var workers = Enumerable.Range(0, concurrency).Select(async w =>
    {
        var n = w;
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            using var r = await client.SendAsync(request(n++));
            await r.Content.LoadIntoBufferAsync();
            if ((int)r.StatusCode >= 500) Interlocked.Increment(ref failed);
            Interlocked.Increment(ref done);
        }
    });
    await Task.WhenAll(workers);
    var rps = done / stop.Elapsed.TotalSeconds;
    Console.WriteLine($"{name}: {rps:F0} req/s{(failed > 0 ? $" ({failed} server errors)" : "")}");
    return rps;
}

// The demo issuer's password grant, as the oidc-login plugin does it.
static async Task<string> IdToken(HttpClient client, string issuer)
{
    using var response = await client.PostAsync(issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "password", ["client_id"] = "miniapiserver", ["username"] = "alice", ["password"] = "alice-demo-password", ["scope"] = "openid",
    }));
    response.EnsureSuccessStatusCode();
    return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id_token").GetString()!;
}

static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

static HttpClient Client(X509Certificate2 ca, X509Certificate2? clientCert)
{
    var handler = new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 64,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is X509Certificate2 c && chain.Build(c);
            },
            ClientCertificates = clientCert is null ? null : new X509CertificateCollection { clientCert },
        },
    };
    return new HttpClient(handler);
}

static X509Certificate2 AdminCertificate(string kubeconfig)
{
    var text = File.ReadAllText(kubeconfig);
    string Field(string name) => Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Match(text, name + @": (\S+)").Groups[1].Value));
    var pem = X509Certificate2.CreateFromPem(Field("client-certificate-data"), Field("client-key-data"));
    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
}

static async Task<WebApplication> StartBaseline(string certDir)
{
    var cert = X509Certificate2.CreateFromPemFile(Path.Combine(certDir, "apiserver.crt"), Path.Combine(certDir, "apiserver.key"));
    cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(cert)));
    var app = builder.Build();
    app.MapGet("/", () => "ok");
    await app.StartAsync();
    return app;
}

static Process StartServer(string dll, string root, out string url, out string demoLine)
{
    demoLine = "";
    var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { dll, "--secure-port=0", "--in-memory", $"--cert-dir={root}/certs", $"--data-dir={root}/data" }) psi.ArgumentList.Add(a);
    var p = Process.Start(psi)!;
    p.ErrorDataReceived += (_, _) => { };
    p.BeginErrorReadLine();
    while (p.StandardOutput.ReadLine() is { } line)
    {
        if (line.StartsWith("demo providers:")) demoLine = line;
        var m = Regex.Match(line, @"listening on (https://\S+)");
        if (m.Success)
        {
            url = m.Groups[1].Value;
            // Keep draining the request log so the server never blocks on a full pipe.
            _ = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is not null) { } });
            return p;
        }
    }
    throw new InvalidOperationException("the server exited before it was ready");
}

static double ResidentMegabytes(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:")) ?? "VmRSS: 0 kB";
    return double.Parse(Regex.Match(line, @"\d+").Value) / 1024;
}

static string ServerDll()
{
    var config = typeof(Program).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MiniApiServer.sln"))) dir = dir.Parent;
    return Path.Combine(dir!.FullName, "src", "MiniApiServer", "bin", config, "net10.0", "MiniApiServer.dll");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
