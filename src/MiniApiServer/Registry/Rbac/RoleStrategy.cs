using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Rbac;

/// <summary>Roles (kube's <c>pkg/registry/rbac/role</c>): a Name and Created At table, no non-resource rules.</summary>
public class RoleStrategy(bool namespaced = true) : GenericStrategy(namespaced)
{
    protected override ValidateNameFunc NameRule => RbacValidation.NameRule;

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        base.Validate(obj, ctx).Concat(ValidateRole(obj));

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx) =>
        Validate(obj, ctx).Concat(MetadataValidation.ValidateObjectMetaUpdate(obj.Metadata(), old.Metadata()));

    protected virtual IEnumerable<FieldError> ValidateRole(JsonObject obj) => RbacValidation.ValidateRules(obj, Namespaced);

    /// <summary>kube prints roles with their creation time itself, not an age.</summary>
    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Created At", "date", TableColumns.Age.Description),
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), obj.Time("metadata", "creationTimestamp") is { } t ? Obj.Rfc3339(t) : "0001-01-01T00:00:00Z"];
}

/// <summary>ClusterRoles: rules may name non-resource URLs, and an aggregationRule needs at least one valid selector.</summary>
public sealed class ClusterRoleStrategy() : RoleStrategy(namespaced: false)
{
    protected override IEnumerable<FieldError> ValidateRole(JsonObject obj)
    {
        foreach (var e in RbacValidation.ValidateRules(obj, namespaced: false)) yield return e;
        if (obj["aggregationRule"] is not JsonObject aggregation) yield break;
        var selectors = aggregation.ArrAt("clusterRoleSelectors") ?? [];
        if (selectors.Count == 0)
            yield return FieldError.Required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil");
        for (var i = 0; i < selectors.Count; i++)
            foreach (var e in MetadataValidation.ValidateLabelSelector(selectors[i] as JsonObject, $"aggregationRule.clusterRoleSelectors[{i}]"))
                yield return e;
    }
}
