using k8s.Models;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.Reviews;

/// <summary>
/// The two create-only, never-stored kinds of authentication.k8s.io that kube-apiserver 1.32 serves (only in v1:
/// v1beta1 is among its beta versions off by default, v1alpha1 is alpha). They are here for discovery and
/// OpenAPI; their POSTs are answered by <see cref="ReviewEndpoints"/>, not by the generic resource handler.
/// </summary>
public static class ReviewResources
{
    public const string Group = "authentication.k8s.io";
    public const string Version = "v1";

    public static readonly ResourceDefinition SelfSubjectReviews = new()
    {
        Group = Group,
        Version = Version,
        Kind = "SelfSubjectReview",
        Plural = "selfsubjectreviews",
        Singular = "selfsubjectreview",
        Namespaced = false,
        ModelType = typeof(V1SelfSubjectReview),
        ListModelType = typeof(V1SelfSubjectReview), // no list kind exists: the type itself
        Verbs = ["create"],
        Strategy = new GenericStrategy(namespaced: false),
    };

    public static readonly ResourceDefinition TokenReviews = new()
    {
        Group = Group,
        Version = Version,
        Kind = "TokenReview",
        Plural = "tokenreviews",
        Singular = "tokenreview",
        Namespaced = false,
        ModelType = typeof(V1TokenReview),
        ListModelType = typeof(V1TokenReview),
        Verbs = ["create"],
        Strategy = new GenericStrategy(namespaced: false),
    };

    public static IReadOnlyList<ResourceDefinition> All { get; } = [SelfSubjectReviews, TokenReviews];
}
