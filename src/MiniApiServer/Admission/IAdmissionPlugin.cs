using System.Text.Json.Nodes;
using MiniApiServer.Authentication;
using MiniApiServer.Registry;

namespace MiniApiServer.Admission;

public enum AdmissionOperation { Create, Update, Delete }

/// <summary>What admission sees of a write (kube's <c>admission.Attributes</c>).</summary>
public sealed record AdmissionAttributes(
    ResourceDefinition Resource,
    AdmissionOperation Operation,
    string Namespace,
    string Name,
    string? Subresource,
    JsonObject? Object,
    JsonObject? OldObject,
    UserInfo? User,
    bool DryRun);

/// <summary>
/// An admission plugin: <see cref="Admit"/> may change the object (mutating phase), <see cref="Validate"/>
/// may only reject (validating phase), by throwing an ApiException. Plugins run in registration order.
/// </summary>
public interface IAdmissionPlugin
{
    string Name { get; }
    void Admit(AdmissionAttributes attributes) { }
    void Validate(AdmissionAttributes attributes) { }
}
