using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;

namespace MiniApiServer.Admission;

/// <summary>
/// The mutating admission plugins that fill a new pod's spec: DefaultTolerationSeconds (tolerate not-ready
/// and unreachable nodes for 300 s) and Priority (priority 0, preemptionPolicy PreemptLowerPriority without a
/// priority class). Admission runs after managedFields are computed, so these fields belong to no manager, as
/// in kube; a later server-side apply that omits them therefore does not remove them.
/// </summary>
public sealed class PodDefaults : IAdmissionPlugin
{
    public string Name => "DefaultTolerationSeconds,Priority";

    static readonly string[] NoExecuteTaints = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

    public void Admit(AdmissionAttributes a)
    {
        if (a.Resource.Kind != "Pod" || a.Operation != AdmissionOperation.Create || a.Subresource is not null || a.Object is not { } pod) return;
        var spec = pod.Ensure("spec");
        var tolerations = spec.ArrAt("tolerations") ?? [];
        foreach (var key in NoExecuteTaints)
        {
            if (tolerations.OfType<JsonObject>().Any(t => t.Str("key") == key || (t.Str("key") is null && t.Str("operator") == "Exists"))) continue;
            tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
        }
        spec["tolerations"] = tolerations;
        spec["priority"] ??= 0;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
    }
}
