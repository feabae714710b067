using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Hosting;
using MiniApiServer.Pki;

namespace MiniApiServer.Authentication.RequestHeader;

/// <summary>
/// kube-apiserver's <c>--requestheader-*</c> flags (k8s.io/apiserver options.RequestHeaderAuthenticationOptions).
/// kube-apiserver has no default header names: X-Remote-User, X-Remote-Group and X-Remote-Extra- are what kubeadm
/// passes; only aggregated (delegating) servers default them. We follow kube-apiserver: every list defaults to empty,
/// so a CA file alone verifies proxies but names nobody.
/// </summary>
public sealed record RequestHeaderOptions(
    string ClientCaFile,
    IReadOnlyList<string> AllowedNames,
    IReadOnlyList<string> UsernameHeaders,
    IReadOnlyList<string> UidHeaders,
    IReadOnlyList<string> GroupHeaders,
    IReadOnlyList<string> ExtraHeaderPrefixes)
{
    public const string ClientCaFileFlag = "requestheader-client-ca-file";
    public const string AllowedNamesFlag = "requestheader-allowed-names";
    public const string UsernameHeadersFlag = "requestheader-username-headers";
    public const string UidHeadersFlag = "requestheader-uid-headers";
    public const string GroupHeadersFlag = "requestheader-group-headers";
    public const string ExtraHeadersPrefixFlag = "requestheader-extra-headers-prefix";

    /// <summary>The standard names API aggregation relies on (kube warns when a configured list leaves them out).</summary>
    public const string StandardUsernameHeader = "X-Remote-User";
    public const string StandardUidHeader = "X-Remote-Uid";
    public const string StandardGroupHeader = "X-Remote-Group";
    public const string StandardExtraHeaderPrefix = "X-Remote-Extra-";

    /// <summary>kube-apiserver's flags with their help text; every default is empty, as in kube-apiserver.</summary>
    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new(ClientCaFileFlag, FlagKind.String, "",
            "Root certificate bundle to use to verify client certificates on incoming requests before trusting usernames in headers specified by --requestheader-username-headers. WARNING: generally do not depend on authorization being already done for incoming requests."),
        new(AllowedNamesFlag, FlagKind.StringList, "",
            "List of client certificate common names to allow to provide usernames in headers specified by --requestheader-username-headers. If empty, any client certificate validated by the authorities in --requestheader-client-ca-file is allowed."),
        new(UsernameHeadersFlag, FlagKind.StringList, "", "List of request headers to inspect for usernames. X-Remote-User is common."),
        new(UidHeadersFlag, FlagKind.StringList, "", "List of request headers to inspect for UIDs. X-Remote-Uid is suggested."),
        new(GroupHeadersFlag, FlagKind.StringList, "", "List of request headers to inspect for groups. X-Remote-Group is suggested."),
        new(ExtraHeadersPrefixFlag, FlagKind.StringList, "", "List of request header prefixes to inspect. X-Remote-Extra- is suggested."),
    ];

    /// <summary>
    /// kube's non-fatal findings (a configured list without the standard name: "API aggregation will not work"),
    /// for the server to log as warnings at start.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Null when <c>--requestheader-client-ca-file</c> is empty (the mechanism is off, whatever the other flags say, as
    /// in kube). The CA file is read now: a missing file or one without a PEM certificate stops the start.
    /// </summary>
    public static RequestHeaderOptions? FromFlags(FlagSet flags)
    {
        var caFile = flags.GetString(ClientCaFileFlag);
        // Whitespace-only entries are a start-up error in kube ("empty value in ..."), checked before the CA file.
        var usernames = Names(flags, UsernameHeadersFlag);
        var uids = Names(flags, UidHeadersFlag);
        var groups = Names(flags, GroupHeadersFlag);
        var prefixes = Names(flags, ExtraHeadersPrefixFlag);
        var allowed = Names(flags, AllowedNamesFlag);

        // Added together with the UID headers (RemoteRequestHeaderUID), so kube could make this one an error.
        if (uids.Count > 0 && !ContainsIgnoringCase(uids, StandardUidHeader))
        {
            throw new ConfigurationException($"--{UidHeadersFlag} is set without specifying the standard {StandardUidHeader} header - API aggregation will not work");
        }

        if (caFile.Length == 0)
        {
            return null;
        }
        var path = Path.GetFullPath(caFile);
        ReadBundle(path, ClientCaFileFlag);

        var warnings = new List<string>();
        Warn(warnings, UsernameHeadersFlag, usernames, StandardUsernameHeader, "header");
        Warn(warnings, GroupHeadersFlag, groups, StandardGroupHeader, "header");
        Warn(warnings, ExtraHeadersPrefixFlag, prefixes, StandardExtraHeaderPrefix, "header prefix");
        return new RequestHeaderOptions(path, allowed, usernames, uids, groups, prefixes) { Warnings = warnings };
    }

    /// <summary>
    /// kube-apiserver (1.35+, PR 131411) refuses to start when the client CA bundle and the request-header CA bundle
    /// share a certificate and no allowed names are set: every ordinary client certificate could then set proxy
    /// headers for any user. Call with the effective <c>--client-ca-file</c> (empty: x509 off, nothing to check).
    /// </summary>
    public void CheckClientCaOverlap(string clientCaFile)
    {
        if (clientCaFile.Length == 0 || AllowedNames.Count > 0)
        {
            return;
        }
        var clientRoots = ReadBundle(Path.GetFullPath(clientCaFile), "client-ca-file");
        var proxyRoots = ReadBundle(ClientCaFile, ClientCaFileFlag);
        var overlap = clientRoots.Any(c => proxyRoots.Any(p => c.RawDataMemory.Span.SequenceEqual(p.RawDataMemory.Span)));
        if (overlap)
        {
            throw new ConfigurationException(
                $"--{ClientCaFileFlag} and --client-ca-file contain overlapping certificates; --{AllowedNamesFlag} must be specified to ensure regular client certificates cannot set authenticating proxy headers for arbitrary users");
        }
    }

    private static X509Certificate2Collection ReadBundle(string path, string flag)
    {
        try
        {
            return ClientCaBundle.Parse(path, File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PkiException)
        {
            throw new ConfigurationException($"--{flag}: unable to load client CA file {path}: {e.Message}");
        }
    }

    /// <summary>The flag's list; an entry that is empty or only spaces is kube's "empty value in" error.</summary>
    private static IReadOnlyList<string> Names(FlagSet flags, string flag)
    {
        // GetList drops empty entries, so look at the raw text too (pflag keeps "a,,b" as three entries; "" is an empty list).
        if (flags.IsSet(flag) && flags.GetString(flag) is { Length: > 0 } raw && raw.Split(',').Any(entry => entry.Trim().Length == 0))
        {
            throw new ConfigurationException($"empty value in \"{flag}\"");
        }
        return flags.GetList(flag);
    }

    private static void Warn(List<string> warnings, string flag, IReadOnlyList<string> configured, string standard, string what)
    {
        if (configured.Count > 0 && !ContainsIgnoringCase(configured, standard))
        {
            warnings.Add($"--{flag} is set without specifying the standard {standard} {what} - API aggregation will not work");
        }
    }

    private static bool ContainsIgnoringCase(IReadOnlyList<string> values, string wanted) =>
        values.Any(v => string.Equals(v, wanted, StringComparison.OrdinalIgnoreCase));
}
