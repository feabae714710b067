using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MiniApiServer.Authentication;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Api.Reviews;

/// <summary>
/// authentication.k8s.io/v1's two review APIs: create-only, nothing stored, the answer is the object with its
/// status filled in (201). The request has been authenticated and authorized (verb create) on the way in.
/// </summary>
public static class ReviewEndpoints
{
    const string Prefix = "/apis/" + ReviewResources.Group + "/" + ReviewResources.Version + "/";

    public static IEndpointRouteBuilder MapReviewApis(this IEndpointRouteBuilder app)
    {
        app.MapPost(Prefix + "selfsubjectreviews", CreateSelfSubjectReviewAsync);
        app.MapPost(Prefix + "tokenreviews", CreateTokenReviewAsync);
        return app;
    }

    /// <summary>
    /// kube's selfsubjectreview REST: a new object (nothing of the request's is echoed) whose
    /// creationTimestamp is now and whose status.userInfo is the user the request acts as (after impersonation,
    /// with system:authenticated) — what <c>kubectl auth whoami</c> prints.
    /// </summary>
    public static async Task CreateSelfSubjectReviewAsync(HttpContext context)
    {
        await ReviewBodies.ReadAsync(context, ReviewResources.SelfSubjectReviews);
        var user = context.GetUser() ?? throw StatusErrors.BadRequest("no user present on request");
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        await ReviewBodies.WriteCreatedAsync(context, new JsonObject
        {
            ["kind"] = ReviewResources.SelfSubjectReviews.Kind,
            ["apiVersion"] = ReviewResources.SelfSubjectReviews.ApiVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = ReviewBodies.GoTime(now) },
            ["status"] = new JsonObject { ["userInfo"] = ReviewBodies.UserInfoJson(user) },
        });
    }

    /// <summary>
    /// kube's tokenreview REST: the request echoed back (spec.token included) with status.authenticated, the user
    /// (with system:authenticated) and the audiences the token is good for, or the authenticator's error.
    /// </summary>
    public static async Task CreateTokenReviewAsync(HttpContext context)
    {
        var review = await ReviewBodies.ReadAsync(context, ReviewResources.TokenReviews);
        var token = review.Str("spec", "token") ?? "";
        if (token.Length == 0) throw StatusErrors.BadRequest("token is required for TokenReview in authentication");

        var reviewer = context.RequestServices.GetRequiredService<ITokenReviewer>();
        var wanted = review.ArrAt("spec", "audiences")?.Select(a => a?.GetValue<string>() ?? "").ToList() ?? [];
        var audiences = wanted.Count > 0 ? wanted : reviewer.ApiAudiences;
        var result = await reviewer.ReviewAsync(token, audiences, context.RequestAborted);

        // An authenticator that vouched for the token for none of the wanted audiences is a server fault.
        if (audiences.Count > 0 && result.Succeeded && TokenAudiences.Intersect(audiences, result.Audiences).Count == 0)
            throw StatusErrors.Internal("error validating audiences");

        // kube fills in the decoded object: what the review sets replaces what was sent, the rest is echoed.
        var sent = review["status"] as JsonObject;
        var user = result.User is { } u ? ReviewBodies.UserInfoJson(u) : sent?["user"]?.DeepClone() ?? new JsonObject();
        var tokenAudiences = result.User is not null
            ? result.Audiences is { Count: > 0 } auds ? ReviewBodies.Strings(auds) : null
            : sent?["audiences"] is JsonArray { Count: > 0 } sentAudiences ? sentAudiences.DeepClone() : null;
        var error = result.Error ?? sent.Str("error");
        var answer = new JsonObject();
        if (result.Succeeded) answer["authenticated"] = true;
        answer["user"] = user;
        if (tokenAudiences is not null) answer["audiences"] = tokenAudiences;
        if (!string.IsNullOrEmpty(error)) answer["error"] = error;

        var spec = new JsonObject { ["token"] = token };
        if (wanted.Count > 0) spec["audiences"] = ReviewBodies.Strings(wanted);
        await ReviewBodies.WriteCreatedAsync(context, new JsonObject
        {
            ["kind"] = ReviewResources.TokenReviews.Kind,
            ["apiVersion"] = ReviewResources.TokenReviews.ApiVersion,
            ["metadata"] = ReviewBodies.EchoMetadata(review["metadata"] as JsonObject),
            ["spec"] = spec,
            ["status"] = answer,
        });
    }
}
