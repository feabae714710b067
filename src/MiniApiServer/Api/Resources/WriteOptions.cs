using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Authentication;

namespace MiniApiServer.Api.Resources;

public enum FieldValidation { Ignore, Warn, Strict }

/// <summary>The query options of a write (create, update, patch), as kube-apiserver reads them.</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }
    /// <summary>The field manager recorded in managedFields (from ?fieldManager, else from the User-Agent).</summary>
    public string FieldManager { get; init; } = "unknown";
    public FieldValidation FieldValidation { get; init; } = FieldValidation.Warn;
    /// <summary>Server-side apply only: take over conflicting fields.</summary>
    public bool Force { get; init; }
    public UserInfo? User { get; init; }
    /// <summary>Warnings for the response's Warning headers.</summary>
    public List<string> Warnings { get; init; } = [];
    /// <summary>The strict decoding errors of a create or update body's JSON text (unknown and duplicate
    /// fields, in document order), reported per <see cref="FieldValidation"/> with the unknown fields found
    /// in the decoded object.</summary>
    public IReadOnlyList<string> BodyStrictErrors { get; init; } = [];
}

/// <summary>
/// ValidateCreateOptions and its siblings (apimachinery meta/v1 validation): <c>dryRun</c> accepts only "All",
/// <c>fieldValidation</c> only "", Ignore, Warn or Strict; anything else is a 422 on the options kind
/// (CreateOptions, UpdateOptions, PatchOptions). Every handler that writes, stored or not, checks these first.
/// </summary>
public static class WriteQuery
{
    public static FieldValidation Validate(IQueryCollection query, string optionsKind)
    {
        CheckDryRun(query["dryRun"], optionsKind);
        return query["fieldValidation"].ToString() switch
        {
            "" or "Warn" => FieldValidation.Warn,
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            var other => throw StatusErrors.Invalid("meta.k8s.io", optionsKind, "", [FieldError.NotSupported("fieldValidation", other, ["", "Ignore", "Strict", "Warn"])]),
        };
    }

    /// <summary>dryRun accepts only "All" (also for DeleteOptions, which may carry it in the body).</summary>
    public static void CheckDryRun(IEnumerable<string?> dryRun, string optionsKind)
    {
        foreach (var d in dryRun)
            if (d != "All")
                throw StatusErrors.Invalid("meta.k8s.io", optionsKind, "", [FieldError.NotSupported("dryRun", d, ["All"])]);
    }
}

/// <summary>DeleteOptions as kube-apiserver reads them (from the body, or from query parameters).</summary>
public sealed record DeleteOptionsInput
{
    public bool DryRun { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
    public string? PropagationPolicy { get; init; }
    public UserInfo? User { get; init; }
}
