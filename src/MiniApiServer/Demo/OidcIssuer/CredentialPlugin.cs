using System.Globalization;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Demo.OidcIssuer;

/// <summary>
/// <c>run.sh oidc-login [get-token] --oidc-issuer-url=… --username=… --password=…</c>: a client-go exec
/// credential plugin in the manner of int128/kubelogin. client-go runs it when it needs a token and reads an
/// <c>ExecCredential</c> (client.authentication.k8s.io/v1) from stdout; it reuses the token until
/// <c>status.expirationTimestamp</c>, and runs the plugin again after a 401. The plugin gets an ID token
/// with the password grant and caches it on disk, handing out the cached one while it has more than a
/// minute left. Errors go to stderr with exit code 1, which client-go reports as a failed credential.
/// </summary>
public static class CredentialPlugin
{
    public const string Name = "oidc-login";

    /// <summary>A cached token is reused only while it has at least this much life left (kubelogin uses a similar margin).</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new("oidc-issuer-url", FlagKind.String, "", "The issuer URL (https). Required."),
        new("oidc-client-id", FlagKind.String, DemoOidcIssuer.ClientId, "The OAuth client id: the audience of the ID token."),
        new("username", FlagKind.String, "", "The user to log in as (password grant). Required."),
        new("password", FlagKind.String, "", "The user's password."),
        new("password-file", FlagKind.String, "", "A file holding the password (its first line), instead of --password."),
        new("certificate-authority", FlagKind.String, "", "CA bundle (PEM) that signs the issuer's serving certificate. Default: the system roots."),
        new("token-cache-dir", FlagKind.String, DefaultCacheDir(), "Where ID tokens are cached between runs."),
        new("help", FlagKind.Bool, "false", "Print this help and exit."),
    ];

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, TimeProvider.System, handler: null);

    /// <summary>The plugin with its outputs, clock and HTTP handler injected (tests).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TimeProvider time, HttpMessageHandler? handler)
    {
        try
        {
            // kubelogin is invoked as "oidc-login get-token --flags"; accept the same spelling.
            var flags = new FlagSet(Flags).Parse(args.Count > 0 && args[0] == "get-token" ? args.Skip(1).ToList() : args);
            if (flags.GetBool("help"))
            {
                await stdout.WriteLineAsync($"Usage: run.sh {Name} [get-token] --oidc-issuer-url=URL --username=NAME --password=PASSWORD [flags]\n\n{flags.Usage()}");
                return 0;
            }
            var request = LoginRequest.FromFlags(flags);
            var token = ReadCache(request, time);
            if (token is null)
            {
                token = await LoginAsync(request, handler);
                WriteCache(request, token);
            }
            await stdout.WriteLineAsync(ExecCredentialJson(token));
            return 0;
        }
        catch (Exception e) when (e is ConfigurationException or HttpRequestException or IOException or JsonException or LoginException or ArgumentException or CryptographicException)
        {
            await stderr.WriteLineAsync($"error: {Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The ExecCredential client-go reads: <c>status.token</c> and the RFC 3339 <c>status.expirationTimestamp</c> (the token's <c>exp</c>).</summary>
    public static string ExecCredentialJson(string idToken)
    {
        var expires = ExpiryOf(idToken);
        return new JsonObject
        {
            ["kind"] = "ExecCredential",
            ["apiVersion"] = Kubeconfig.ExecApiVersion,
            ["spec"] = new JsonObject { ["interactive"] = false },
            ["status"] = new JsonObject
            {
                ["expirationTimestamp"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["token"] = idToken,
            },
        }.ToJsonString();
    }

    private static DateTimeOffset ExpiryOf(string idToken) => new DateTimeOffset(new JsonWebToken(idToken).ValidTo, TimeSpan.Zero);

    private static string DefaultCacheDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "cache", "miniapiserver-oidc-login");

    private sealed record LoginRequest(Uri Issuer, string ClientId, string Username, string Password, string CaFile, string CacheDir)
    {
        public static LoginRequest FromFlags(FlagSet f)
        {
            var issuer = f.GetString("oidc-issuer-url");
            if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
                throw new ConfigurationException($"--oidc-issuer-url \"{issuer}\" must be an https:// URL");
            var username = f.GetString("username");
            if (username.Length == 0) throw new ConfigurationException("--username is required");
            var password = f.GetString("password-file") is { Length: > 0 } file
                ? File.ReadLines(file).FirstOrDefault() ?? ""
                : f.GetString("password");
            if (password.Length == 0) throw new ConfigurationException("--password or --password-file is required");
            return new LoginRequest(uri, f.GetString("oidc-client-id"), username, password, f.GetString("certificate-authority"), f.GetString("token-cache-dir"));
        }

        public string IssuerText => Issuer.OriginalString.TrimEnd('/');

        /// <summary>One cache file per issuer, client and user; the name is a hash so no part of it leaks into file names.</summary>
        public string CachePath => Path.Combine(CacheDir,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{IssuerText}\n{ClientId}\n{Username}"))) + ".json");
    }

    private static string? ReadCache(LoginRequest request, TimeProvider time)
    {
        try
        {
            var cached = JsonNode.Parse(File.ReadAllText(request.CachePath))?["id_token"]?.GetValue<string>();
            return cached is not null && ExpiryOf(cached) - time.GetUtcNow() > RefreshMargin ? cached : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException or InvalidOperationException)
        {
            return null; // no cache, or an unreadable one: log in again
        }
    }

    private static void WriteCache(LoginRequest request, string idToken)
    {
        Directory.CreateDirectory(request.CacheDir);
        AtomicFile.WriteAllText(request.CachePath, new JsonObject { ["id_token"] = idToken }.ToJsonString(), secret: true);
    }

    /// <summary>Discovery for the token endpoint, then the password grant (RFC 6749 §4.3.2).</summary>
    private static async Task<string> LoginAsync(LoginRequest request, HttpMessageHandler? handler)
    {
        using var http = new HttpClient(handler ?? HandlerTrusting(request.CaFile), disposeHandler: handler is null) { Timeout = TimeSpan.FromSeconds(30) };
        var discovery = await http.GetFromJsonAsync<JsonObject>(request.IssuerText + OidcIssuerEndpoints.DiscoveryPath)
            ?? throw new LoginException("empty discovery document");
        if (discovery["issuer"]?.GetValue<string>() != request.IssuerText)
            throw new LoginException($"issuer did not match the issuer returned by provider, expected \"{request.IssuerText}\" got \"{discovery["issuer"]}\"");
        var tokenEndpoint = discovery["token_endpoint"]?.GetValue<string>() ?? throw new LoginException("the discovery document has no token_endpoint");

        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = request.ClientId,
            ["username"] = request.Username,
            ["password"] = request.Password,
            ["scope"] = "openid email profile groups",
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode)
            throw new LoginException($"token endpoint answered {(int)response.StatusCode}: {body?["error"]}: {body?["error_description"]}");
        return body?["id_token"]?.GetValue<string>() ?? throw new LoginException("the token response has no id_token");
    }

    private static SocketsHttpHandler HandlerTrusting(string caFile)
    {
        var handler = new SocketsHttpHandler();
        if (caFile.Length == 0) return handler;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            },
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        return handler;
    }

    private sealed class LoginException(string message) : Exception(message);
}
