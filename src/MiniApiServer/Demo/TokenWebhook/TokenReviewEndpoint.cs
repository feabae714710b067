using System.Text.Json;
using k8s;
using k8s.Models;

namespace MiniApiServer.Demo.TokenWebhook;

/// <summary>
/// <c>POST /authenticate</c>: kube-apiserver's webhook token authenticator POSTs a TokenReview
/// (authentication.k8s.io/v1 or v1beta1 — same shape, per <c>--authentication-token-webhook-version</c>) and
/// reads <c>status</c> from the answer, which carries the apiVersion it was sent. A known token gets
/// <c>authenticated: true</c> with the directory's user; an unknown one <c>authenticated: false</c> with no
/// error (so the server's union reports "invalid bearer token", as kube does for any rejected token).
/// </summary>
public sealed class TokenReviewEndpoint(LdapDirectory directory)
{
    public const string Path = "/authenticate";

    private static readonly HashSet<string> Versions = ["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"];

    public void Map(WebApplication app) => app.MapPost(Path, (Delegate)ReviewAsync);

    private async Task<IResult> ReviewAsync(HttpContext context)
    {
        V1TokenReview? review;
        try
        {
            using var reader = new StreamReader(context.Request.Body);
            review = KubernetesJson.Deserialize<V1TokenReview>(await reader.ReadToEndAsync(context.RequestAborted));
        }
        catch (JsonException e)
        {
            return Results.Text($"the body is not a TokenReview: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
        }
        if (review is null || review.Kind != "TokenReview" || !Versions.Contains(review.ApiVersion ?? ""))
            return Results.Text("expected a TokenReview of authentication.k8s.io/v1 or v1beta1", statusCode: StatusCodes.Status400BadRequest);

        var user = review.Spec?.Token is { Length: > 0 } token ? directory.FindByToken(token) : null;
        var answer = new V1TokenReview
        {
            ApiVersion = review.ApiVersion,
            Kind = "TokenReview",
            Status = user is null
                ? new V1TokenReviewStatus { Authenticated = false }
                : new V1TokenReviewStatus
                {
                    Authenticated = true,
                    User = new V1UserInfo
                    {
                        Username = user.Username,
                        Uid = user.Uid.Length > 0 ? user.Uid : null,
                        Groups = user.Groups.Count > 0 ? [.. user.Groups] : null,
                        Extra = user.Extra.Count > 0 ? user.Extra.ToDictionary(kv => kv.Key, kv => (IList<string>)[.. kv.Value]) : null,
                    },
                    // The directory's tokens are good for any audience: echo the ones asked for, so an
                    // audience-bound review intersects to exactly those.
                    Audiences = review.Spec?.Audiences is { Count: > 0 } audiences ? audiences : null,
                },
        };
        return Results.Text(KubernetesJson.Serialize(answer), "application/json");
    }
}
