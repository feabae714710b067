using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Authentication.Bootstrap;

/// <summary>
/// Bootstrap tokens (<c>--enable-bootstrap-token-auth</c>; kube's plugin/pkg/auth/authenticator/token/bootstrap):
/// a token <c>&lt;id&gt;.&lt;secret&gt;</c> backed by the Secret kube-system/bootstrap-token-&lt;id&gt; of type
/// bootstrap.kubernetes.io/token authenticates as <c>system:bootstrap:&lt;id&gt;</c> in system:bootstrappers plus
/// its auth-extra-groups. Every mismatch (no such Secret, wrong type, wrong secret, expired, not marked for
/// authentication, a bad extra group) is "not mine", as in kube: the token union then answers "invalid bearer token".
/// </summary>
public sealed partial class BootstrapTokenAuthenticator(IObjectStore store, TimeProvider time, ILogger logger) : ITokenAuthenticator
{
    public const string SecretPrefix = "bootstrap-token-";
    public const string UserPrefix = "system:bootstrap:";
    public const string DefaultGroup = "system:bootstrappers";

    public string Name => "bootstrap-token";

    [GeneratedRegex("^([a-z0-9]{6})\\.([a-z0-9]{16})$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")]
    private static partial Regex GroupPattern();

    public ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Authenticate(token));

    AuthenticationResult Authenticate(string token)
    {
        var m = TokenPattern().Match(token);
        if (!m.Success) return AuthenticationResult.NotMine(Name);
        var (id, secretPart) = (m.Groups[1].Value, m.Groups[2].Value);
        var name = SecretPrefix + id;
        var stored = store.Get(new ObjectKey(SecretStrategy.Definition.StorageResource, "kube-system", name));
        if (stored is null) return Ignore($"No secret of name {name} to match bootstrap bearer token");
        var secret = stored.Object;
        if (secret.IsDeleting()) return Ignore($"Bootstrap secret kube-system/{name} matching bearer token is deleted and awaiting removal");
        if (secret.Str("type") != SecretStrategy.BootstrapTokenType || secret.ObjAt("data") is not { } data)
            return Ignore($"Bootstrap secret kube-system/{name} matching bearer token has invalid type, expected {SecretStrategy.BootstrapTokenType}.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Data(data, "token-secret")), Encoding.UTF8.GetBytes(secretPart)))
            return Ignore($"Bootstrap secret kube-system/{name} matching bearer token has invalid value for key token-secret.");
        if (Data(data, "token-id") != id)
            return Ignore($"Bootstrap secret kube-system/{name} matching bearer token has invalid value for key token-id, expected {id}.");
        if (Expired(Data(data, "expiration")))
            return Ignore($"Bootstrap secret kube-system/{name} matching bearer token has expired.");
        if (Data(data, "usage-bootstrap-authentication") != "true")
            return Ignore($"Bootstrap secret kube-system/{name} matching bearer token not marked usage-bootstrap-authentication=true.");
        var groups = new SortedSet<string>(StringComparer.Ordinal) { DefaultGroup };
        var extra = Data(data, "auth-extra-groups");
        if (extra.Length > 0)
            foreach (var g in extra.Split(',').Select(g => g.Trim()))
            {
                if (!GroupPattern().IsMatch(g))
                    return Ignore($"Bootstrap secret kube-system/{name} matching bearer token has invalid value for key auth-extra-groups: bootstrap group \"{g}\" is invalid (must match {GroupPattern()}).");
                groups.Add(g);
            }
        return AuthenticationResult.Success(Name, new UserInfo(UserPrefix + id, "", groups.ToList(), UserInfo.NoExtra));
    }

    /// <summary>kube logs why a bootstrap token did not match and treats it as not its own.</summary>
    AuthenticationResult Ignore(string why)
    {
        logger.LogInformation("{Reason}", why);
        return AuthenticationResult.NotMine(Name);
    }

    static string Data(JsonObject data, string key)
    {
        var b64 = data.Str(key);
        if (b64 is null) return "";
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(b64)); }
        catch (FormatException) { return ""; }
    }

    /// <summary>An unparseable expiration counts as expired, as in kube's cluster-bootstrap HasExpired.</summary>
    bool Expired(string expiration)
    {
        if (expiration.Length == 0) return false;
        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return true;
        return time.GetUtcNow() > t;
    }
}
