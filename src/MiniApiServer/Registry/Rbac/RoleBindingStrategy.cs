using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Rbac;

/// <summary>RoleBindings and ClusterRoleBindings (kube's <c>pkg/registry/rbac/rolebinding</c> and
/// <c>clusterrolebinding</c>): defaulted apiGroups, validated roleRef and subjects, an immutable roleRef.</summary>
public sealed class RoleBindingStrategy(bool namespaced) : GenericStrategy(namespaced)
{
    protected override ValidateNameFunc NameRule => RbacValidation.NameRule;

    public override void PrepareForCreate(JsonObject obj, OperationContext ctx)
    {
        base.PrepareForCreate(obj, ctx);
        RbacValidation.DefaultBinding(obj);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        base.PrepareForUpdate(obj, old, ctx);
        RbacValidation.DefaultBinding(obj);
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        base.Validate(obj, ctx).Concat(RbacValidation.ValidateBinding(obj, Namespaced));

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx) =>
        Validate(obj, ctx)
            .Concat(MetadataValidation.ValidateObjectMetaUpdate(obj.Metadata(), old.Metadata()))
            .Concat(RbacValidation.ValidateRoleRefUnchanged(obj, old));

    public override IReadOnlyList<TableColumnDefinition> Columns => Namespaced ? RoleBindingColumns : ClusterRoleBindingColumns;

    static readonly IReadOnlyList<TableColumnDefinition> RoleBindingColumns = BindingColumns(
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
        "roleBinding");

    static readonly IReadOnlyList<TableColumnDefinition> ClusterRoleBindingColumns = BindingColumns(
        "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
        "clusterRoleBinding");

    /// <summary>kube's printer: NAME ROLE AGE, and with -o wide USERS GROUPS SERVICEACCOUNTS.</summary>
    static IReadOnlyList<TableColumnDefinition> BindingColumns(string roleRefDoc, string noun) =>
    [
        TableColumns.Name,
        TableColumns.Column("Role", "string", roleRefDoc),
        TableColumns.Age,
        TableColumns.Column("Users", "string", $"Users in the {noun}", priority: 1),
        TableColumns.Column("Groups", "string", $"Groups in the {noun}", priority: 1),
        TableColumns.Column("ServiceAccounts", "string", $"ServiceAccounts in the {noun}", priority: 1),
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now)
    {
        var subjects = (obj.ArrAt("subjects") ?? []).OfType<JsonObject>().ToList();
        IEnumerable<JsonObject> OfKind(string kind) => subjects.Where(s => s.Str("kind") == kind);
        return
        [
            obj.Name(),
            $"{obj.Str("roleRef", "kind")}/{obj.Str("roleRef", "name")}",
            TableColumns.AgeOf(obj, now),
            string.Join(", ", OfKind("User").Select(s => s.Str("name"))),
            string.Join(", ", OfKind("Group").Select(s => s.Str("name"))),
            string.Join(", ", OfKind("ServiceAccount").Select(s => $"{s.Str("namespace")}/{s.Str("name")}")),
        ];
    }
}
