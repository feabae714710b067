using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MiniApiServer.Authentication.X509;

namespace MiniApiServer.Authentication.RequestHeader;

/// <summary>
/// kube-apiserver's authenticating-proxy authenticator (k8s.io/apiserver headerrequest behind x509.Verifier), first
/// in the chain. Without a client certificate it has no opinion, so identity headers from anyone but a verified
/// proxy are never read. A certificate that does not verify against the request-header CA, or whose CN is not an
/// allowed name, is an error (recorded; the chain goes on, so an ordinary client certificate still authenticates
/// through x509). From a trusted proxy: the user is the first non-empty username header, no username header means
/// no opinion; then uid, groups and extra from the configured headers, which are removed from the request.
/// </summary>
public sealed class RequestHeaderAuthenticator : IRequestAuthenticator
{
    private readonly RequestHeaderOptions _options;
    private readonly ProxyCertificateVerifier _verifier;

    public RequestHeaderAuthenticator(RequestHeaderOptions options, ClientCaBundle proxyRoots, TimeProvider time)
    {
        _options = options;
        HeaderNames = [.. options.UsernameHeaders, .. options.UidHeaders, .. options.GroupHeaders];
        _verifier = new ProxyCertificateVerifier(proxyRoots, options.AllowedNames, time);
    }

    /// <summary>The factory the server calls: the CA file is watched and reloaded as kube-apiserver does.</summary>
    public static RequestHeaderAuthenticator Create(RequestHeaderOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("MiniApiServer.Authentication.RequestHeader");
        foreach (var warning in options.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }
        return new RequestHeaderAuthenticator(options, ClientCaBundle.FromFile(options.ClientCaFile, time, logger), time);
    }

    public string Name => "requestheader";

    public RequestHeaderOptions Options => _options;

    /// <summary>The configured username, uid and group header names: kube deletes them after any successful authentication.</summary>
    public IReadOnlyList<string> HeaderNames { get; }

    /// <summary>The configured extra prefixes: every header starting with one (ignoring case) is deleted after any success.</summary>
    public IReadOnlyList<string> HeaderPrefixes => _options.ExtraHeaderPrefixes;

    internal long ChainVerifications => _verifier.ChainVerifications;

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var leaf = context.Connection.ClientCertificate;
        if (leaf is null)
        {
            return ValueTask.FromResult(AuthenticationResult.NotMine(Name));
        }
        var intermediates = context.Features.Get<IPeerCertificateChainFeature>()?.Intermediates ?? [];
        var proxy = _verifier.Verify(Name, leaf, intermediates);
        if (!proxy.Succeeded)
        {
            return ValueTask.FromResult(proxy);
        }
        return ValueTask.FromResult(FromHeaders(context.Request.Headers));
    }

    /// <summary>The identity a trusted proxy asserts (headerrequest.AuthenticateRequest).</summary>
    private AuthenticationResult FromHeaders(IHeaderDictionary headers)
    {
        var name = FirstValue(headers, _options.UsernameHeaders);
        if (name.Length == 0)
        {
            return AuthenticationResult.NotMine(Name);
        }
        var user = new UserInfo(name, FirstValue(headers, _options.UidHeaders), AllValues(headers, _options.GroupHeaders), Extra(headers, _options.ExtraHeaderPrefixes));
        ClearAuthenticationHeaders(headers);
        return AuthenticationResult.Success(Name, user);
    }

    /// <summary>Deletes the configured headers and every header with a configured prefix (kube's ClearAuthenticationHeaders).</summary>
    public void ClearAuthenticationHeaders(IHeaderDictionary headers) => ClearHeaders(headers, HeaderNames, HeaderPrefixes);

    public static void ClearHeaders(IHeaderDictionary headers, IEnumerable<string> names, IReadOnlyList<string> prefixes)
    {
        foreach (var name in names)
        {
            headers.Remove(name);
        }
        if (prefixes.Count == 0)
        {
            return;
        }
        var prefixed = headers.Keys.Where(key => prefixes.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToList();
        foreach (var key in prefixed)
        {
            headers.Remove(key);
        }
    }

    /// <summary>Go's <c>Header.Get</c> per configured name, in order: the first line of the first header whose first line is not empty.</summary>
    private static string FirstValue(IHeaderDictionary headers, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (headers.TryGetValue(name, out var values) && values.Count > 0 && values[0] is { Length: > 0 } value)
            {
                return value;
            }
        }
        return "";
    }

    /// <summary>Every non-empty line of every group header, in the configured order; a line is one group (commas do not split).</summary>
    private static List<string> AllValues(IHeaderDictionary headers, IReadOnlyList<string> names)
    {
        var all = new List<string>();
        foreach (var name in names)
        {
            if (headers.TryGetValue(name, out var values))
            {
                all.AddRange(values.Where(v => !string.IsNullOrEmpty(v))!);
            }
        }
        return all;
    }

    /// <summary>
    /// For each prefix, each header that starts with it (ignoring case): key = the rest of the name, lower-cased and
    /// %-unescaped; every line of the header is appended to that key's values (empty lines included, as kube does).
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>> Extra(IHeaderDictionary headers, IReadOnlyList<string> prefixes)
    {
        var extra = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var prefix in prefixes)
        {
            foreach (var (headerName, values) in headers)
            {
                if (!headerName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var key = ExtraKey.FromHeaderSuffix(headerName[prefix.Length..]);
                if (!extra.TryGetValue(key, out var list))
                {
                    extra[key] = list = [];
                }
                list.AddRange(values.Select(v => v ?? ""));
            }
        }
        return extra.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal);
    }
}
