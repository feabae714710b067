namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// k8s.io/apiserver token/union: the token authenticators in order (kube-apiserver: token file, service-account
/// tokens, bootstrap tokens, OIDC/JWT, webhook); the first success wins and the rest are not asked; an error is
/// recorded and the next one runs. Nothing succeeded: "not mine" if nobody errored, else the errors aggregated
/// as apimachinery's utilerrors.Aggregate prints them (one message alone, several as "[a, b]", duplicates once).
/// </summary>
public sealed class TokenUnion(IEnumerable<ITokenAuthenticator> authenticators) : IExpiringTokenAuthenticator
{
    public const string UnionName = "token-union";

    private readonly ITokenAuthenticator[] _members = [.. authenticators];

    public string Name => UnionName;

    public IReadOnlyList<ITokenAuthenticator> Members => _members;

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateExpiringTokenAsync(token, cancellationToken)).Result;

    public async ValueTask<ExpiringTokenResult> AuthenticateExpiringTokenAsync(string token, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var member in _members)
        {
            var answer = await member.AuthenticateWithExpiryAsync(token, cancellationToken);
            if (answer.Result.Error is { } error)
            {
                (errors ??= []).Add(error);
                continue;
            }
            if (answer.Result.Succeeded)
            {
                return answer;
            }
        }
        return new ExpiringTokenResult(errors is null
            ? AuthenticationResult.NotMine(Name)
            : AuthenticationResult.Failure(Name, Aggregate(errors)));
    }

    /// <summary>utilerrors.NewAggregate(errs).Error().</summary>
    internal static string Aggregate(IReadOnlyList<string> errors)
    {
        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }
}
