using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry.Core;

/// <summary>Namespaces (kube's <c>pkg/registry/core/namespace/strategy.go</c>).</summary>
public sealed class NamespaceStrategy() : GenericStrategy(namespaced: false)
{
    /// <summary>The finalizer the namespace controller removes once the namespace is empty.</summary>
    public const string KubernetesFinalizer = "kubernetes";
    public const string NameLabel = "kubernetes.io/metadata.name";

    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false,
        ModelType = typeof(V1Namespace), ListModelType = typeof(V1NamespaceList), ShortNames = ["ns"],
        Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
        Subresources =
        [
            new("finalize", "Namespace", ["update"], typeof(V1Namespace)),
            new("status", "Namespace", ["get", "patch", "update"], typeof(V1Namespace)),
        ],
        Strategy = new NamespaceStrategy(),
    };

    protected override bool HasStatus => true;

    public override void PrepareForCreate(JsonObject obj, OperationContext ctx)
    {
        base.PrepareForCreate(obj, ctx);
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        var finalizers = obj.Strings("spec", "finalizers");
        if (!finalizers.Contains(KubernetesFinalizer))
            obj.Ensure("spec")["finalizers"] = finalizers.Append(KubernetesFinalizer).ToJsonArray();
    }

    /// <summary>SetDefaults_Namespace: the immutable label kubernetes.io/metadata.name is the namespace's name.</summary>
    public override void ApplyDefaults(JsonObject obj) => EnsureNameLabel(obj);

    public override void PrepareForUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        if (ctx.Subresource == "finalize")
        {
            // finalize changes spec.finalizers only.
            var finalizers = obj.ArrAt("spec", "finalizers")?.DeepClone();
            foreach (var key in obj.Select(p => p.Key).ToList()) if (key is not ("metadata" or "apiVersion" or "kind")) obj.Remove(key);
            foreach (var (key, value) in old) if (key is not ("metadata" or "apiVersion" or "kind")) obj[key] = value?.DeepClone();
            obj.Ensure("spec")["finalizers"] = finalizers ?? new JsonArray();
        }
        else
        {
            base.PrepareForUpdate(obj, old, ctx);
            // Only the finalize subresource changes spec.finalizers.
            if (old.ObjAt("spec") is { } oldSpec) obj["spec"] = oldSpec.DeepClone(); else obj.Remove("spec");
        }
    }

    static void EnsureNameLabel(JsonObject obj) => obj.Metadata().Ensure("labels")[NameLabel] = obj.Name();

    protected override ValidateNameFunc NameRule => NameValidation.ValidateNamespaceName;

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Status", "string", "The status of the namespace"),
        TableColumns.Age,
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), obj.Str("status", "phase") ?? "", TableColumns.AgeOf(obj, now)];

    public override FieldLabelSet FieldLabels => FieldLabelSet.Namespace;

    public override string? FieldValue(JsonObject obj, string field) => field switch
    {
        "status.phase" => obj.Str("status", "phase") ?? "",
        _ => base.FieldValue(obj, field),
    };
}
