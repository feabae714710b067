namespace MiniApiServer.Authentication;

/// <summary>
/// The audiences a token must be good for, carried alongside the call as k8s.io/apiserver carries them in the
/// request context (<c>authenticator.WithAudiences</c> / <c>AudiencesFrom</c>). kube-apiserver's authentication
/// filter sets the server's API audiences on every request; the TokenReview API sets the review's
/// <c>spec.audiences</c> instead. No value means "not audience-limited": no audience check at all.
/// Audience-aware token authenticators (service accounts, JWT, webhook) read <see cref="Current"/>, and the
/// token cache keys its answers by it. It flows with the async call like a Go context:
/// <c>using var _ = TokenAudiences.Use(audiences);</c> around the authentication call.
/// </summary>
public static class TokenAudiences
{
    static readonly AsyncLocal<IReadOnlyList<string>?> Ambient = new();

    /// <summary>The audiences wanted by the current call, or null when the call is not audience-limited.</summary>
    public static IReadOnlyList<string>? Current => Ambient.Value;

    /// <summary>Sets the wanted audiences until the returned scope is disposed; an empty list means "not limited".</summary>
    public static Scope Use(IReadOnlyList<string>? audiences)
    {
        var previous = Ambient.Value;
        Ambient.Value = audiences is { Count: > 0 } ? audiences : null;
        return new Scope(previous);
    }

    /// <summary>
    /// kube's <c>a.Intersect(b)</c>: the members of <paramref name="b"/>, in b's order, that <paramref name="a"/> also has.
    /// </summary>
    public static IReadOnlyList<string> Intersect(IReadOnlyList<string> a, IReadOnlyList<string>? b)
    {
        if (b is null || b.Count == 0) return [];
        var result = new List<string>();
        foreach (var audience in b)
            if (a.Contains(audience, StringComparer.Ordinal)) result.Add(audience);
        return result;
    }

    public readonly struct Scope(IReadOnlyList<string>? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
