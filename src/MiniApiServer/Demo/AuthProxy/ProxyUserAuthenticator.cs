using System.Text;
using Microsoft.Net.Http.Headers;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>Who the proxy vouches for in the X-Remote-* headers.</summary>
public sealed record ProxiedUser(string Username, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);

/// <summary>
/// The proxy's own login, against <c>fixtures/users.yaml</c>. Two forms, both of which kubectl sends from a
/// kubeconfig: HTTP Basic (<c>users[].user.username/password</c>; kube-apiserver dropped basic auth in 1.19,
/// but client-go still sends it, and here it is the proxy, not the server, that reads it) and
/// <c>Authorization: Bearer &lt;proxyToken&gt;</c> (<c>users[].user.token</c>).
/// </summary>
public sealed class ProxyUserAuthenticator(DemoUsers users)
{
    /// <summary>The extra key that tells the server how the proxy authenticated the user (sent as X-Remote-Extra-…).</summary>
    public const string MethodExtraKey = "demo.miniapiserver.io/proxy-login";

    public ProxiedUser? Authenticate(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        var space = authorization.IndexOf(' ');
        if (space <= 0) return null;
        var scheme = authorization[..space];
        var credential = authorization[(space + 1)..].Trim();
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return Basic(credential) is { } user ? Proxied(user, "basic") : null;
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && credential.Length > 0)
            return users.FindByProxyToken(credential) is { } user ? Proxied(user, "token") : null;
        return null;
    }

    /// <summary>RFC 7617: base64 of <c>user-id ":" password</c>; the user id cannot hold a colon, the password can.</summary>
    private DemoUser? Basic(string credential)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credential));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? null : users.CheckPassword(decoded[..colon], decoded[(colon + 1)..]);
    }

    private static ProxiedUser Proxied(DemoUser user, string method) =>
        new(user.Username, user.Uid, user.Groups, new Dictionary<string, IReadOnlyList<string>> { [MethodExtraKey] = [method] });
}
