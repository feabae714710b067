using k8s.Models;
using MiniApiServer.Registry;

namespace MiniApiServer.Authorization.Reviews;

/// <summary>
/// The create-only kinds of authorization.k8s.io/v1, for discovery and OpenAPI. They are never stored:
/// <see cref="AuthorizationReviewEndpoints"/> answers them.
/// </summary>
public static class ReviewDefinitions
{
    public const string Group = "authorization.k8s.io";
    static readonly IReadOnlyList<string> CreateOnly = ["create"];

    static ResourceDefinition Review(string kind, Type model, bool namespaced) => new()
    {
        Group = Group, Version = "v1", Kind = kind, Plural = kind.ToLowerInvariant() + "s", Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced, ModelType = model, ListModelType = model, Verbs = CreateOnly,
        Strategy = new GenericStrategy(namespaced),
    };

    public static ResourceDefinition SubjectAccessReviews { get; } = Review("SubjectAccessReview", typeof(V1SubjectAccessReview), namespaced: false);
    public static ResourceDefinition LocalSubjectAccessReviews { get; } = Review("LocalSubjectAccessReview", typeof(V1LocalSubjectAccessReview), namespaced: true);
    public static ResourceDefinition SelfSubjectAccessReviews { get; } = Review("SelfSubjectAccessReview", typeof(V1SelfSubjectAccessReview), namespaced: false);
    public static ResourceDefinition SelfSubjectRulesReviews { get; } = Review("SelfSubjectRulesReview", typeof(V1SelfSubjectRulesReview), namespaced: false);

    public static IReadOnlyList<ResourceDefinition> All { get; } =
        [LocalSubjectAccessReviews, SelfSubjectAccessReviews, SelfSubjectRulesReviews, SubjectAccessReviews];
}
