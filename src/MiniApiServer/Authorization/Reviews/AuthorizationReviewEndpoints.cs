using System.Text.Json.Nodes;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication;
using MiniApiServer.Authorization.Rbac;
using MiniApiServer.Registry;

namespace MiniApiServer.Authorization.Reviews;

/// <summary>
/// authorization.k8s.io/v1 (kube's <c>pkg/registry/authorization</c>): "can this subject do that?" asked of
/// the server's own authorizer, and "what may I do here?" asked of its rule resolvers. Nothing is stored;
/// each answers 201 with the request echoed and its status filled in.
/// </summary>
public static class AuthorizationReviewEndpoints
{
    const string Root = "/apis/authorization.k8s.io/v1";

    public static IEndpointRouteBuilder MapAuthorizationReviews(this IEndpointRouteBuilder app)
    {
        app.MapPost(Root + "/subjectaccessreviews", SubjectAccessReview);
        app.MapPost(Root + "/namespaces/{namespace}/localsubjectaccessreviews", LocalSubjectAccessReview);
        app.MapPost(Root + "/selfsubjectaccessreviews", SelfSubjectAccessReview);
        app.MapPost(Root + "/selfsubjectrulesreviews", SelfSubjectRulesReview);
        return app;
    }

    /// <summary>Any user's access, as spec.user, spec.groups, spec.uid and spec.extra describe them.</summary>
    static async Task SubjectAccessReview(HttpContext context)
    {
        var review = await ReadReview(context, ReviewDefinitions.SubjectAccessReviews);
        var errors = ReviewValidation.Spec(review, self: false).Concat(ReviewValidation.EmptyMetadata(review, allowNamespace: false)).ToList();
        if (errors.Count > 0) throw StatusErrors.Invalid(ReviewDefinitions.Group, "SubjectAccessReview", "", errors);
        await Answer(context, review, SubjectOf(review));
    }

    /// <summary>A SubjectAccessReview confined to one namespace (what namespace admins may ask).</summary>
    static async Task LocalSubjectAccessReview(HttpContext context, string @namespace)
    {
        var review = await ReadReview(context, ReviewDefinitions.LocalSubjectAccessReviews);
        // As for any namespaced create, the object takes the request's namespace, and may not name another.
        var meta = review.Metadata();
        if ((meta.Str("namespace") ?? "").Length == 0) meta["namespace"] = @namespace;
        else if (meta.Str("namespace") != @namespace)
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        var errors = ReviewValidation.Spec(review, self: false).Concat(ReviewValidation.Local(review)).ToList();
        if (errors.Count > 0) throw StatusErrors.Invalid(ReviewDefinitions.Group, "LocalSubjectAccessReview", "", errors);
        await Answer(context, review, SubjectOf(review));
    }

    /// <summary>The caller's own access: <c>kubectl auth can-i</c>.</summary>
    static async Task SelfSubjectAccessReview(HttpContext context)
    {
        var review = await ReadReview(context, ReviewDefinitions.SelfSubjectAccessReviews);
        var errors = ReviewValidation.Spec(review, self: true).Concat(ReviewValidation.EmptyMetadata(review, allowNamespace: false)).ToList();
        if (errors.Count > 0) throw StatusErrors.Invalid(ReviewDefinitions.Group, "SelfSubjectAccessReview", "", errors);
        var user = context.GetUser() ?? throw StatusErrors.BadRequest("no user present on request");
        await Answer(context, review, user);
    }

    /// <summary>The caller's rules in one namespace: <c>kubectl auth can-i --list</c>.</summary>
    static async Task SelfSubjectRulesReview(HttpContext context)
    {
        var review = await ReadReview(context, ReviewDefinitions.SelfSubjectRulesReviews);
        var user = context.GetUser() ?? throw StatusErrors.BadRequest("no user present on request");
        var ns = review.Str("spec", "namespace") ?? "";
        if (ns.Length == 0) throw StatusErrors.BadRequest("no namespace on request");
        var rules = context.RequestServices.GetRequiredService<IRuleResolver>().RulesFor(user, ns);
        var status = new JsonObject
        {
            ["resourceRules"] = new JsonArray(rules.ResourceRules.Select(r => (JsonNode?)r.ToJson()).ToArray()),
            ["nonResourceRules"] = new JsonArray(rules.NonResourceRules.Select(r => (JsonNode?)r.ToJson()).ToArray()),
            ["incomplete"] = rules.Incomplete,
        };
        if (rules.EvaluationError is { Length: > 0 } e) status["evaluationError"] = e;
        await Respond(context, review, status);
    }

    static async Task<JsonObject> ReadReview(HttpContext context, ResourceDefinition def)
    {
        var body = await Negotiation.ReadObjectAsync(context.Request, context.RequestAborted);
        var apiVersion = body.Str("apiVersion") ?? "";
        var kind = body.Str("kind") ?? "";
        if (kind.Length > 0 && kind != def.Kind || apiVersion.Length > 0 && apiVersion != def.ApiVersion)
            throw StatusErrors.BadRequest($"{kind} in version \"{apiVersion}\" cannot be handled as a {def.Kind}: the object provided is unrecognized (must be of type {def.Kind})");
        // Decoded into kube's types: only the known parts survive, and empty optional strings are dropped.
        var review = new JsonObject
        {
            ["kind"] = def.Kind,
            ["apiVersion"] = def.ApiVersion,
            ["metadata"] = body["metadata"] is JsonObject m ? m.DeepClone() : new JsonObject(),
            ["spec"] = ReviewValidation.Normalize(body["spec"] as JsonObject ?? []),
        };
        return review;
    }

    /// <summary>The user a (Local)SubjectAccessReview asks about, exactly as given (nothing is added).</summary>
    static UserInfo SubjectOf(JsonObject review)
    {
        var spec = review.ObjAt("spec")!;
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (k, v) in spec.ObjAt("extra") ?? [])
            extra[k] = (v as JsonArray ?? []).Select(x => x?.GetValue<string>() ?? "").ToList();
        return new UserInfo(spec.Str("user") ?? "", spec.Str("uid") ?? "", spec.Strings("groups"), extra);
    }

    static async Task Answer(HttpContext context, JsonObject review, UserInfo user)
    {
        var request = ReviewValidation.RequestOf(review.ObjAt("spec")!);
        var authorizer = context.RequestServices.GetRequiredService<IAuthorizer>();
        var result = await authorizer.AuthorizeAsync(new AuthorizationAttributes(user, request), context.RequestAborted);
        var status = new JsonObject { ["allowed"] = result.Decision == Decision.Allow };
        if (result.Decision == Decision.Deny) status["denied"] = true;
        if (result.Reason.Length > 0) status["reason"] = result.Reason;
        await Respond(context, review, status);
    }

    static Task Respond(HttpContext context, JsonObject review, JsonObject status)
    {
        // Never persisted: no creation time, as kube encodes a zero metav1.Time.
        review.Metadata()["creationTimestamp"] = null;
        review["status"] = status;
        return Negotiation.WriteJsonAsync(context, 201, review, Negotiation.Form(context.Request) == ResponseForm.Yaml ? ResponseForm.Yaml : ResponseForm.Object);
    }
}
