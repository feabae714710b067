using System.Security.Cryptography;
using MiniApiServer.Authentication.TokenFile;
using MiniApiServer.Demo;
using MiniApiServer.Demo.TokenWebhook;
using MiniApiServer.Pki;

namespace MiniApiServer.Hosting;

/// <summary>
/// <c>run.sh kubeconfig [--mechanism M] --user NAME [--group G]…</c>: prints a kubeconfig for an identity of any
/// mechanism. The server need not be running; each mechanism's kubeconfig is what a user of that mechanism has:
/// <list type="bullet">
/// <item><c>x509</c> (default): a client certificate for any user and groups, issued now by the cluster CA;</item>
/// <item><c>token</c>: the user's token from the static token file (which the server reads once, at start);</item>
/// <item><c>oidc</c>: the <c>oidc-login</c> exec plugin logging a demo user (fixtures/users.yaml) in to the demo issuer;</item>
/// <item><c>webhook</c>: the user's token from the demo token webhook's directory (fixtures/ldap.yaml);</item>
/// <item><c>proxy</c>: the demo authenticating proxy as the server, with the user's proxy token or password;</item>
/// <item><c>anonymous</c>: no credential.</item>
/// </list>
/// Only x509 can make up an identity: every other mechanism vouches for the users its provider knows.
/// </summary>
public static class KubeconfigCommand
{
    public const string Name = "kubeconfig";

    public static readonly IReadOnlyList<string> Mechanisms = ["x509", "token", "oidc", "webhook", "proxy", "anonymous"];

    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new("mechanism", FlagKind.String, "x509", $"How the user authenticates: {string.Join(", ", Mechanisms)}."),
        new("user", FlagKind.String, "", "The user name (x509: the certificate's CN; otherwise a user the mechanism's provider knows). Required except for anonymous."),
        new("group", FlagKind.StringList, "", "x509 only: a group (the certificate's O); repeat or comma-separate for several."),
        new("uid", FlagKind.String, "", "x509 only: the user's UID (the certificate's UID attribute)."),
        new("days", FlagKind.Int, "365", "x509 only: how many days the certificate is valid, from now; 0 or less issues one that has already expired."),
        new("server", FlagKind.String, "", "The server URL written into the kubeconfig. Default: https://127.0.0.1:<secure-port> (proxy: the demo proxy, <secure-port>+3)."),
        new("secure-port", FlagKind.Int, "6443", "The server's port, for the default --server and the demo providers' ports."),
        new("cert-dir", FlagKind.String, "./certs", "The cluster PKI (created when missing, as the server does)."),
        new("data-dir", FlagKind.String, "./data", "oidc only: the server's data folder (the exec plugin caches ID tokens under <data-dir>/demo)."),
        new("token-auth-file", FlagKind.String, "", "token only: the server's static token file. Default: fixtures/tokens.csv, as ./run.sh uses."),
        new("oidc-issuer-url", FlagKind.String, "", "oidc only: the demo issuer's URL. Default: https://127.0.0.1:<secure-port>+1."),
        new("fixtures-dir", FlagKind.String, "", "Where users.yaml, ldap.yaml and tokens.csv are. Default: ./fixtures, else the repository's."),
        new("out", FlagKind.String, "", "Write the kubeconfig to this file (mode 0600) instead of standard output."),
        new("help", FlagKind.Bool, "false", "Print this help and exit."),
    ];

    // Flags that only one mechanism reads: given to another, they would be silently meaningless.
    static readonly Dictionary<string, string> OwnMechanism = new()
    {
        ["group"] = "x509", ["uid"] = "x509", ["days"] = "x509", ["data-dir"] = "oidc",
        ["token-auth-file"] = "token", ["oidc-issuer-url"] = "oidc",
    };

    public static int Run(IReadOnlyList<string> args, TimeProvider time) => Run(args, time, Console.Out);

    public static int Run(IReadOnlyList<string> args, TimeProvider time, TextWriter stdout)
    {
        var f = new FlagSet(Flags).Parse(args);
        if (f.GetBool("help"))
        {
            stdout.WriteLine($"Usage: run.sh {Name} [--mechanism {string.Join("|", Mechanisms)}] --user NAME [--group G]... [flags]\n\n{f.Usage()}");
            return 0;
        }
        var mechanism = f.GetString("mechanism");
        if (!Mechanisms.Contains(mechanism))
            throw new ConfigurationException($"--mechanism \"{mechanism}\" is not one of {string.Join(", ", Mechanisms)}");
        foreach (var (flag, owner) in OwnMechanism)
            if (f.IsSet(flag) && owner != mechanism)
                throw new ConfigurationException($"--{flag} applies to --mechanism={owner} only{WhyNot(flag, mechanism)}");
        var user = f.GetString("user");
        if (mechanism == "anonymous" ? user.Length > 0 : user.Length == 0)
            throw new ConfigurationException(mechanism == "anonymous" ? "--user makes no sense for --mechanism=anonymous: an anonymous request names no one" : "--user is required");

        var server = ServerUrl(f, mechanism == "proxy" ? DemoPorts.AuthProxyOffset : 0, "--server");
        using var pki = ClusterPki.LoadOrCreate(Path.GetFullPath(f.GetString("cert-dir")), time);
        var spec = mechanism switch
        {
            "x509" => X509(f, user, server, pki, time),
            "token" => StaticToken(f, user, server, pki),
            "oidc" => Oidc(f, user, server, pki),
            "webhook" => Webhook(f, user, server, pki),
            "proxy" => Proxy(f, user, server, pki),
            _ => KubeconfigWriter.Anonymous(server, pki.CaPem),
        };
        if (f.GetString("out") is { Length: > 0 } path) Kubeconfig.Write(Path.GetFullPath(path), spec);
        else stdout.Write(Kubeconfig.Render(spec));
        return 0;
    }

    static string WhyNot(string flag, string mechanism) => (flag, mechanism) switch
    {
        ("group" or "uid", "token") => ": a token file user's groups and UID are the file's",
        ("group" or "uid", "oidc") => ": the issuer's ID token names the groups",
        ("group" or "uid", "webhook") => ": the webhook's directory names the groups",
        ("group" or "uid", "proxy") => ": the proxy asserts the groups its user database gives",
        _ => "",
    };

    /// <summary>The flag's URL, else https://127.0.0.1:&lt;secure-port + offset&gt; (the demo providers' fixed offsets).</summary>
    static string ServerUrl(FlagSet f, int portOffset, string flagName)
    {
        var given = f.GetString(flagName == "--server" ? "server" : "oidc-issuer-url");
        var port = f.GetInt("secure-port");
        if (given.Length == 0 && port == 0)
            throw new ConfigurationException($"with --secure-port=0 the ports are not known in advance: give {flagName} (the server prints its URLs when it starts)");
        var url = given.Length > 0 ? given : $"https://127.0.0.1:{port + portOffset}";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https")
            throw new ConfigurationException($"{flagName} \"{url}\" must be an https:// URL (client-go sends credentials only over TLS)");
        return url;
    }

    static KubeconfigSpec X509(FlagSet f, string user, string server, ClusterPki pki, TimeProvider time)
    {
        var days = f.GetInt("days");
        var now = time.GetUtcNow();
        var notBefore = days > 0 ? now.AddMinutes(-5) : now.AddDays(days - 2);
        var notAfter = days > 0 ? now.AddDays(days) : now.AddDays(days - 1);
        var uid = f.GetString("uid");
        var issued = pki.IssueUserCertificate(user, f.GetList("group"), notBefore, notAfter, uid.Length > 0 ? uid : null);
        return new KubeconfigSpec(KubeconfigWriter.ClusterName, server, pki.CaPem, user, new ClientCertificateCredential(issued));
    }

    /// <summary>
    /// The user's first token in the file. A user the file lacks cannot be given one here: kube-apiserver reads
    /// --token-auth-file once, at start, so a new line takes effect only after a restart. The error says so and
    /// offers a line with a fresh random token to add.
    /// </summary>
    static KubeconfigSpec StaticToken(FlagSet f, string user, string server, ClusterPki pki)
    {
        var file = f.GetString("token-auth-file") is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : Path.Combine(DemoFixtures.Locate(FixturesFlag(f)), DemoFixtures.TokenFileName);
        var tokens = TokenFileAuthenticator.Load(file);
        if (tokens.FirstTokenOf(user) is not { } entry)
        {
            var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            throw new ConfigurationException(
                $"user \"{user}\" has no token in {file} (its users: {string.Join(", ", tokens.UserNames)}). " +
                $"Add a line such as  {fresh},{user},{user},\"group1,group2\"  and restart the server: it reads the token file once, at start");
        }
        return KubeconfigWriter.StaticToken(user, entry.Token, server, pki.CaPem);
    }

    static KubeconfigSpec Oidc(FlagSet f, string user, string server, ClusterPki pki)
    {
        var demoUser = FindDemoUser(f, user, "the demo OIDC issuer");
        var issuer = ServerUrl(f, DemoPorts.OidcIssuerOffset, "--oidc-issuer-url");
        var stateDir = Path.Combine(Path.GetFullPath(f.GetString("data-dir")), "demo");
        return DemoKubeconfigs.Oidc(demoUser, server, issuer, pki, DemoKubeconfigs.OidcLoginCacheDir(stateDir), SelfCommand.Current());
    }

    static KubeconfigSpec Webhook(FlagSet f, string user, string server, ClusterPki pki)
    {
        var path = Path.Combine(DemoFixtures.Locate(FixturesFlag(f)), LdapDirectory.FileName);
        var directory = LdapDirectory.Load(path);
        var tokens = directory.Tokens.Where(t => t.User.Username == user).ToList();
        if (tokens.Count == 0)
            throw new ConfigurationException($"user \"{user}\" is not in the demo token webhook's directory {path} (its users: {string.Join(", ", directory.Users.Select(u => u.Username))}); add the user there and restart the server");
        return DemoKubeconfigs.Webhook(user, tokens[0].Token, server, pki.CaPem);
    }

    static KubeconfigSpec Proxy(FlagSet f, string user, string server, ClusterPki pki) =>
        DemoKubeconfigs.Proxy(FindDemoUser(f, user, "the demo authenticating proxy"), server, pki.CaPem);

    static DemoUser FindDemoUser(FlagSet f, string user, string provider)
    {
        var path = Path.Combine(DemoFixtures.Locate(FixturesFlag(f)), DemoUsers.FileName);
        var users = DemoUsers.Load(path);
        return users.Find(user) ?? throw new ConfigurationException(
            $"user \"{user}\" is not a user of {provider} ({path}: {string.Join(", ", users.All.Select(u => u.Username))}); add the user there and restart the server");
    }

    static string? FixturesFlag(FlagSet f) => f.GetString("fixtures-dir") is { Length: > 0 } d ? d : null;
}
