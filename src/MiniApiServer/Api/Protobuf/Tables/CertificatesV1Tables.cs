namespace MiniApiServer.Api.Protobuf.Tables;

using static ProtoField;

/// <summary>
/// certificates.k8s.io/v1 CertificateSigningRequest, measured from the PUT …/approval bodies of real
/// <c>kubectl.1.32 certificate approve|deny</c> (kubectl sends back the whole object it read, plus the
/// new condition): spec 1 request, 2 username, 3 uid, 4 groups, 5 usages, 6 extra, 7 signerName,
/// 8 expirationSeconds; status 1 conditions {1 type, 2 reason, 3 message, 4 lastUpdateTime,
/// 5 lastTransitionTime, 6 status}. status 2 certificate is from k8s.io/api generated.proto.
/// </summary>
internal static class CertificatesV1Tables
{
    public static readonly ProtoMessage CertificateSigningRequestCondition = new("CertificateSigningRequestCondition",
        String(1, "type"),
        String(6, "status"),
        String(2, "reason"),
        String(3, "message"),
        Time(4, "lastUpdateTime"),
        Time(5, "lastTransitionTime"));

    /// <summary>CertificateSigningRequest; spec.expirationSeconds is *int32.</summary>
    public static readonly ProtoMessage CertificateSigningRequest = new("CertificateSigningRequest",
        Message(1, "metadata", MetaV1Tables.ObjectMeta),
        Message(2, "spec", new ProtoMessage("CertificateSigningRequestSpec",
            Bytes(1, "request"),
            String(7, "signerName"),
            Int32(8, "expirationSeconds", pointer: true),
            Strings(5, "usages"),
            String(2, "username"),
            String(3, "uid"),
            Strings(4, "groups"),
            StringListMap(6, "extra"))),
        Message(3, "status", new ProtoMessage("CertificateSigningRequestStatus",
            Messages(1, "conditions", CertificateSigningRequestCondition),
            Bytes(2, "certificate"))));
}
