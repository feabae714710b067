namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>The object a bound token is tied to (TokenRequest spec.boundObjectRef): Pod, Secret or Node.</summary>
public sealed record BoundObjectReference(string Kind, string Name, string Uid);

/// <summary>What a bound token is issued for (the TokenRequest spec after defaulting and validation).</summary>
public sealed record BoundTokenRequest(
    string Namespace,
    string ServiceAccountName,
    string ServiceAccountUid,
    IReadOnlyList<string> Audiences,
    TimeSpan Lifetime,
    BoundObjectReference? BoundObject,
    /// <summary>
    /// True when the kubelet asks (projected volumes). Informational: kube-apiserver (token.go) extends any
    /// pod-bound request of exactly 3607 s for API audiences to a year, whoever asks, and so does the issuer.
    /// </summary>
    bool ForKubelet = false);

public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs service-account tokens with the signing key (RS256, kid derived as kube-apiserver does). The tokens
/// controller uses <see cref="IssueLegacy"/> for token Secrets; the TokenRequest API and the simulated kubelet use
/// <see cref="IssueBound"/>. The service-account authenticator verifies both.
/// </summary>
public interface IServiceAccountTokenIssuer
{
    /// <summary>A legacy token: issuer <c>kubernetes/serviceaccount</c>, no expiry, naming the Secret that holds it.</summary>
    string IssueLegacy(string ns, string serviceAccountName, string serviceAccountUid, string secretName);

    /// <summary>
    /// A bound token (issuer = the first --service-account-issuer, exp/nbf/iat, kubernetes.io claims, jti). The
    /// lifetime is shortened to --service-account-max-token-expiration; a pod-bound token also names the pod's
    /// node (read from storage). <see cref="IssuedToken.ExpiresAt"/> is now + that lifetime — kube's
    /// status.expirationTimestamp — even when the JWT was extended to a year.
    /// </summary>
    IssuedToken IssueBound(BoundTokenRequest request);
}
