using System.Net;
using MiniApiServer.Authentication.Oidc;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Authentication.TokenFile;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Hosting;

/// <summary>
/// The server's configuration, parsed once from kube-apiserver-style flags and validated before anything
/// starts. Flags keep kube-apiserver's names and meanings; the simulator's own are marked as such.
/// </summary>
public sealed class ServerOptions
{
    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new("secure-port", FlagKind.Int, "6443", "The port on which to serve HTTPS; 0 picks a free port."),
        new("bind-address", FlagKind.String, "127.0.0.1", "The IP address on which to listen."),
        new("cert-dir", FlagKind.String, "./certs", "The directory of the cluster PKI (kubeadm file names); missing files are generated, existing ones never overwritten."),
        new("tls-cert-file", FlagKind.String, "", "The serving certificate (PEM). Default: <cert-dir>/apiserver.crt."),
        new("tls-private-key-file", FlagKind.String, "", "The serving certificate's key (PEM). Default: <cert-dir>/apiserver.key."),
        new("client-ca-file", FlagKind.String, "", "CA bundle that signs client certificates (x509 authentication), reloaded when the file changes. Default: <cert-dir>/client-ca.crt (a copy of ca.crt until `certs rotate-client-ca`); an explicit empty value switches x509 authentication off."),
        new("client-cert-deny-list", FlagKind.String, "", "Simulator extension, not in Kubernetes: a file of denied client certificates (lines `serial:<hex>` or `sha256:<hex>`), reloaded when it changes; a listed certificate gets 401 (see `certs deny`). Off when empty."),
        new("data-dir", FlagKind.String, "./data", "Simulator: where the LiteDB file and the generated kubeconfigs live."),
        new("demo-providers", FlagKind.Bool, "true", "Simulator: run the built-in OIDC issuer, token webhook and authenticating proxy on 127.0.0.1:<secure-port>+1..+3 (free ports with --secure-port=0), and configure the mechanisms that use them unless configured by flags."),
        new("in-memory", FlagKind.Bool, "false", "Simulator: keep API objects in memory only (the PKI and kubeconfigs are still written)."),
        new("anonymous-auth", FlagKind.Bool, "true", "Enables anonymous requests: requests with no credential that no authenticator rejected get user system:anonymous, group system:unauthenticated."),
        new("authorization-mode", FlagKind.StringList, "RBAC", "Ordered list of authorizers: RBAC, AlwaysAllow. Until RBAC is served, RBAC mode allows system:masters and the public endpoints only."),
        new("help", FlagKind.Bool, "false", "Print this help and exit."),
        .. RequestHeaderOptions.Flags,
        .. TokenFileOptions.Flags,
        .. WebhookTokenOptions.Flags,
        .. OidcOptions.Flags,
        .. ServiceAccountOptions.Flags,
        new("api-audiences", FlagKind.StringList, "", "Identifiers of the API. Tokens used against the API should be bound to at least one of these audiences. Default: the --service-account-issuer values, as in kube-apiserver."),
        new("enable-bootstrap-token-auth", FlagKind.Bool, "false", "Enable to allow secrets of type 'bootstrap.kubernetes.io/token' in the 'kube-system' namespace to be used for TLS bootstrapping authentication."),
    ];

    public required int SecurePort { get; init; }
    public required IPAddress BindAddress { get; init; }
    public required string CertDir { get; init; }
    public required string TlsCertFile { get; init; }
    public required string TlsPrivateKeyFile { get; init; }
    /// <summary>Empty when x509 client-certificate authentication is off.</summary>
    public required string ClientCaFile { get; init; }
    /// <summary>The simulator's client-certificate deny list (an extension; kube has no revocation); empty when off.</summary>
    public string ClientCertDenyList { get; init; } = "";
    public required string DataDir { get; init; }
    public required bool InMemory { get; init; }
    public required IReadOnlyList<string> AuthorizationModes { get; init; }
    public required bool AnonymousAuth { get; init; }
    /// <summary>The authenticating proxy (request-header authentication); null when off.</summary>
    public required RequestHeaderOptions? RequestHeader { get; init; }
    /// <summary>The static token file; null when off.</summary>
    public required TokenFileOptions? TokenFile { get; init; }
    public required bool BootstrapTokenAuth { get; init; }
    /// <summary>Webhook token authentication; null when off.</summary>
    public required WebhookTokenOptions? WebhookToken { get; init; }
    public required IReadOnlyList<string> ApiAudiences { get; init; }
    /// <summary>OIDC/JWT issuers (the --oidc-* flags or --authentication-config) and its anonymous block; null when neither is given.</summary>
    public required OidcOptions? Oidc { get; init; }
    /// <summary>Paths anonymous requests are limited to (AuthenticationConfiguration anonymous.conditions); empty = any path.</summary>
    public required IReadOnlyList<string> AnonymousPaths { get; init; }

    /// <summary>Service-account token issuing and verification, and the token model.</summary>
    public required ServiceAccountOptions ServiceAccounts { get; init; }

    public string KubeconfigDir => Path.Combine(DataDir, "kubeconfigs");

    public static ServerOptions FromFlags(FlagSet f)
    {
        var certDir = Path.GetFullPath(f.GetString("cert-dir"));
        string OrCertDir(string flag, string file) => f.IsSet(flag) ? f.GetString(flag) : Path.Combine(certDir, file);

        var bind = f.GetString("bind-address");
        if (!IPAddress.TryParse(bind, out var address))
            throw new ConfigurationException($"invalid argument \"{bind}\" for \"--bind-address\" flag: not an IP address");
        var port = f.GetInt("secure-port");
        if (port is < 0 or > 65535)
            throw new ConfigurationException($"--secure-port {port} must be between 0 and 65535");
        var modes = f.GetList("authorization-mode");
        foreach (var m in modes)
            if (m is not ("RBAC" or "AlwaysAllow"))
                throw new ConfigurationException($"--authorization-mode: authorization mode \"{m}\" is not supported (supported: RBAC, AlwaysAllow)");
        if (modes.Count == 0)
            throw new ConfigurationException("--authorization-mode: at least one authorization mode must be given");

        var tlsCert = OrCertDir("tls-cert-file", "apiserver.crt");
        var tlsKey = OrCertDir("tls-private-key-file", "apiserver.key");
        if (tlsCert.Length == 0 || tlsKey.Length == 0)
            throw new ConfigurationException("--tls-cert-file and --tls-private-key-file: the server serves HTTPS only and needs both");

        // The anonymous block of --authentication-config replaces --anonymous-auth; both at once is kube's start-up error.
        var oidc = OidcOptions.FromFlags(f);
        var anonymous = f.GetBool("anonymous-auth");
        IReadOnlyList<string> anonymousPaths = [];
        if (oidc?.Anonymous is { } block)
        {
            if (f.IsSet("anonymous-auth"))
                throw new ConfigurationException("anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous field is configured in authentication configuration file");
            anonymous = block.Enabled;
            anonymousPaths = block.Conditions.Select(c => c.Path).ToList();
        }

        return new ServerOptions
        {
            SecurePort = port,
            BindAddress = address,
            CertDir = certDir,
            TlsCertFile = Path.GetFullPath(tlsCert),
            TlsPrivateKeyFile = Path.GetFullPath(tlsKey),
            ClientCaFile = OrCertDir("client-ca-file", Pki.PkiFileNames.ClientCaCert) is { Length: > 0 } ca ? Path.GetFullPath(ca) : "",
            ClientCertDenyList = f.GetString("client-cert-deny-list") is { Length: > 0 } deny ? Path.GetFullPath(deny) : "",
            DataDir = Path.GetFullPath(f.GetString("data-dir")),
            InMemory = f.GetBool("in-memory"),
            AuthorizationModes = modes,
            AnonymousAuth = anonymous,
            AnonymousPaths = anonymousPaths,
            RequestHeader = RequestHeaderOptions.FromFlags(f),
            TokenFile = TokenFileOptions.FromFlags(f),
            BootstrapTokenAuth = f.GetBool("enable-bootstrap-token-auth"),
            WebhookToken = WebhookTokenOptions.FromFlags(f),
            ApiAudiences = f.IsSet("api-audiences") ? f.GetList("api-audiences") : f.GetList("service-account-issuer"),
            Oidc = oidc,
            ServiceAccounts = ServiceAccountOptions.FromFlags(f, certDir),
        };
    }
}
