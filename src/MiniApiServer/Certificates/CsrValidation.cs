using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Certificates;

/// <summary>
/// kube's <c>pkg/apis/certificates/validation</c>: the request must parse and verify, usages are known and
/// unique, the signer name is <c>domain/path</c>, <c>expirationSeconds</c> is at least 600, conditions follow
/// their rules (Approved/Denied/Failed only True, Approved and Denied exclusive, no duplicates) and
/// <c>status.certificate</c> holds only CERTIFICATE blocks. Updates may never remove those conditions; only
/// the approval subresource may add or change Approved/Denied, only the status subresource may set the
/// certificate, and only once. Tolerances for problems already in the stored object are kube's too.
/// </summary>
public static class CsrValidation
{
    /// <summary>certificates/v1 KeyUsage values (kube's allValidUsages), sorted as Go's sets.List prints them.</summary>
    public static readonly IReadOnlyList<string> ValidUsages = new[]
    {
        "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
        "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
        "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
        "microsoft sgc", "netscape sgc",
    }.Order(StringComparer.Ordinal).ToArray();

    static readonly string[] TrueOnly = ["True"];
    static readonly string[] AllStatuses = ["False", "True", "Unknown"];

    /// <summary>Which update road is taken: the main resource, <c>/status</c> or <c>/approval</c>.</summary>
    public enum UpdatePath { Main, Status, Approval }

    sealed record Options(
        bool AllowSettingApprovalConditions = false, bool AllowSettingCertificate = false, bool AllowBothApprovedAndDenied = false,
        bool AllowLegacySignerName = false, bool AllowDuplicateConditionTypes = false, bool AllowEmptyConditionType = false,
        bool AllowArbitraryCertificate = false, bool AllowUnknownUsages = false, bool AllowDuplicateUsages = false);

    public static IEnumerable<FieldError> ValidateCreate(JsonObject csr) => Validate(csr, OptionsFor(csr, null));

    public static IEnumerable<FieldError> ValidateUpdate(JsonObject csr, JsonObject old, UpdatePath path)
    {
        var options = OptionsFor(csr, old) with
        {
            AllowSettingCertificate = path == UpdatePath.Status,
            AllowSettingApprovalConditions = path == UpdatePath.Approval,
        };
        foreach (var e in Validate(csr, options)) yield return e;

        foreach (var type in new[] { CertificateSigningRequests.Approved, CertificateSigningRequests.Denied, CertificateSigningRequests.Failed })
            if (Conditions(csr, type).Count < Conditions(old, type).Count)
                yield return FieldError.Forbidden("status.conditions", $"updates may not remove a condition of type {GoValue.Quote(type)}");
        if (!options.AllowSettingApprovalConditions)
        {
            foreach (var type in new[] { CertificateSigningRequests.Approved, CertificateSigningRequests.Denied })
            {
                var (now, before) = (Conditions(csr, type), Conditions(old, type));
                if (now.Count > before.Count)
                    yield return FieldError.Forbidden("status.conditions", $"updates may not add a condition of type {GoValue.Quote(type)}");
                else if (now.Count == before.Count && !now.Zip(before).All(p => JsonNode.DeepEquals(p.First, p.Second)))
                    yield return FieldError.Forbidden("status.conditions", $"updates may not modify a condition of type {GoValue.Quote(type)}");
            }
        }
        var (certificate, oldCertificate) = (csr.Str("status", "certificate") ?? "", old.Str("status", "certificate") ?? "");
        if (certificate != oldCertificate)
        {
            if (!options.AllowSettingCertificate)
                yield return FieldError.Forbidden("status.certificate", "updates may not set certificate content");
            else if (oldCertificate.Length > 0)
                yield return FieldError.Forbidden("status.certificate", "updates may not modify existing certificate content");
        }
        foreach (var e in MetadataValidation.ValidateObjectMetaUpdate(csr.Metadata(), old.Metadata())) yield return e;
    }

    static IEnumerable<FieldError> Validate(JsonObject csr, Options options)
    {
        // "We don't care what you call your certificate requests": no name rule beyond ObjectMeta's own.
        foreach (var e in MetadataValidation.ValidateObjectMeta(csr.Metadata(), namespaced: false, (_, _) => [])) yield return e;

        var request = Bytes(csr.Str("spec", "request"));
        if (CertificateRequestPem.Parse(request).Error is { } parseError)
            yield return FieldError.Invalid("spec.request", new GoBytes(request), parseError);

        var usages = csr.Strings("spec", "usages");
        if (usages.Count == 0) yield return FieldError.Required("spec.usages", "");
        if (!options.AllowUnknownUsages)
            for (var i = 0; i < usages.Count; i++)
                if (!ValidUsages.Contains(usages[i]))
                    yield return FieldError.NotSupported($"spec.usages[{i}]", usages[i], ValidUsages);
        if (!options.AllowDuplicateUsages)
            for (var i = 0; i < usages.Count; i++)
                if (usages.Take(i).Contains(usages[i]))
                    yield return FieldError.Duplicate($"spec.usages[{i}]", usages[i]);

        var signerName = csr.Str("spec", "signerName") ?? "";
        if (!options.AllowLegacySignerName && signerName == CertificateSigningRequests.LegacyUnknownSigner)
            yield return FieldError.Invalid("spec.signerName", signerName, "the legacy signerName is not allowed via this API version");
        else
            foreach (var e in SignerNames.Validate("spec.signerName", signerName)) yield return e;

        if (csr.Long("spec", "expirationSeconds") is { } seconds && seconds < 600)
            yield return FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 600 seconds (10 minutes)");

        foreach (var e in ValidateConditions(csr, options)) yield return e;

        if (!options.AllowArbitraryCertificate && CertificateError(Bytes(csr.Str("status", "certificate"))) is { } certificateError)
            yield return FieldError.Invalid("status.certificate", "<certificate data>", certificateError);
    }

    static IEnumerable<FieldError> ValidateConditions(JsonObject csr, Options options)
    {
        var conditions = csr.ArrAt("status", "conditions") ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var (hasApproved, hasDenied) = (false, false);
        for (var i = 0; i < conditions.Count; i++)
        {
            var path = $"status.conditions[{i}]";
            var type = conditions[i].Str("type") ?? "";
            var status = conditions[i].Str("status") ?? "";
            if (!options.AllowEmptyConditionType && type.Length == 0) yield return FieldError.Required(path + ".type", "");
            var allowed = type is CertificateSigningRequests.Approved or CertificateSigningRequests.Denied or CertificateSigningRequests.Failed ? TrueOnly : AllStatuses;
            if (status.Length == 0) yield return FieldError.Required(path + ".status", "");
            else if (!allowed.Contains(status)) yield return FieldError.NotSupported(path + ".status", status, allowed);
            if (!options.AllowBothApprovedAndDenied && type is CertificateSigningRequests.Approved or CertificateSigningRequests.Denied)
            {
                var other = type == CertificateSigningRequests.Approved ? hasDenied : hasApproved;
                if (type == CertificateSigningRequests.Approved) hasApproved = true; else hasDenied = true;
                if (other) yield return FieldError.Invalid(path + ".type", type, "Approved and Denied conditions are mutually exclusive");
            }
            if (!options.AllowDuplicateConditionTypes && !seen.Add(type)) yield return FieldError.Duplicate(path + ".type", type);
        }
    }

    /// <summary>kube's tolerances: what is already wrong in the stored object may stay wrong.</summary>
    static Options OptionsFor(JsonObject csr, JsonObject? old)
    {
        if (old is null) return new Options();
        var oldConditions = (old.ArrAt("status", "conditions") ?? []).Select(c => c.Str("type") ?? "").ToList();
        var oldUsages = old.Strings("spec", "usages");
        var sameCertificate = (csr.Str("status", "certificate") ?? "") == (old.Str("status", "certificate") ?? "");
        return new Options(
            AllowBothApprovedAndDenied: oldConditions.Contains(CertificateSigningRequests.Approved) && oldConditions.Contains(CertificateSigningRequests.Denied),
            AllowLegacySignerName: old.Str("spec", "signerName") == CertificateSigningRequests.LegacyUnknownSigner,
            AllowDuplicateConditionTypes: oldConditions.Distinct().Count() != oldConditions.Count,
            AllowEmptyConditionType: oldConditions.Contains(""),
            AllowArbitraryCertificate: sameCertificate || CertificateError(Bytes(old.Str("status", "certificate"))) is not null,
            AllowUnknownUsages: oldUsages.Any(u => !ValidUsages.Contains(u)),
            AllowDuplicateUsages: oldUsages.Distinct().Count() != oldUsages.Count);
    }

    /// <summary>kube's validateCertificate: empty is fine; otherwise only header-less CERTIFICATE blocks that parse.</summary>
    static string? CertificateError(byte[] pem)
    {
        if (pem.Length == 0) return null;
        var text = System.Text.Encoding.UTF8.GetString(pem);
        var blocks = 0;
        var rest = text.AsSpan();
        while (System.Security.Cryptography.PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].ToString() != "CERTIFICATE") return $"only CERTIFICATE PEM blocks are allowed, found {GoValue.Quote(rest[fields.Label].ToString())}";
            try
            {
                using var _ = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
            {
                return "x509: malformed certificate";
            }
            blocks++;
            rest = rest[fields.Location.End..];
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    static List<JsonNode?> Conditions(JsonObject csr, string type) =>
        (csr.ArrAt("status", "conditions") ?? []).Where(c => c.Str("type") == type).ToList();

    /// <summary>A []byte field of the JSON form: base64; anything else reads as no bytes.</summary>
    public static byte[] Bytes(string? base64)
    {
        if (string.IsNullOrEmpty(base64)) return [];
        try { return Convert.FromBase64String(base64); }
        catch (FormatException) { return []; }
    }

    /// <summary>A []byte as Go's %#v prints a bad value in a field error: <c>[]byte{0x2d, 0x2d}</c>.</summary>
    sealed record GoBytes(byte[] Value)
    {
        public override string ToString() => "[]byte{" + string.Join(", ", Value.Select(b => "0x" + b.ToString("x"))) + "}";
    }
}
