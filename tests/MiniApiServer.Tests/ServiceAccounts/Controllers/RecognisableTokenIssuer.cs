using MiniApiServer.Authentication.ServiceAccounts;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>
/// A token issuer whose tokens say what they were issued for, so tests can see which account, uid and Secret
/// a token was made for without verifying a signature.
/// </summary>
public sealed class RecognisableTokenIssuer(TimeProvider? time = null) : IServiceAccountTokenIssuer
{
    public static string Legacy(string ns, string sa, string uid, string secret) => $"legacy-token:{ns}:{sa}:{uid}:{secret}";

    public string IssueLegacy(string ns, string serviceAccountName, string serviceAccountUid, string secretName) =>
        Legacy(ns, serviceAccountName, serviceAccountUid, secretName);

    public IssuedToken IssueBound(BoundTokenRequest request) =>
        new($"bound-token:{request.Namespace}:{request.ServiceAccountName}:{request.ServiceAccountUid}", (time ?? TimeProvider.System).GetUtcNow() + request.Lifetime);
}
