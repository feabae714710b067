using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.Impersonation;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>A validator's verdict: the account, or why the (well-signed) token is refused.</summary>
public sealed record TokenValidation(ServiceAccountInfo? Info, string? Error)
{
    public static TokenValidation Ok(ServiceAccountInfo info) => new(info, null);
    public static TokenValidation Refused(string error) => new(null, error);
}

/// <summary>The per-kind check kube runs once a token's signature, issuer and audiences are good (jwt.go Validator).</summary>
public interface IServiceAccountTokenValidator
{
    TokenValidation Validate(string token, ServiceAccountClaims claims);
}

/// <summary>
/// legacy.go legacyValidator: the claims must be complete and consistent; with <c>--service-account-lookup</c>
/// the Secret must still exist, not be terminating and hold exactly this token, the ServiceAccount must still
/// exist, not be terminating and have the uid of the claim, and the Secret must not be marked invalid. A
/// legacy token never expires and carries no credential id.
/// </summary>
public sealed class LegacyTokenValidator(bool lookup, ServiceAccountTokenGetter getter, LegacyTokenTracker tracker) : IServiceAccountTokenValidator
{
    public const string InvalidSinceLabel = "kubernetes.io/legacy-token-invalid-since";

    public TokenValidation Validate(string token, ServiceAccountClaims claims)
    {
        if (claims.Subject.Length == 0) return TokenValidation.Refused("sub claim is missing");
        var ns = claims.LegacyNamespaceClaim;
        if (ns.Length == 0) return TokenValidation.Refused("namespace claim is missing");
        var secretName = claims.LegacySecretNameClaim;
        if (secretName.Length == 0) return TokenValidation.Refused("secretName claim is missing");
        var saName = claims.LegacyServiceAccountNameClaim;
        if (saName.Length == 0) return TokenValidation.Refused("serviceAccountName claim is missing");
        var saUid = claims.LegacyServiceAccountUidClaim;
        if (saUid.Length == 0) return TokenValidation.Refused("serviceAccountUID claim is missing");
        if (!ImpersonationRequest.TrySplitServiceAccount(claims.Subject, out var subjectNs, out var subjectName) || subjectNs != ns || subjectName != saName)
            return TokenValidation.Refused("sub claim is invalid");

        if (lookup)
        {
            var secret = getter.Secret(ns, secretName);
            if (secret is null || secret.IsDeleting()) return TokenValidation.Refused("Token has been invalidated");
            if (!SameToken(secret, token)) return TokenValidation.Refused("Token does not match server's copy");

            var sa = getter.ServiceAccount(ns, saName);
            if (sa is null) return TokenValidation.Refused(ServiceAccountTokenGetter.NotFound(ServiceAccountStrategy.Definition, saName));
            if (sa.IsDeleting()) return TokenValidation.Refused($"ServiceAccount {ns}/{saName} has been deleted");
            if (sa.Uid() != saUid) return TokenValidation.Refused($"ServiceAccount UID ({sa.Uid()}) does not match claim ({saUid})");

            if (secret.Labels().GetValueOrDefault(InvalidSinceLabel) is { Length: > 0 })
            {
                tracker.MarkUsed(secret);
                return TokenValidation.Refused($"the token in secret {ns}/{secretName} for service account {ns}/{saName} has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '{InvalidSinceLabel}' label from the secret to temporarily allow use of this token");
            }
            tracker.MarkUsed(secret);
        }
        return TokenValidation.Ok(new ServiceAccountInfo(ns, saName, saUid));
    }

    /// <summary>subtle.ConstantTimeCompare of the Secret's <c>data.token</c> (base64 in storage) and the presented token.</summary>
    static bool SameToken(JsonObject secret, string token)
    {
        byte[] stored;
        try { stored = Convert.FromBase64String(secret.Str("data", "token") ?? ""); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(stored, Encoding.UTF8.GetBytes(token));
    }
}

/// <summary>
/// claims.go validator for bound tokens: exp, nbf and iat with go-jose's one-minute leeway; the ServiceAccount
/// must exist with the claimed uid and not have been deleted more than a minute ago; a bound Secret or Pod
/// must exist with its uid and not have been deleted more than a minute ago; a token bound to a Node alone
/// needs the Node likewise (a pod-bound token's node is only reported). Always checked, whatever
/// <c>--service-account-lookup</c> says.
/// </summary>
public sealed class BoundTokenValidator(ServiceAccountTokenGetter getter, TimeProvider time) : IServiceAccountTokenValidator
{
    /// <summary>go-jose jwt.DefaultLeeway.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    public TokenValidation Validate(string token, ServiceAccountClaims claims)
    {
        var now = time.GetUtcNow();
        var nowSeconds = now.ToUnixTimeSeconds();
        var leeway = (long)Leeway.TotalSeconds;
        // go-jose ValidateWithLeeway, in its order.
        if (claims.NotBefore is { } nbf && nowSeconds + leeway < nbf) return TokenValidation.Refused("service account token is not valid yet");
        if (claims.Expiry is { } exp && nowSeconds - leeway > exp) return TokenValidation.Refused("service account token has expired");
        if (claims.IssuedAt is { } iat && nowSeconds + leeway < iat) return TokenValidation.Refused("service account token is issued in the future");

        var invalidIfDeletedBefore = now - Leeway;
        bool DeletedLongAgo(JsonObject o) => o.Time("metadata", "deletionTimestamp") is { } at && at < invalidIfDeletedBefore;

        var ns = claims.Namespace;
        var saRef = claims.ServiceAccount;
        var sa = getter.ServiceAccount(ns, saRef.Name);
        if (sa is null) return TokenValidation.Refused(ServiceAccountTokenGetter.NotFound(ServiceAccountStrategy.Definition, saRef.Name));
        if (sa.Uid() != saRef.Uid) return TokenValidation.Refused($"service account UID ({sa.Uid()}) does not match claim ({saRef.Uid})");
        if (DeletedLongAgo(sa)) return TokenValidation.Refused($"service account {ns}/{saRef.Name} has been deleted");

        if (claims.Secret is { } secretRef)
        {
            var secret = getter.Secret(ns, secretRef.Name);
            if (secret is null) return TokenValidation.Refused("service account token has been invalidated");
            if (secret.Uid() != secretRef.Uid) return TokenValidation.Refused($"secret UID ({secret.Uid()}) does not match service account secret ref claim ({secretRef.Uid})");
            if (DeletedLongAgo(secret)) return TokenValidation.Refused("service account token has been invalidated");
        }

        string podName = "", podUid = "";
        if (claims.Pod is { } podRef)
        {
            var pod = getter.Pod(ns, podRef.Name);
            if (pod is null) return TokenValidation.Refused("service account token has been invalidated");
            if (pod.Uid() != podRef.Uid) return TokenValidation.Refused($"pod UID ({pod.Uid()}) does not match service account pod ref claim ({podRef.Uid})");
            if (DeletedLongAgo(pod)) return TokenValidation.Refused("service account token has been invalidated");
            (podName, podUid) = (podRef.Name, podRef.Uid);
        }

        string nodeName = "", nodeUid = "";
        if (claims.Node is { } nodeRef)
        {
            if (claims.Pod is null)
            {
                var node = getter.Node(nodeRef.Name);
                if (node is null) return TokenValidation.Refused("service account token has been invalidated");
                if (node.Uid() != nodeRef.Uid) return TokenValidation.Refused($"node UID ({node.Uid()}) does not match service account node ref claim ({nodeRef.Uid})");
                if (DeletedLongAgo(node)) return TokenValidation.Refused("service account token has been invalidated");
            }
            (nodeName, nodeUid) = (nodeRef.Name, nodeRef.Uid);
        }

        // A passed warnafter only earns an audit annotation (authentication.k8s.io/stale-token) in kube.
        return TokenValidation.Ok(new ServiceAccountInfo(ns, saRef.Name, saRef.Uid, podName, podUid, nodeName, nodeUid,
            ServiceAccountUser.CredentialIdForJti(claims.Id)));
    }
}
