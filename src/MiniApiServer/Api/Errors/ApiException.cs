using k8s.Models;

namespace MiniApiServer.Api.Errors;

/// <summary>
/// An error that the request road turns into a <c>metav1.Status</c> body. Every failure a client can
/// see is one of these, built by <see cref="StatusErrors"/> with kube-apiserver's code, reason and message.
/// </summary>
public sealed class ApiException(V1Status status) : Exception(status.Message)
{
    public V1Status Status { get; } = status;
    public int Code => Status.Code ?? 500;
}
