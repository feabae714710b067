using MiniApiServer.Admission;
using MiniApiServer.Authorization.Reviews;
using MiniApiServer.Controllers.Rbac;
using MiniApiServer.Registry;
using MiniApiServer.Registry.Rbac;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>How the server takes RBAC and the authorization APIs in: services, kinds and the authorizer chain.</summary>
public static class RbacServices
{
    /// <summary>The kinds to add to the ResourceRegistry: the four RBAC kinds and the four review kinds.</summary>
    public static IReadOnlyList<ResourceDefinition> Definitions { get; } = [.. RbacDefinitions.All, .. ReviewDefinitions.All];

    /// <summary>
    /// Registers the RBAC policy cache and rule resolver, the RBAC authorizer, privilege-escalation prevention
    /// (an admission plugin), the clusterrole-aggregation controller, the rule resolvers that
    /// SelfSubjectRulesReview asks (one per authorization mode, in order) and the kinds' definitions.
    /// </summary>
    public static IServiceCollection AddRbac(this IServiceCollection services, IReadOnlyList<string> authorizationModes)
    {
        services.AddSingleton<RbacPolicy>();
        services.AddSingleton<RbacRuleResolver>();
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<IAdmissionPlugin, EscalationCheck>();
        services.AddHostedService<ClusterRoleAggregationController>();
        services.AddSingleton<IRuleResolver>(sp => new RuleResolverUnion(authorizationModes
            .Select(m => m == "AlwaysAllow" ? (IRuleResolver)new AlwaysAllowRuleResolver() : sp.GetRequiredService<RbacAuthorizer>())
            .ToList()));
        foreach (var def in Definitions) services.AddSingleton(def);
        return services;
    }

    /// <summary>
    /// kube-apiserver's authorizer chain: the privileged-group authorizer (system:masters) first, then each
    /// --authorization-mode in order (RBAC or AlwaysAllow).
    /// </summary>
    public static IAuthorizer BuildAuthorizer(IServiceProvider services, IReadOnlyList<string> authorizationModes) =>
        new AuthorizerUnion([
            new PrivilegedGroupAuthorizer(),
            .. authorizationModes.Select(m => m == "AlwaysAllow" ? (IAuthorizer)new AlwaysAllowAuthorizer() : services.GetRequiredService<RbacAuthorizer>()),
        ]);
}
