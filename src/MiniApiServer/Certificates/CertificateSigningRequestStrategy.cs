using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry;
using MiniApiServer.Schema;

namespace MiniApiServer.Certificates;

/// <summary>
/// kube's <c>pkg/registry/certificates/certificates/strategy.go</c>: on create the requester fields and the
/// status are cleared (the requester is filled in by <see cref="CertificateSigningRequestAdmission"/>, which sees
/// the user); the spec never changes after that. The main resource changes only metadata, <c>/status</c> may
/// change the certificate and non-approval conditions, <c>/approval</c> only the conditions. Condition
/// timestamps left empty are filled in (lastTransitionTime kept while type and status stay the same).
/// </summary>
public sealed class CertificateSigningRequestStrategy() : GenericStrategy(namespaced: false)
{
    public override void PrepareForCreate(JsonObject obj, OperationContext ctx)
    {
        var spec = obj["spec"] as JsonObject ?? obj.Ensure("spec");
        foreach (var field in new[] { "username", "uid", "groups", "extra" }) spec.Remove(field);
        // Users cannot create pre-approved requests.
        obj["status"] = new JsonObject();
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        obj["spec"] = old["spec"]?.DeepClone();
        switch (ctx.Subresource)
        {
            case "status":
                // Approved and Denied stay as they are, when their number did not change (validation catches the rest).
                PreserveConditionInstances(obj, old, CertificateSigningRequests.Approved);
                PreserveConditionInstances(obj, old, CertificateSigningRequests.Denied);
                PopulateConditionTimestamps(obj, old, ctx.Now);
                break;
            case "approval":
                PopulateConditionTimestamps(obj, old, ctx.Now);
                var conditions = obj.ArrAt("status", "conditions")?.DeepClone();
                obj["status"] = old["status"]?.DeepClone() ?? new JsonObject();
                if (conditions is not null) ((JsonObject)obj["status"]!)["conditions"] = conditions;
                else ((JsonObject)obj["status"]!).Remove("conditions");
                break;
            default:
                obj["status"] = old["status"]?.DeepClone();
                break;
        }
        if (obj["status"] is null) obj.Remove("status");
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) => CsrValidation.ValidateCreate(obj);

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx) =>
        CsrValidation.ValidateUpdate(obj, old, ctx.Subresource switch
        {
            "status" => CsrValidation.UpdatePath.Status,
            "approval" => CsrValidation.UpdatePath.Approval,
            _ => CsrValidation.UpdatePath.Main,
        });

    static void PreserveConditionInstances(JsonObject obj, JsonObject old, string type)
    {
        var newConditions = obj.ArrAt("status", "conditions");
        var oldConditions = old.ArrAt("status", "conditions");
        if (newConditions is null || oldConditions is null) return;
        var newIndices = Enumerable.Range(0, newConditions.Count).Where(i => newConditions[i].Str("type") == type).ToList();
        var oldIndices = Enumerable.Range(0, oldConditions.Count).Where(i => oldConditions[i].Str("type") == type).ToList();
        if (newIndices.Count != oldIndices.Count) return;
        for (var i = 0; i < newIndices.Count; i++) newConditions[newIndices[i]] = oldConditions[oldIndices[i]]?.DeepClone();
    }

    static void PopulateConditionTimestamps(JsonObject obj, JsonObject old, DateTimeOffset now)
    {
        var stamp = Obj.Rfc3339(now);
        var oldConditions = old.ArrAt("status", "conditions") ?? [];
        foreach (var condition in (obj.ArrAt("status", "conditions") ?? []).OfType<JsonObject>())
        {
            if (string.IsNullOrEmpty(condition.Str("lastUpdateTime"))) condition["lastUpdateTime"] = stamp;
            if (!string.IsNullOrEmpty(condition.Str("lastTransitionTime"))) continue;
            var same = oldConditions.FirstOrDefault(o => o.Str("type") == condition.Str("type") && o.Str("status") == condition.Str("status")
                && !string.IsNullOrEmpty(o.Str("lastTransitionTime")));
            condition["lastTransitionTime"] = same?.Str("lastTransitionTime") ?? stamp;
        }
    }

    public override FieldLabelSet FieldLabels => FieldLabelSet.CertificateSigningRequest;

    public override string? FieldValue(JsonObject obj, string field) => field switch
    {
        "metadata.name" => obj.Name(),
        "spec.signerName" => obj.Str("spec", "signerName") ?? "",
        _ => null,
    };

    /// <summary>kube's CSR printer: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.</summary>
    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Age,
        TableColumns.Column("SignerName", "string", Doc(nameof(V1CertificateSigningRequestSpec.SignerName))),
        TableColumns.Column("Requestor", "string", Doc(nameof(V1CertificateSigningRequestSpec.Request))),
        TableColumns.Column("RequestedDuration", "string", Doc(nameof(V1CertificateSigningRequestSpec.ExpirationSeconds))),
        TableColumns.Column("Condition", "string", ModelDocumentation.ForProperty(typeof(V1CertificateSigningRequestStatus).GetProperty(nameof(V1CertificateSigningRequestStatus.Conditions))!) ?? ""),
    ];

    static string Doc(string property) => ModelDocumentation.ForProperty(typeof(V1CertificateSigningRequestSpec).GetProperty(property)!) ?? "";

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
    [
        obj.Name(),
        TableColumns.AgeOf(obj, now),
        obj.Str("spec", "signerName") ?? "",
        obj.Str("spec", "username") ?? "",
        obj.Long("spec", "expirationSeconds") is { } seconds ? HumanDuration.Format(TimeSpan.FromSeconds(seconds)) : "<none>",
        Condition(obj),
    ];

    /// <summary>kube's extractCSRStatus: Denied over Approved over Pending, then ",Failed" and ",Issued".</summary>
    public static string Condition(JsonObject obj)
    {
        var types = (obj.ArrAt("status", "conditions") ?? []).Select(c => c.Str("type")).ToHashSet();
        var status = types.Contains(CertificateSigningRequests.Denied) ? "Denied"
            : types.Contains(CertificateSigningRequests.Approved) ? "Approved" : "Pending";
        if (types.Contains(CertificateSigningRequests.Failed)) status += ",Failed";
        if (!string.IsNullOrEmpty(obj.Str("status", "certificate"))) status += ",Issued";
        return status;
    }
}
