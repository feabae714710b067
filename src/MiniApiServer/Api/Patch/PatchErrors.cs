using k8s.Models;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Api.Patch;

/// <summary>
/// The Status errors kube-apiserver answers a bad PATCH body with. The mapping is the one of
/// apiserver's <c>endpoints/handlers/patch.go</c>: a body that does not decode is 400; a JSON patch
/// that decodes but does not apply is a bare 422; the strategic-merge-patch format errors named in
/// <c>interpretStrategicMergePatchError</c> are 400 or 422; any other strategic merge error is a plain
/// Go error, which <c>responsewriters.ErrorToAPIStatus</c> turns into a 500 with no reason.
/// </summary>
internal static class PatchErrors
{
    /// <summary>The maximum number of operations a JSON patch may hold (patch.go maxJSONPatchOperations).</summary>
    public const int MaxJsonPatchOperations = 10000;

    /// <summary>400 BadRequest with the decoder's or the patch format's message.</summary>
    public static ApiException BadRequest(string message) => StatusErrors.BadRequest(message);

    /// <summary>
    /// The 422 of <c>errors.NewGenericServerResponse(422, "", GroupResource{}, "", err, 0, false)</c>:
    /// reason Invalid, the generic message, empty details and no causes. kube drops the underlying
    /// error text (e.g. "testing value /a failed"), so clients only ever see this sentence.
    /// </summary>
    public static ApiException Unprocessable() => new(StatusErrors.Failure(422, "Invalid",
        "the server rejected our request due to an error in our request", new V1StatusDetails()));

    /// <summary>A plain Go error that reached the handler: code 500, reason "" (omitted), the error text as message.</summary>
    public static ApiException Unknown(string message) => new(StatusErrors.Failure(500, "", message));

    /// <summary>413 for a JSON patch with more operations than <see cref="MaxJsonPatchOperations"/>.</summary>
    public static ApiException TooManyOperations(int count) => new(StatusErrors.Failure(413, "RequestEntityTooLarge",
        $"Request entity too large: The allowed maximum operations in a JSON patch is {MaxJsonPatchOperations}, got {count}"));

    // The sentinel errors of apimachinery's pkg/util/mergepatch/errors.go, with the code patch.go gives each.
    public static ApiException BadPatchFormatForPrimitiveList() => BadRequest("invalid patch format of primitive list");
    public static ApiException BadPatchFormatForRetainKeys() => BadRequest("invalid patch format of retainKeys");
    public static ApiException BadPatchFormatForSetElementOrderList() => BadRequest("invalid patch format of setElementOrder list");
    public static ApiException NoListOfLists() => Unprocessable();

    /// <summary>mergepatch.ErrNoMergeKey: "map: map[image:x] does not contain declared merge key: name".</summary>
    public static ApiException NoMergeKey(System.Text.Json.Nodes.JsonNode? map, string mergeKey) =>
        Unknown($"map: {GoText.Format(map)} does not contain declared merge key: {mergeKey}");

    /// <summary>mergepatch.ErrBadArgType: "expected a map[string]interface {}, but received a string".</summary>
    public static ApiException BadArgType(string expectedGoType, System.Text.Json.Nodes.JsonNode? actual) =>
        Unknown($"expected a {expectedGoType}, but received a {GoText.TypeName(actual)}");

    /// <summary>mergepatch.ErrBadPatchType: "unknown patch type: foo in map: map[$patch:foo name:x]".</summary>
    public static ApiException BadPatchType(System.Text.Json.Nodes.JsonNode? directive, System.Text.Json.Nodes.JsonNode map) =>
        Unknown($"unknown patch type: {GoText.Format(directive)} in map: {GoText.Format(map)}");
}
