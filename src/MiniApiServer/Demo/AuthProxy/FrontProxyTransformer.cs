using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>
/// Rewrites a forwarded request as kube's front proxy does (client-go <c>SetAuthProxyHeaders</c>): first
/// removes every identity a client might have smuggled in — <c>Authorization</c> (the proxy's own
/// credential), any <c>X-Remote-*</c> and <c>Impersonate-*</c> header — then states who the proxy
/// authenticated: <c>X-Remote-User</c>, <c>X-Remote-Uid</c>, one <c>X-Remote-Group</c> line per group, and
/// <c>X-Remote-Extra-&lt;escaped key&gt;</c> lines.
/// </summary>
public sealed class FrontProxyTransformer(ProxiedUser user) : HttpTransformer
{
    public const string UserHeader = "X-Remote-User";
    public const string UidHeader = "X-Remote-Uid";
    public const string GroupHeader = "X-Remote-Group";
    public const string ExtraHeaderPrefix = "X-Remote-Extra-";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var smuggled = proxyRequest.Headers.NonValidated.Select(h => h.Key).Where(IsIdentityHeader).ToList();
        foreach (var name in smuggled) proxyRequest.Headers.Remove(name);

        proxyRequest.Headers.TryAddWithoutValidation(UserHeader, user.Username);
        if (user.Uid.Length > 0) proxyRequest.Headers.TryAddWithoutValidation(UidHeader, user.Uid);
        foreach (var group in user.Groups) proxyRequest.Headers.TryAddWithoutValidation(GroupHeader, group);
        foreach (var (key, values) in user.Extra)
            foreach (var value in values) proxyRequest.Headers.TryAddWithoutValidation(ExtraHeaderPrefix + EscapeExtraKey(key), value);
    }

    public static bool IsIdentityHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// client-go's <c>headerKeyEscape</c>: bytes that are not RFC 7230 token characters, and '%', become %XX,
    /// so that kube-apiserver's PathUnescape of the lower-cased suffix gives the key back (e.g. '/' → %2F).
    /// </summary>
    public static string EscapeExtraKey(string key)
    {
        var escaped = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            var c = (char)b;
            var token = b < 0x7F && (char.IsAsciiLetterOrDigit(c) || "!#$&'*+-.^_`|~".Contains(c));
            if (token) escaped.Append(c);
            else escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }
}
