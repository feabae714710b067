using System.Text.Json.Nodes;
using MiniApiServer.Admission;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication;
using MiniApiServer.Registry.Rbac;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// Privilege-escalation prevention, as kube's RBAC "policybased" storage does it before a Role, ClusterRole,
/// RoleBinding or ClusterRoleBinding is written: system:masters may write anything; otherwise a role may be
/// written by a user with <c>escalate</c> on it, a binding by a user with <c>bind</c> on the role it references,
/// and anyone else only when every rule granted is one the user already holds (in the object's namespace,
/// or cluster-wide for cluster objects). Setting an aggregationRule needs full authority.
/// It runs in the mutating phase so that, as in kube, it comes before the kind's validation.
/// Writes without a user are the server's own (kube's are made as system:masters over loopback).
/// </summary>
public sealed class EscalationCheck(IAuthorizer authorizer, RbacRuleResolver resolver) : IAdmissionPlugin
{
    static readonly IReadOnlyList<PolicyRule> FullAuthority =
        [PolicyRule.Resource(["*"], ["*"], ["*"]), PolicyRule.NonResource(["*"], ["*"])];

    public string Name => "RBACEscalationPrevention";

    public void Admit(AdmissionAttributes a)
    {
        if (a.Resource.Group != RbacDefinitions.Group || a.Operation == AdmissionOperation.Delete || a.Subresource is not null) return;
        if (a.User is not { } user || a.Object is not { } obj) return;
        if (user.Groups.Contains(UserInfo.Masters)) return;
        var update = a.Operation == AdmissionOperation.Update;
        switch (a.Resource.Kind)
        {
            case "Role" or "ClusterRole":
                // kube asks with the request's name: none for a create (a POST to the collection).
                if (Allowed(user, "escalate", RbacDefinitions.Group, a.Resource.Plural, a.Namespace, update ? a.Name : "")) return;
                if (update && OnlyGarbageCollectionFields(obj, a.OldObject!)) return;
                ConfirmNoEscalation(a, user, PolicyRule.ListFrom(obj));
                if (a.Resource.Kind == "ClusterRole" && (HasAggregationRule(obj) || update && HasAggregationRule(a.OldObject!)) && Missing(user, "", FullAuthority) is not null)
                    throw Forbid(a, "must have cluster-admin privileges to use the aggregationRule");
                break;
            case "RoleBinding" or "ClusterRoleBinding":
                var roleRef = RoleRef.FromJson(obj);
                if (BindAuthorized(user, roleRef, a.Namespace)) return;
                if (update && OnlyGarbageCollectionFields(obj, a.OldObject!)) return;
                var (rules, error) = resolver.RoleReferenceRules(roleRef, a.Namespace);
                if (error is not null) throw Forbid(a, error);
                ConfirmNoEscalation(a, user, rules);
                break;
        }
    }

    bool Allowed(UserInfo user, string verb, string group, string resource, string ns, string name)
    {
        var request = new RequestInfo
        {
            IsResourceRequest = true, Path = "", Verb = verb, ApiGroup = group, ApiVersion = "*",
            Resource = resource, Namespace = ns, Name = name,
        };
        var pending = authorizer.AuthorizeAsync(new AuthorizationAttributes(user, request), CancellationToken.None);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.Decision == Decision.Allow;
    }

    /// <summary>kube's <c>BindingAuthorized</c>: <c>bind</c> on the referenced role, asked in the binding's namespace.</summary>
    bool BindAuthorized(UserInfo user, RoleRef roleRef, string ns) => roleRef.Kind switch
    {
        "ClusterRole" => Allowed(user, "bind", roleRef.ApiGroup, "clusterroles", ns, roleRef.Name),
        "Role" => Allowed(user, "bind", roleRef.ApiGroup, "roles", ns, roleRef.Name),
        _ => false,
    };

    void ConfirmNoEscalation(AdmissionAttributes a, UserInfo user, IReadOnlyList<PolicyRule> rules)
    {
        if (Missing(user, a.Namespace, rules) is { } message) throw Forbid(a, message);
    }

    /// <summary>kube's <c>ConfirmNoEscalation</c>: null when the user holds every rule, else its message
    /// listing what is missing, compacted and sorted, one rule a line.</summary>
    string? Missing(UserInfo user, string ns, IReadOnlyList<PolicyRule> rules)
    {
        var (owned, errors) = resolver.RulesFor(user, ns);
        var (covered, missing) = PolicyComparator.Covers(owned, rules);
        if (covered) return null;
        var lines = PolicyComparator.Compact(missing).Select(r => r.CompactString()).Distinct().Order(StringComparer.Ordinal);
        var groups = "[" + string.Join(" ", user.Groups.Select(GoValue.Quote)) + "]";
        var message = $"user {GoValue.Quote(user.Name)} (groups={groups}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", lines)}";
        if (errors.Count > 0) message += $"; resolution errors: [{RbacRuleResolver.Aggregate(errors)}]";
        return message;
    }

    static ApiException Forbid(AdmissionAttributes a, string why) =>
        StatusErrors.Forbidden($"{StatusErrors.GroupResource(a.Resource.Group, a.Resource.Plural)} {GoValue.Quote(a.Name)} is forbidden: {why}",
            a.Resource.Group, a.Resource.Plural, a.Name);

    static bool HasAggregationRule(JsonObject role) => (role.ArrAt("aggregationRule", "clusterRoleSelectors")?.Count ?? 0) > 0;

    /// <summary>kube's <c>IsOnlyMutatingGCFields</c>: an update touching only ownerReferences and finalizers
    /// (what the garbage collector changes) is never an escalation.</summary>
    static bool OnlyGarbageCollectionFields(JsonObject obj, JsonObject old)
    {
        var a = obj.Clone();
        var b = old.Clone();
        foreach (var o in new[] { a, b })
        {
            var meta = o.Metadata();
            foreach (var f in new[] { "ownerReferences", "finalizers", "resourceVersion", "managedFields", "generation" }) meta.Remove(f);
        }
        return JsonNode.DeepEquals(a, b);
    }
}
