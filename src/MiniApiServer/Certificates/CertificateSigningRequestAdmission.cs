using System.Text.Json.Nodes;
using MiniApiServer.Admission;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Authentication;
using MiniApiServer.Authorization;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Certificates;

/// <summary>
/// What kube-apiserver does to a CertificateSigningRequest beyond its strategy:
/// <list type="bullet">
/// <item>the requester (<c>spec.username</c>, <c>uid</c>, <c>groups</c>, <c>extra</c>) is the authenticated user, whatever the body said (strategy PrepareForCreate, which reads the user from the request context);</item>
/// <item>CertificateSubjectRestriction: a <c>kubernetes.io/kube-apiserver-client</c> request may not ask for the group <c>system:masters</c>;</item>
/// <item>CertificateApproval: an update of <c>/approval</c> needs the verb <c>approve</c> on the resource <c>signers</c> (group certificates.k8s.io) named after the signer, or <c>&lt;domain&gt;/*</c>;</item>
/// <item>CertificateSigning: an update of <c>/status</c> that changes the certificate or the conditions needs <c>sign</c> the same way.</item>
/// </list>
/// Writes without a user are the server's own (the signing controller), as kube-controller-manager's would be allowed.
/// </summary>
public sealed class CertificateSigningRequestAdmission(IAuthorizer authorizer) : IAdmissionPlugin
{
    public string Name => "CertificateSigningRequests";

    public void Admit(AdmissionAttributes a)
    {
        if (!IsCsr(a) || a.Operation != AdmissionOperation.Create || a.Object is not { } obj || a.User is not { } user) return;
        var spec = obj.Ensure("spec");
        spec["username"] = user.Name;
        if (user.Uid.Length > 0) spec["uid"] = user.Uid;
        if (user.Groups.Count > 0) spec["groups"] = user.Groups.ToJsonArray();
        if (user.Extra.Count > 0)
            spec["extra"] = new JsonObject(user.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value.ToJsonArray())));
    }

    public void Validate(AdmissionAttributes a)
    {
        if (!IsCsr(a)) return;
        if (a.Operation == AdmissionOperation.Create && a.Object is { } created) RestrictSubject(a, created);
        if (a.Operation != AdmissionOperation.Update || a.User is not { } user || a.OldObject is not { } old || a.Object is not { } obj) return;
        // Permission is checked against the stored signer name: the request cannot change it anyway.
        var signerName = old.Str("spec", "signerName") ?? "";
        switch (a.Subresource)
        {
            case "approval" when !IsAuthorizedForSignerName(user, "approve", signerName):
                throw Forbid(a, $"user not permitted to approve requests with signerName {GoValue.Quote(signerName)}");
            case "status" when (old.Str("status", "certificate") != obj.Str("status", "certificate")
                                || !JsonNode.DeepEquals(old.ArrAt("status", "conditions"), obj.ArrAt("status", "conditions")))
                               && !IsAuthorizedForSignerName(user, "sign", signerName):
                throw Forbid(a, $"user not permitted to sign requests with signerName {GoValue.Quote(signerName)}");
        }
    }

    /// <summary>kube's CertificateSubjectRestriction admission plugin.</summary>
    static void RestrictSubject(AdmissionAttributes a, JsonObject csr)
    {
        if (csr.Str("spec", "signerName") != CertificateSigningRequests.KubeApiServerClientSigner) return;
        var (request, _) = CertificateRequestPem.Parse(CsrValidation.Bytes(csr.Str("spec", "request")));
        if (request is null) return; // validation has already refused it
        if (CertificateRequestPem.Organizations(request).Contains(UserInfo.Masters))
            throw Forbid(a, $"use of {CertificateSigningRequests.KubeApiServerClientSigner} signer with {UserInfo.Masters} group is not allowed");
    }

    /// <summary>kube's IsAuthorizedForSignerName: the signer itself, else the wildcard of its domain.</summary>
    bool IsAuthorizedForSignerName(UserInfo user, string verb, string signerName) =>
        Allowed(user, verb, signerName) || Allowed(user, verb, signerName.Split('/')[0] + "/*");

    bool Allowed(UserInfo user, string verb, string name)
    {
        var request = new RequestInfo
        {
            IsResourceRequest = true, Path = "", Verb = verb, ApiGroup = CertificateSigningRequests.Group, ApiVersion = "*",
            Resource = "signers", Name = name,
        };
        var pending = authorizer.AuthorizeAsync(new AuthorizationAttributes(user, request), CancellationToken.None);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.Decision == Decision.Allow;
    }

    static bool IsCsr(AdmissionAttributes a) => a.Resource.Group == CertificateSigningRequests.Group && a.Resource.Plural == "certificatesigningrequests";

    /// <summary>admission.NewForbidden: <c>certificatesigningrequests.certificates.k8s.io "name" is forbidden: why</c>.</summary>
    static ApiException Forbid(AdmissionAttributes a, string why) =>
        StatusErrors.Forbidden($"{StatusErrors.GroupResource(a.Resource.Group, a.Resource.Plural)} {GoValue.Quote(a.Name)} is forbidden: {why}",
            a.Resource.Group, a.Resource.Plural, a.Name);
}
