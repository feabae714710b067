using MiniApiServer.Pki;

namespace MiniApiServer.Hosting;

/// <summary>
/// <c>run.sh kubeconfig --user NAME [--group G]…</c>: prints a kubeconfig for any identity, with a client
/// certificate issued by the cluster CA in --cert-dir (CN = user, one O per group), for tests and classes.
/// The server does not need to be running; it trusts the certificate as long as it trusts that CA.
/// </summary>
public static class KubeconfigCommand
{
    public const string Name = "kubeconfig";

    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new("user", FlagKind.String, "", "The user name (the certificate's CN). Required."),
        new("group", FlagKind.StringList, "", "A group (the certificate's O); repeat or comma-separate for several."),
        new("uid", FlagKind.String, "", "The user's UID (the certificate's UID attribute)."),
        new("days", FlagKind.Int, "365", "How many days the certificate is valid, from now; 0 or less issues one that has already expired."),
        new("server", FlagKind.String, "", "The server URL written into the kubeconfig. Default: https://127.0.0.1:<secure-port>."),
        new("secure-port", FlagKind.Int, "6443", "The server's port, for the default --server."),
        new("cert-dir", FlagKind.String, "./certs", "The cluster PKI (created when missing, as the server does)."),
        new("out", FlagKind.String, "", "Write the kubeconfig to this file (mode 0600) instead of standard output."),
        new("help", FlagKind.Bool, "false", "Print this help and exit."),
    ];

    public static int Run(IReadOnlyList<string> args, TimeProvider time)
    {
        var f = new FlagSet(Flags).Parse(args);
        if (f.GetBool("help"))
        {
            Console.WriteLine($"Usage: run.sh {Name} --user NAME [--group G]... [flags]\n\n{f.Usage()}");
            return 0;
        }
        var user = f.GetString("user");
        if (user.Length == 0) throw new ConfigurationException("--user is required");
        var days = f.GetInt("days");
        var server = f.GetString("server") is { Length: > 0 } s ? s : $"https://127.0.0.1:{f.GetInt("secure-port")}";
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != "https")
            throw new ConfigurationException($"--server \"{server}\" must be an https:// URL (client-go sends credentials only over TLS)");

        using var pki = ClusterPki.LoadOrCreate(Path.GetFullPath(f.GetString("cert-dir")), time);
        var now = time.GetUtcNow();
        var notBefore = days > 0 ? now.AddMinutes(-5) : now.AddDays(days - 2);
        var notAfter = days > 0 ? now.AddDays(days) : now.AddDays(days - 1);
        var uid = f.GetString("uid");
        var issued = pki.IssueUserCertificate(user, f.GetList("group"), notBefore, notAfter, uid.Length > 0 ? uid : null);
        var spec = new KubeconfigSpec(KubeconfigWriter.ClusterName, server, pki.CaPem, user, new ClientCertificateCredential(issued));
        if (f.GetString("out") is { Length: > 0 } path) Kubeconfig.Write(Path.GetFullPath(path), spec);
        else Console.Write(Kubeconfig.Render(spec));
        return 0;
    }
}
