using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Controllers;
using MiniApiServer.Storage;

namespace MiniApiServer.Certificates;

/// <summary>
/// kube-controller-manager's <c>csrsigning-kube-apiserver-client</c> controller: an approved (and not denied or
/// failed) request for <c>kubernetes.io/kube-apiserver-client</c> without a certificate is checked (usages must
/// include <c>client auth</c> and may add only <c>digital signature</c> and <c>key encipherment</c>) and then
/// signed by the client CA; a request that fails the check gets a <c>Failed</c> condition with reason
/// <c>SignerValidationFailure</c>. Other signers are left alone, as kube leaves signers no controller serves.
/// The result is written through <c>/status</c>, as the controller's UpdateStatus call does.
/// </summary>
public sealed class CsrSigningController(ResourceRest rest, ClientCertificateSigner signer, TimeProvider time, ILogger<CsrSigningController> logger)
    : WatchController(rest.Store, CertificateSigningRequests.Definition, time, logger)
{
    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current)
    {
        if (current is null || !NeedsSigning(current.Object)) return null;
        rest.Write(CertificateSigningRequests.Definition, "", key.Name, Options, "status", csr =>
        {
            if (csr is null || !NeedsSigning(csr)) return csr ?? throw new InvalidOperationException("the request is gone");
            var (request, parseError) = CertificateRequestPem.Parse(CsrValidation.Bytes(csr.Str("spec", "request")));
            if (request is null) throw new InvalidOperationException($"unable to parse csr {GoValueQuote(key.Name)}: {parseError}");
            var usages = csr.Strings("spec", "usages");
            if (UsageError(usages) is { } error)
            {
                var status = csr.Ensure("status");
                var conditions = status["conditions"] as JsonArray ?? [];
                conditions.Add(new JsonObject
                {
                    ["type"] = CertificateSigningRequests.Failed, ["status"] = "True", ["reason"] = "SignerValidationFailure",
                    ["message"] = error, ["lastUpdateTime"] = Obj.Rfc3339(Time.GetUtcNow()),
                });
                status["conditions"] = conditions;
                return csr;
            }
            var pem = signer.Sign(request, usages, csr.Long("spec", "expirationSeconds"));
            csr.Ensure("status")["certificate"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
            return csr;
        });
        return null;
    }

    /// <summary>Approved, not denied, not failed, no certificate yet, and for the signer this controller serves.</summary>
    public static bool NeedsSigning(JsonObject csr)
    {
        var types = (csr.ArrAt("status", "conditions") ?? []).Where(c => c.Str("status") == "True").Select(c => c.Str("type")).ToHashSet();
        return types.Contains(CertificateSigningRequests.Approved) && !types.Contains(CertificateSigningRequests.Denied)
            && !types.Contains(CertificateSigningRequests.Failed)
            && string.IsNullOrEmpty(csr.Str("status", "certificate"))
            && csr.Str("spec", "signerName") == CertificateSigningRequests.KubeApiServerClientSigner;
    }

    /// <summary>kube's validAPIServerClientUsages.</summary>
    public static string? UsageError(IReadOnlyList<string> usages)
    {
        foreach (var usage in usages)
            if (usage is not ("digital signature" or "key encipherment" or "client auth"))
                return $"invalid usage for client certificate: {usage}";
        return usages.Contains("client auth") ? null : "missing required usage for client certificate: client auth";
    }

    static string GoValueQuote(string s) => Registry.Validation.GoValue.Quote(s);
}
