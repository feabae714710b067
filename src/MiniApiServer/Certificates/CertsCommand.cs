using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Certificates;

/// <summary>
/// <c>run.sh certs …</c>: the administrator's side of client certificates, without the server running.
/// <list type="bullet">
/// <item><c>issue</c>: a key, a certificate from the client CA and a ready kubeconfig for any user and groups, valid
/// for a chosen number of days, or deliberately expired or not yet valid (for tests and demos);</item>
/// <item><c>rotate-client-ca</c>: see <see cref="ClientCaRotationCommand"/>;</item>
/// <item><c>deny</c>: adds a certificate to the simulator's deny list (see <see cref="CertificateDenyList"/>).</item>
/// </list>
/// </summary>
public static class CertsCommand
{
    public const string Name = "certs";

    static readonly FlagDefinition CertDir = new("cert-dir", FlagKind.String, "./certs", "The cluster PKI (created when missing, as the server does).");
    static readonly FlagDefinition DataDir = new("data-dir", FlagKind.String, "./data", "The server's data folder: issued files go to <data-dir>/issued, the demo kubeconfigs are in <data-dir>/kubeconfigs.");
    static readonly FlagDefinition Help = new("help", FlagKind.Bool, "false", "Print this help and exit.");

    public static IReadOnlyList<FlagDefinition> IssueFlags { get; } =
    [
        new("user", FlagKind.String, "", "The user name (the certificate's CN). Required."),
        new("group", FlagKind.StringList, "", "A group (the certificate's O); repeat or comma-separate for several."),
        new("uid", FlagKind.String, "", "The user's UID (the certificate's UID attribute)."),
        new("days", FlagKind.Int, "365", "How many days the certificate is valid."),
        new("expired", FlagKind.Bool, "false", "Issue a certificate that expired yesterday (valid --days before that)."),
        new("not-yet-valid", FlagKind.Bool, "false", "Issue a certificate that becomes valid tomorrow (for --days from then)."),
        new("name", FlagKind.String, "", "The base name of the files written. Default: the user name."),
        new("out-dir", FlagKind.String, "", "Where <name>.key, <name>.crt and <name>.kubeconfig are written. Default: <data-dir>/issued."),
        new("server", FlagKind.String, "", "The server URL in the kubeconfig. Default: the one in <data-dir>/kubeconfigs/admin.kubeconfig, else https://127.0.0.1:<secure-port>."),
        new("secure-port", FlagKind.Int, "6443", "The server's port, for the default --server."),
        CertDir, DataDir, Help,
    ];

    public static IReadOnlyList<FlagDefinition> DenyFlags { get; } =
    [
        new("deny-list", FlagKind.String, "", "The deny list file the server reads (its --client-cert-deny-list). Required; created when missing."),
        new("cert", FlagKind.String, "", "Deny this PEM certificate (by its SHA-256 fingerprint)."),
        new("kubeconfig", FlagKind.String, "", "Deny the client certificate of this kubeconfig (by its SHA-256 fingerprint)."),
        new("serial", FlagKind.String, "", "Deny by serial number (hex, as openssl x509 -noout -serial prints it)."),
        new("sha256", FlagKind.String, "", "Deny by SHA-256 fingerprint (hex; colons allowed)."),
        Help,
    ];

    public static int Run(IReadOnlyList<string> args, TimeProvider time)
    {
        var sub = args.Count > 0 ? args[0] : "";
        var rest = args.Skip(1).ToList();
        return sub switch
        {
            "issue" => Issue(rest, time),
            ClientCaRotationCommand.Name => ClientCaRotationCommand.Run(rest, [CertDir, DataDir, Help], time),
            "deny" => Deny(rest),
            "" or "--help" or "help" => PrintUsage(),
            _ => throw new ConfigurationException($"unknown certs subcommand \"{sub}\" (issue, rotate-client-ca, deny)"),
        };
    }

    static int PrintUsage()
    {
        Console.WriteLine($"""
            Usage:
              run.sh certs issue --user NAME [--group G]... [--days N | --expired | --not-yet-valid]
              run.sh certs rotate-client-ca
              run.sh certs deny --deny-list FILE (--cert FILE | --kubeconfig FILE | --serial HEX | --sha256 HEX)

            issue flags:
            {new FlagSet(IssueFlags).Usage()}
            rotate-client-ca flags: --cert-dir, --data-dir (as above)

            deny flags:
            {new FlagSet(DenyFlags).Usage()}
            """);
        return 0;
    }

    static int Issue(IReadOnlyList<string> args, TimeProvider time)
    {
        var f = new FlagSet(IssueFlags).Parse(args);
        if (f.GetBool("help")) return PrintUsage();
        var user = f.GetString("user");
        if (user.Length == 0) throw new ConfigurationException("--user is required");
        var days = f.GetInt("days");
        if (days <= 0) throw new ConfigurationException($"--days {days} must be at least 1 (use --expired for an expired certificate)");
        var (expired, future) = (f.GetBool("expired"), f.GetBool("not-yet-valid"));
        if (expired && future) throw new ConfigurationException("--expired and --not-yet-valid exclude each other");
        var dataDir = Path.GetFullPath(f.GetString("data-dir"));
        var server = ServerUrl(f, dataDir);
        var name = f.GetString("name") is { Length: > 0 } n ? n : user;
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new ConfigurationException($"--name \"{name}\" cannot be a file name (pass --name)");
        var outDir = f.GetString("out-dir") is { Length: > 0 } o ? Path.GetFullPath(o) : Path.Combine(dataDir, "issued");

        var now = time.GetUtcNow();
        var (notBefore, notAfter) = expired ? (now.AddDays(-1 - days), now.AddDays(-1))
            : future ? (now.AddDays(1), now.AddDays(1 + days))
            : (now - CertificateAuthority.Backdate, now.AddDays(days));
        using var pki = ClusterPki.LoadOrCreate(Path.GetFullPath(f.GetString("cert-dir")), time);
        var uid = f.GetString("uid");
        var issued = pki.IssueUserCertificate(user, f.GetList("group"), notBefore, notAfter, uid.Length > 0 ? uid : null);
        var files = IssuedFiles.Write(outDir, name, issued, new KubeconfigSpec(KubeconfigWriter.ClusterName, server, pki.CaPem, user, new ClientCertificateCredential(issued)));

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Console.WriteLine($"issued {certificate.Subject} by {certificate.Issuer}");
        Console.WriteLine($"  valid   {Iso(notBefore)} .. {Iso(notAfter)}{(expired ? " (already expired)" : future ? " (not valid yet)" : "")}");
        Console.WriteLine($"  serial  {certificate.SerialNumber}");
        Console.WriteLine($"  sha256  {Convert.ToHexStringLower(SHA256.HashData(certificate.RawData))}");
        foreach (var file in files) Console.WriteLine($"  wrote   {file}");
        Console.WriteLine($"try: kubectl --kubeconfig {files[^1]} auth whoami");
        return 0;
    }

    static int Deny(IReadOnlyList<string> args)
    {
        var f = new FlagSet(DenyFlags).Parse(args);
        if (f.GetBool("help")) return PrintUsage();
        var listPath = f.GetString("deny-list") is { Length: > 0 } p ? Path.GetFullPath(p) : throw new ConfigurationException("--deny-list is required");
        var given = new[] { "cert", "kubeconfig", "serial", "sha256" }.Where(flag => f.GetString(flag).Length > 0).ToList();
        if (given.Count != 1) throw new ConfigurationException("name exactly one of --cert, --kubeconfig, --serial, --sha256");
        var (entry, what) = given[0] switch
        {
            "cert" => FromCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(f.GetString("cert")))),
            "kubeconfig" => FromCertificate(IssuedFiles.ClientCertificateOf(f.GetString("kubeconfig"))),
            "serial" => ($"serial:{f.GetString("serial")}", "serial " + f.GetString("serial")),
            _ => ($"sha256:{f.GetString("sha256")}", "fingerprint " + f.GetString("sha256")),
        };
        CertificateDenyList.ParseText(entry); // refuses a malformed value before it reaches the file
        Directory.CreateDirectory(Path.GetDirectoryName(listPath)!);
        File.AppendAllText(listPath, $"{entry}  # {what}\n");
        Console.WriteLine($"denied {what}: appended \"{entry}\" to {listPath}");
        Console.WriteLine($"the server refuses it (401) when started with --client-cert-deny-list={listPath} (a simulator extension: Kubernetes cannot revoke client certificates)");
        return 0;
    }

    static (string Entry, string What) FromCertificate(X509Certificate2 certificate)
    {
        using (certificate) return (CertificateDenyList.EntryFor(certificate), certificate.Subject);
    }

    static string ServerUrl(FlagSet f, string dataDir)
    {
        if (f.GetString("server") is { Length: > 0 } explicitUrl)
            return Uri.TryCreate(explicitUrl, UriKind.Absolute, out var uri) && uri.Scheme == "https" ? explicitUrl
                : throw new ConfigurationException($"--server \"{explicitUrl}\" must be an https:// URL (client-go sends credentials only over TLS)");
        var admin = Path.Combine(dataDir, "kubeconfigs", "admin.kubeconfig");
        return File.Exists(admin) && IssuedFiles.ServerOf(admin) is { } written ? written : $"https://127.0.0.1:{f.GetInt("secure-port")}";
    }

    static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
