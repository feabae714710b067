using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Hosting;

/// <summary>
/// One identity per name: kube-apiserver authorizes a user by name alone, whichever mechanism vouched for it,
/// so two mechanisms that can produce the same name are one user to RBAC. At start-up the server warns (one line
/// each, naming the sources) where its configuration allows that: a JWT issuer whose user names carry no prefix
/// beside static-token or certificate users, and a static-token user named like a service account.
/// </summary>
public static class IdentityCollisions
{
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    public static IReadOnlyList<string> Find(ServerOptions options, IEnumerable<string> tokenFileUsers)
    {
        var warnings = new List<string>();
        var tokenUsers = tokenFileUsers.ToList();
        var others = new List<string>();
        if (options.TokenFile is { } tf && tokenUsers.Count > 0) others.Add($"static token users (--token-auth-file {tf.Path})");
        if (options.ClientCaFile.Length > 0) others.Add("client-certificate CNs (--client-ca-file)");
        if (options.RequestHeader is not null) others.Add("the authenticating proxy's X-Remote-User (--requestheader-*)");
        if (options.WebhookToken is not null) others.Add("the token webhook's user names");

        foreach (var jwt in options.Oidc?.Authenticators ?? [])
        {
            var username = jwt.Configuration.ClaimMappings.Username;
            var unprefixed = username.Expression is { Length: > 0 } || username.Prefix is "" or "-";
            if (unprefixed && others.Count > 0)
                warnings.Add($"JWT issuer {jwt.Configuration.Issuer.Url} maps user names {(username.Expression is { Length: > 0 } ? $"by the expression {username.Expression}" : $"from claim \"{username.Claim}\" with no prefix")}: they can equal {string.Join(", ", others)}; set a username prefix to keep them apart");
        }
        foreach (var name in tokenUsers.Where(n => n.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal)))
            warnings.Add($"static token user \"{name}\" (--token-auth-file {options.TokenFile?.Path}) is named like a service account but is not one: RBAC bindings for that service account apply to it");
        return warnings;
    }
}
