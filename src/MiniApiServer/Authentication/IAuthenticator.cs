using Microsoft.AspNetCore.Http;

namespace MiniApiServer.Authentication;

/// <summary>The authenticated identity: k8s.io/apiserver's <c>user.Info</c>.</summary>
public sealed record UserInfo(
    string Name,
    string Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public const string Anonymous = "system:anonymous";
    public const string AllAuthenticated = "system:authenticated";
    public const string AllUnauthenticated = "system:unauthenticated";
    public const string Masters = "system:masters";
    public const string CredentialIdKey = "authentication.kubernetes.io/credential-id";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra =
        new Dictionary<string, IReadOnlyList<string>>();

    public bool IsAnonymous => Name == Anonymous || Groups.Contains(AllUnauthenticated);
}

/// <summary>
/// The three answers of an authenticator, as in k8s.io/apiserver: a user (with the audiences the
/// credential was issued for, when it says), "not mine" (no credential of this kind: the union tries
/// the next), or an error (a credential was presented and is bad: recorded, and anonymous is not used).
/// </summary>
public sealed record AuthenticationResult(UserInfo? User, string? Error, string Authenticator, IReadOnlyList<string>? Audiences = null)
{
    public bool Succeeded => User is not null;
    public static AuthenticationResult Success(string authenticator, UserInfo user, IReadOnlyList<string>? audiences = null) => new(user, null, authenticator, audiences);
    public static AuthenticationResult NotMine(string authenticator) => new(null, null, authenticator);
    public static AuthenticationResult Failure(string authenticator, string error) => new(null, error, authenticator);
}

/// <summary>Authenticates a whole request (client certificate, request headers, bearer token…).</summary>
public interface IRequestAuthenticator
{
    string Name { get; }
    ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken);
}

/// <summary>Authenticates a bare bearer token (token file, service account, OIDC, webhook, bootstrap).</summary>
public interface ITokenAuthenticator
{
    string Name { get; }
    ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken);
}
