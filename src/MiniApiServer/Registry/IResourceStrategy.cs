using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Registry;

/// <summary>What an operation is about, for strategies and admission.</summary>
public sealed record OperationContext(DateTimeOffset Now, string Namespace, bool DryRun, string? Subresource);

/// <summary>
/// A kind's rules, as kube's registry strategies (<c>pkg/registry/core/*/strategy.go</c>): defaults and
/// reset fields on create and update, validation, the table kubectl prints and the fields a field
/// selector may name. The generic handler calls these; it knows nothing of any one kind.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>
    /// The kind's scheme defaults (kube's SetDefaults_* funcs, which run whenever an object is decoded): applied
    /// to every incoming object before managedFields are computed, so the writer owns the defaulted fields, and
    /// again after a server-side apply, where they stay unowned. Must be idempotent.
    /// </summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>Clears what a client may not set on create (status for most kinds): kube's PrepareForCreate.</summary>
    void PrepareForCreate(JsonObject obj, OperationContext ctx);

    /// <summary>Keeps what an update of the main resource (or of a subresource) may not change.</summary>
    void PrepareForUpdate(JsonObject obj, JsonObject old, OperationContext ctx);

    IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx);

    IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx);

    /// <summary>Whether a PUT without a resourceVersion is accepted (kube: true for most kinds).</summary>
    bool AllowUnconditionalUpdate { get; }

    /// <summary>Whether the kind's metadata.generation counts spec changes.</summary>
    bool TracksGeneration { get; }

    IReadOnlyList<TableColumnDefinition> Columns { get; }

    /// <summary>The cells of one row, in column order; <paramref name="now"/> is for the Age column.</summary>
    IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now);

    /// <summary>The value of a field-selector field, or null when the kind does not support that field.</summary>
    string? FieldValue(JsonObject obj, string field);

    /// <summary>The fields a field selector may name on this kind (kube's field label conversion).</summary>
    FieldLabelSet FieldLabels { get; }
}
