namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// The audiences a token is being authenticated for: k8s.io/apiserver's <c>authenticator.WithAudiences(ctx, …)</c>.
/// kube-apiserver's authentication filter sets the API audiences (<c>--api-audiences</c>) on every request, and
/// TokenReview sets <c>spec.audiences</c>; audience-aware token authenticators (service accounts, JWT, webhook)
/// read <see cref="Current"/>, and the token cache keys its answers by them. It flows with the async call like a
/// Go context: <c>using var _ = TokenAudiences.Use(audiences);</c> around the authentication call.
/// </summary>
public static class TokenAudiences
{
    private static readonly AsyncLocal<IReadOnlyList<string>?> Value = new();

    /// <summary>The audiences in force, or null when none were set (kube: AudiencesFrom(ctx) not ok).</summary>
    public static IReadOnlyList<string>? Current => Value.Value;

    /// <summary>Sets the audiences for the calls made until the returned scope is disposed.</summary>
    public static Scope Use(IReadOnlyList<string>? audiences)
    {
        var previous = Value.Value;
        Value.Value = audiences;
        return new Scope(previous);
    }

    public readonly struct Scope(IReadOnlyList<string>? previous) : IDisposable
    {
        public void Dispose() => Value.Value = previous;
    }
}
