using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Core;

/// <summary>ConfigMaps (kube's <c>pkg/registry/core/configmap</c>): keys are config keys, 1 MiB at most, immutable when marked.</summary>
public sealed class ConfigMapStrategy() : GenericStrategy(namespaced: true)
{
    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true,
        ModelType = typeof(V1ConfigMap), ListModelType = typeof(V1ConfigMapList), ShortNames = ["cm"],
        Strategy = new ConfigMapStrategy(),
    };

    static readonly (string, bool)[] Maps = [("data", false), ("binaryData", true)];

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        base.Validate(obj, ctx).Concat(DataValidation.ValidateDataMaps(obj, Maps));

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx) =>
        base.ValidateUpdate(obj, old, ctx)
            .Concat(DataValidation.ValidateDataMaps(obj, Maps))
            .Concat(DataValidation.ValidateImmutable(obj, old, ["data", "binaryData"]));

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Data", "string", "Data contains the configuration data."),
        TableColumns.Age,
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), (long)((obj.ObjAt("data")?.Count ?? 0) + (obj.ObjAt("binaryData")?.Count ?? 0)), TableColumns.AgeOf(obj, now)];
}
