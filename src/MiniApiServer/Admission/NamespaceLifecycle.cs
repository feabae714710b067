using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Admission;

/// <summary>
/// kube's NamespaceLifecycle plugin: nothing is created in a namespace that does not exist or is being
/// terminated, and the namespaces the system needs cannot be deleted.
/// </summary>
public sealed class NamespaceLifecycle(IObjectStore store) : IAdmissionPlugin
{
    public static readonly IReadOnlyList<string> Immortal = ["default", "kube-system", "kube-public"];

    public string Name => "NamespaceLifecycle";

    public void Validate(AdmissionAttributes a)
    {
        if (a.Resource.Kind == "Namespace")
        {
            if (a.Operation == AdmissionOperation.Delete && Immortal.Contains(a.Name))
                throw StatusErrors.Forbidden($"namespaces \"{a.Name}\" is forbidden: this namespace may not be deleted", "", "namespaces", a.Name);
            return;
        }
        if (!a.Resource.Namespaced || a.Operation != AdmissionOperation.Create) return;
        var ns = store.Get(new ObjectKey(NamespaceStrategy.Definition.StorageResource, "", a.Namespace))
            ?? throw StatusErrors.NotFound("", "namespaces", a.Namespace);
        if (ns.Object.IsDeleting() || ns.Object.Str("status", "phase") == "Terminating")
            throw Terminating(a);
    }

    /// <summary>
    /// admission.NewForbidden for a terminating namespace, with the cause kube's plugin appends: type
    /// NamespaceTerminating (v1.NamespaceTerminatingCause, serialized as "reason") on metadata.namespace,
    /// which clients such as the namespace-aware retry logic look for.
    /// </summary>
    static ApiException Terminating(AdmissionAttributes a)
    {
        var error = StatusErrors.Forbidden(
            $"{StatusErrors.GroupResource(a.Resource.Group, a.Resource.Plural)} \"{a.Name}\" is forbidden: unable to create new content in namespace {a.Namespace} because it is being terminated",
            a.Resource.Group, a.Resource.Plural, a.Name);
        error.Status.Details.Causes =
        [
            new V1StatusCause { Reason = "NamespaceTerminating", Message = $"namespace {a.Namespace} is being terminated", Field = "metadata.namespace" },
        ];
        return error;
    }
}
