using k8s.Models;
using MiniApiServer.Registry;

namespace MiniApiServer.Certificates;

/// <summary>
/// certificates.k8s.io/v1 CertificateSigningRequest (short name csr, cluster-scoped) with its <c>status</c> and
/// <c>approval</c> subresources, and the names of the API (k8s.io/api certificates/v1 types.go).
/// </summary>
public static class CertificateSigningRequests
{
    public const string Group = "certificates.k8s.io";

    /// <summary>Client certificates that kube-apiserver honours: signed by kube-controller-manager with the cluster signing CA.</summary>
    public const string KubeApiServerClientSigner = "kubernetes.io/kube-apiserver-client";
    public const string KubeApiServerClientKubeletSigner = "kubernetes.io/kube-apiserver-client-kubelet";
    public const string KubeletServingSigner = "kubernetes.io/kubelet-serving";
    /// <summary>Only certificates.k8s.io/v1beta1 accepts it.</summary>
    public const string LegacyUnknownSigner = "kubernetes.io/legacy-unknown";

    public const string Approved = "Approved";
    public const string Denied = "Denied";
    public const string Failed = "Failed";

    public static ResourceDefinition Definition { get; } = new()
    {
        Group = Group, Version = "v1", Kind = "CertificateSigningRequest", Plural = "certificatesigningrequests",
        Singular = "certificatesigningrequest", Namespaced = false, ShortNames = ["csr"],
        ModelType = typeof(V1CertificateSigningRequest), ListModelType = typeof(V1CertificateSigningRequestList),
        Subresources =
        [
            new SubresourceDefinition("approval", "CertificateSigningRequest", ["get", "patch", "update"]),
            new SubresourceDefinition("status", "CertificateSigningRequest", ["get", "patch", "update"]),
        ],
        Strategy = new CertificateSigningRequestStrategy(),
    };
}
