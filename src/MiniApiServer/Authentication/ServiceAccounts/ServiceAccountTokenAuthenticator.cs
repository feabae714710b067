using MiniApiServer.Authentication.Bearer;
using MiniApiServer.Authentication.Oidc;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// kube's jwtTokenAuthenticator (pkg/serviceaccount/jwt.go): one per token kind in the token union — legacy
/// tokens (issuer <c>kubernetes/serviceaccount</c>) and bound tokens (any <c>--service-account-issuer</c>), both
/// verified with the <c>--service-account-key-file</c> keys. A token whose unverified issuer is not one of ours,
/// or that is not a compact JWS, is "not mine"; one of ours that fails any check is an error (401, no anonymous).
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(
    string name,
    IReadOnlyCollection<string> issuers,
    IReadOnlyList<ServiceAccountKey> keys,
    IReadOnlyList<string> implicitAudiences,
    IServiceAccountTokenValidator validator) : IExpiringTokenAuthenticator
{
    public const string LegacyName = "serviceaccount-legacy";
    public const string BoundName = "serviceaccount";

    readonly HashSet<string> _issuers = new(issuers, StringComparer.Ordinal);

    public string Name => name;

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateExpiringTokenAsync(token, cancellationToken)).Result;

    public ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Authenticate(token));

    ExpiringTokenResult Authenticate(string token)
    {
        // hasCorrectIssuer: the unverified iss decides whether the token is ours at all.
        if (UnverifiedJwt.Issuer(token) is not { } unverifiedIssuer || !_issuers.Contains(unverifiedIssuer)) return NotMine();
        if (CompactJws.TryParse(token) is not { } jws) return NotMine();

        // The keys with the token's kid, or every key when it names none.
        var candidates = jws.KeyId is { } kid ? keys.Where(k => k.KeyId == kid).ToList() : keys.ToList();
        if (candidates.Count == 0) return Fail("invalid signature, no keys found");
        ServiceAccountClaims? claims = null;
        var errors = new List<string>();
        foreach (var key in candidates)
        {
            if (jws.VerifyWith(key) is { } signatureError)
            {
                errors.Add(signatureError);
                continue;
            }
            claims = ServiceAccountClaims.TryRead(jws.Payload, out var claimsError);
            if (claims is not null) break;
            errors.Add(claimsError!);
        }
        if (claims is null) return Fail(TokenUnion.Aggregate(errors));

        // The issuer again, now that it is signed.
        if (!_issuers.Contains(claims.Issuer)) return Fail($"token issuer \"{claims.Issuer}\" is invalid");

        // A token without aud (legacy) is good for the API audiences only; the request asks for its own
        // audiences (a TokenReview's spec.audiences) or, by default, the API audiences.
        var tokenAudiences = claims.Audiences.Count > 0 ? claims.Audiences : implicitAudiences;
        var requested = TokenAudiences.Current ?? implicitAudiences;
        var audiences = TokenAudiences.Intersect(tokenAudiences, requested);
        if (audiences.Count == 0 && implicitAudiences.Count > 0)
            return Fail($"token audiences {GoQuotedList(tokenAudiences)} is invalid for the target audiences {GoQuotedList(requested)}");

        var verdict = validator.Validate(token, claims);
        if (verdict.Info is not { } info) return Fail(verdict.Error!);

        // The token cache must not serve this answer once the validator would refuse the token: exp plus the leeway.
        DateTimeOffset? validUntil = validator is BoundTokenValidator && claims.Expiry is { } exp
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, -62135596800L, 253402300799L - 60)) + BoundTokenValidator.Leeway
            : null;
        return new ExpiringTokenResult(AuthenticationResult.Success(name, ServiceAccountUser.ToUser(info), audiences), validUntil);
    }

    ExpiringTokenResult NotMine() => new(AuthenticationResult.NotMine(name));

    ExpiringTokenResult Fail(string error) => new(AuthenticationResult.Failure(name, error));

    /// <summary>Go's <c>%q</c> of a string slice: <c>["a" "b"]</c>.</summary>
    static string GoQuotedList(IEnumerable<string> values) => IdTokenVerifier.GoQuote(values);
}
