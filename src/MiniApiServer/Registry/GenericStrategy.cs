using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Registry;

/// <summary>
/// The rules every kind shares (kube's <c>rest.BeforeCreate</c>/<c>BeforeUpdate</c> plus ObjectMeta
/// validation), and the defaults a kind overrides: a Name/Age table, metadata.name and
/// metadata.namespace as selectable fields, DNS-1123 subdomain names.
/// </summary>
public class GenericStrategy(bool namespaced) : IResourceStrategy
{
    public bool Namespaced { get; } = namespaced;

    public virtual bool AllowUnconditionalUpdate => true;
    public virtual bool TracksGeneration => false;

    /// <summary>Kinds with a status subresource reset status on create and keep it on main-resource updates.</summary>
    protected virtual bool HasStatus => false;

    public virtual void ApplyDefaults(JsonObject obj) { }

    public virtual void PrepareForCreate(JsonObject obj, OperationContext ctx)
    {
        if (HasStatus) obj.Remove("status");
    }

    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        if (!HasStatus) return;
        if (ctx.Subresource == "status")
        {
            // A status update changes status only: everything else is the stored object's.
            foreach (var key in obj.Select(p => p.Key).ToList())
                if (key is not ("status" or "metadata" or "apiVersion" or "kind")) obj.Remove(key);
            foreach (var (key, value) in old)
                if (key is not ("status" or "metadata" or "apiVersion" or "kind")) obj[key] = value?.DeepClone();
        }
        else
        {
            obj["status"] = old["status"]?.DeepClone();
            if (obj["status"] is null) obj.Remove("status");
        }
    }

    /// <summary>The name rule of the kind (kube: most kinds are DNS-1123 subdomains).</summary>
    protected virtual ValidateNameFunc NameRule => NameValidation.NameIsDnsSubdomain;

    public virtual IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        MetadataValidation.ValidateObjectMeta(obj.Metadata(), Namespaced, NameRule);

    public virtual IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx) =>
        MetadataValidation.ValidateObjectMeta(obj.Metadata(), Namespaced, NameRule)
            .Concat(MetadataValidation.ValidateObjectMetaUpdate(obj.Metadata(), old.Metadata()));

    public virtual IReadOnlyList<TableColumnDefinition> Columns { get; } = [TableColumns.Name, TableColumns.Age];

    public virtual IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) => [obj.Name(), TableColumns.AgeOf(obj, now)];

    public virtual FieldLabelSet FieldLabels => FieldLabelSet.Default;

    public virtual string? FieldValue(JsonObject obj, string field) => field switch
    {
        "metadata.name" => obj.Name(),
        "metadata.namespace" => obj.Namespace(),
        _ => null,
    };
}
