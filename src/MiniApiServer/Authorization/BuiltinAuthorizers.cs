using MiniApiServer.Authentication;

namespace MiniApiServer.Authorization;

/// <summary>kube-apiserver's privileged-group authorizer, first in the chain: system:masters may do anything,
/// and RBAC cannot take that away.</summary>
public sealed class PrivilegedGroupAuthorizer : IAuthorizer
{
    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes a, CancellationToken ct) =>
        ValueTask.FromResult(a.User.Groups.Contains(UserInfo.Masters) ? AuthorizationResult.Allow() : AuthorizationResult.NoOpinion);
}

/// <summary>--authorization-mode=AlwaysAllow.</summary>
public sealed class AlwaysAllowAuthorizer : IAuthorizer
{
    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes a, CancellationToken ct) =>
        ValueTask.FromResult(AuthorizationResult.Allow());
}
