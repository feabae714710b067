using MiniApiServer.Authentication;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>Where a rule came from, as kube's describers print it for an "allowed by" reason.</summary>
public sealed record RuleSource(Binding Binding, Subject Subject)
{
    /// <summary><c>ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"</c>, or
    /// <c>RoleBinding "read/team" of Role "reader" to ServiceAccount "robot/team"</c>.</summary>
    public override string ToString()
    {
        var b = Binding;
        var bindingName = b.Namespace.Length > 0 ? $"RoleBinding {GoValue.Quote(b.Name + "/" + b.Namespace)}" : $"ClusterRoleBinding {GoValue.Quote(b.Name)}";
        return $"{bindingName} of {b.RoleRef.Kind} {GoValue.Quote(b.RoleRef.Name)} to {DescribeSubject(Subject, b.Namespace)}";
    }

    static string DescribeSubject(Subject s, string bindingNamespace) => s.Kind == Subject.ServiceAccountKind
        ? $"{s.Kind} {GoValue.Quote(s.Name + "/" + (s.Namespace.Length > 0 ? s.Namespace : bindingNamespace))}"
        : $"{s.Kind} {GoValue.Quote(s.Name)}";
}

/// <summary>
/// kube's <c>DefaultRuleResolver</c> (pkg/registry/rbac/validation/rule.go): the rules a user holds in a
/// namespace are those of every ClusterRoleBinding naming the user, plus (for a namespace) those of every
/// RoleBinding in that namespace naming the user. A binding whose role cannot be found contributes an
/// error instead of rules.
/// </summary>
public sealed class RbacRuleResolver(RbacPolicy policy)
{
    /// <summary>Visits rules (with their source) and errors in kube's order; the visitor returns false to stop.</summary>
    public void VisitRulesFor(UserInfo user, string ns, Func<RuleSource?, PolicyRule?, string?, bool> visitor)
    {
        var snapshot = policy.Current();
        foreach (var binding in snapshot.ClusterRoleBindings())
            if (!VisitBinding(snapshot, user, binding, "", visitor)) return;
        if (ns.Length == 0) return;
        foreach (var binding in snapshot.RoleBindings(ns))
            if (!VisitBinding(snapshot, user, binding, ns, visitor)) return;
    }

    static bool VisitBinding(PolicySnapshot snapshot, UserInfo user, Binding binding, string ns, Func<RuleSource?, PolicyRule?, string?, bool> visitor)
    {
        var subject = binding.Subjects.FirstOrDefault(s => AppliesTo(user, s, ns));
        if (subject is null) return true;
        var (rules, error) = RoleReferenceRules(snapshot, binding.RoleRef, ns);
        if (error is not null) return visitor(null, null, error);
        var source = new RuleSource(binding, subject);
        foreach (var rule in rules)
            if (!visitor(source, rule, null)) return false;
        return true;
    }

    /// <summary>Every rule the user holds in the namespace, and the resolution errors met (kube's <c>RulesFor</c>).</summary>
    public (IReadOnlyList<PolicyRule> Rules, IReadOnlyList<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var rules = new List<PolicyRule>();
        var errors = new List<string>();
        VisitRulesFor(user, ns, (_, rule, error) =>
        {
            if (rule is not null) rules.Add(rule);
            if (error is not null) errors.Add(error);
            return true;
        });
        return (rules, errors);
    }

    /// <summary>The rules a roleRef points at, as a binding in <paramref name="bindingNamespace"/> sees them.</summary>
    public (IReadOnlyList<PolicyRule> Rules, string? Error) RoleReferenceRules(RoleRef roleRef, string bindingNamespace) =>
        RoleReferenceRules(policy.Current(), roleRef, bindingNamespace);

    static (IReadOnlyList<PolicyRule> Rules, string? Error) RoleReferenceRules(PolicySnapshot snapshot, RoleRef roleRef, string bindingNamespace) => roleRef.Kind switch
    {
        "Role" => snapshot.Role(bindingNamespace, roleRef.Name) is { } r ? (r, null) : ([], $"role.rbac.authorization.k8s.io {GoValue.Quote(roleRef.Name)} not found"),
        "ClusterRole" => snapshot.ClusterRole(roleRef.Name) is { } c ? (c, null) : ([], $"clusterrole.rbac.authorization.k8s.io {GoValue.Quote(roleRef.Name)} not found"),
        _ => ([], $"unsupported role reference kind: {GoValue.Quote(roleRef.Kind)}"),
    };

    /// <summary>
    /// kube's <c>appliesToUser</c>: a User subject by name, a Group by membership, a ServiceAccount by the
    /// user name <c>system:serviceaccount:NS:NAME</c>, its namespace defaulting to the binding's (so a
    /// ServiceAccount subject without a namespace in a ClusterRoleBinding matches no one).
    /// </summary>
    public static bool AppliesTo(UserInfo user, Subject subject, string ns)
    {
        switch (subject.Kind)
        {
            case Subject.UserKind: return user.Name == subject.Name;
            case Subject.GroupKind: return user.Groups.Contains(subject.Name);
            case Subject.ServiceAccountKind:
                var saNamespace = subject.Namespace.Length > 0 ? subject.Namespace : ns;
                return saNamespace.Length > 0 && user.Name == $"system:serviceaccount:{saNamespace}:{subject.Name}";
            default: return false;
        }
    }

    /// <summary>apimachinery's error aggregate text: one error as it is, several as "[a, b]" without repeats.</summary>
    public static string Aggregate(IReadOnlyList<string> errors)
    {
        var distinct = errors.Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }
}
