using Microsoft.AspNetCore.Http;

namespace MiniApiServer.Authentication;

/// <summary>
/// k8s.io/apiserver's union: authenticators are tried in order, the first success wins, an error is
/// recorded and the next one runs. Nothing succeeded: "not authenticated", with every recorded error.
/// </summary>
public sealed class AuthenticatorUnion(IReadOnlyList<IRequestAuthenticator> authenticators) : IRequestAuthenticator
{
    public string Name => "union";

    public IReadOnlyList<IRequestAuthenticator> Members => authenticators;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var a in authenticators)
        {
            var r = await a.AuthenticateAsync(context, cancellationToken);
            if (r.Succeeded) return r;
            if (r.Error is not null) (errors ??= []).Add($"[{r.Authenticator}] {r.Error}");
        }
        return errors is null ? AuthenticationResult.NotMine(Name) : AuthenticationResult.Failure(Name, string.Join("; ", errors));
    }
}

/// <summary>
/// The whole chain of kube-apiserver: the union, then <c>system:authenticated</c> added to a successful
/// user (unless anonymous or already marked), then anonymous — only when nothing failed with an error.
/// </summary>
public sealed class AuthenticationChain(AuthenticatorUnion union, bool anonymousEnabled, IReadOnlyList<string>? anonymousPaths = null)
{
    public static readonly UserInfo AnonymousUser = new(UserInfo.Anonymous, "", [UserInfo.AllUnauthenticated], UserInfo.NoExtra);

    public bool AnonymousEnabled => anonymousEnabled;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        var r = await union.AuthenticateAsync(context, ct);
        if (r.Succeeded) return r with { User = AddAuthenticatedGroup(r.User!) };
        // AuthenticationConfiguration anonymous.conditions: anonymous only on these exact paths.
        if (r.Error is null && anonymousEnabled && (anonymousPaths is not { Count: > 0 } || anonymousPaths.Contains(context.Request.Path.Value)))
            return AuthenticationResult.Success("anonymous", AnonymousUser);
        return r;
    }

    /// <summary>kube's AuthenticatedGroupAdder.</summary>
    public static UserInfo AddAuthenticatedGroup(UserInfo user)
    {
        if (user.Name == UserInfo.Anonymous) return user;
        if (user.Groups.Contains(UserInfo.AllAuthenticated) || user.Groups.Contains(UserInfo.AllUnauthenticated)) return user;
        return user with { Groups = [.. user.Groups, UserInfo.AllAuthenticated] };
    }
}
