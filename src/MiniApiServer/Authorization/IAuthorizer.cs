using MiniApiServer.Api;
using MiniApiServer.Authentication;

namespace MiniApiServer.Authorization;

public enum Decision { NoOpinion, Allow, Deny }

public sealed record AuthorizationResult(Decision Decision, string Reason = "")
{
    public static readonly AuthorizationResult NoOpinion = new(Decision.NoOpinion);
    public static AuthorizationResult Allow(string reason = "") => new(Decision.Allow, reason);
}

/// <summary>kube's authorizer.Attributes: who asks to do what.</summary>
public sealed record AuthorizationAttributes(UserInfo User, RequestInfo Request)
{
    public string Verb => Request.Verb;
    public bool IsResourceRequest => Request.IsResourceRequest;
}

/// <summary>The authorization seam: allow, deny or no opinion, with a reason.</summary>
public interface IAuthorizer
{
    ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken);
}

/// <summary>kube's authorizer union: the first Allow or Deny decides; no opinion from all is a denial.</summary>
public sealed class AuthorizerUnion(IReadOnlyList<IAuthorizer> authorizers) : IAuthorizer
{
    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken ct)
    {
        var reasons = new List<string>();
        foreach (var a in authorizers)
        {
            var r = await a.AuthorizeAsync(attributes, ct);
            if (r.Decision != Decision.NoOpinion) return r;
            if (r.Reason.Length > 0) reasons.Add(r.Reason);
        }
        return new AuthorizationResult(Decision.NoOpinion, string.Join("\n", reasons));
    }
}
