using k8s.Models;

namespace MiniApiServer.Api.Errors;

/// <summary>
/// Builds the <c>metav1.Status</c> errors of apimachinery's <c>pkg/api/errors</c>, with the same
/// codes, reasons and message wording, so kubectl prints what it prints against a real cluster.
/// </summary>
public static class StatusErrors
{
    public static V1Status Failure(int code, string reason, string message, V1StatusDetails? details = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = message,
        Reason = string.IsNullOrEmpty(reason) ? null : reason,
        Details = details,
        Code = code,
    };

    static ApiException Ex(int code, string reason, string message, V1StatusDetails? details = null) =>
        new(Failure(code, reason, message, details));

    static V1StatusDetails Details(string group, string kind, string? name) =>
        new() { Group = string.IsNullOrEmpty(group) ? null : group, Kind = kind, Name = string.IsNullOrEmpty(name) ? null : name };

    /// <summary>"pods" or "roles.rbac.authorization.k8s.io", as apimachinery's GroupResource.String().</summary>
    public static string GroupResource(string group, string resource) =>
        string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";

    public static ApiException NotFound(string group, string resource, string name) =>
        Ex(404, "NotFound", $"{GroupResource(group, resource)} \"{name}\" not found", Details(group, resource, name));

    public static ApiException AlreadyExists(string group, string resource, string name) =>
        Ex(409, "AlreadyExists", $"{GroupResource(group, resource)} \"{name}\" already exists", Details(group, resource, name));

    /// <summary>Optimistic-concurrency failure (stale resourceVersion or changed UID precondition).</summary>
    public static ApiException Conflict(string group, string resource, string name, string why) =>
        Ex(409, "Conflict", $"Operation cannot be fulfilled on {GroupResource(group, resource)} \"{name}\": {why}", Details(group, resource, name));

    public const string OptimisticLockMessage = "the object has been modified; please apply your changes to the latest version and try again";

    /// <summary>422 Invalid: <c>Pod "x" is invalid: spec.containers[0].image: Required value</c> (kubectl prints it
    /// with "The " before it); the kind is group-qualified for other groups, as apimachinery's NewInvalid.</summary>
    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var aggregate = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var details = Details(group, kind, name);
        details.Causes = errors.Select(e => new V1StatusCause { Reason = e.Type.Reason(), Message = e.MessageWithValue(), Field = e.Field }).ToList();
        var qualifiedKind = string.IsNullOrEmpty(group) ? kind : $"{kind}.{group}";
        return Ex(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {aggregate}", details);
    }

    public static ApiException BadRequest(string message) => Ex(400, "BadRequest", message);

    public static ApiException MethodNotSupported(string group, string resource, string action) =>
        Ex(405, "MethodNotAllowed", $"{action} is not supported on resources of kind \"{GroupResource(group, resource)}\"", Details(group, resource, null));

    public static ApiException UnsupportedMediaType(string contentType) =>
        Ex(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");

    public static ApiException NotAcceptable(string accept) =>
        Ex(406, "NotAcceptable", $"only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io");

    /// <summary>The generic 404 for a path that names nothing we serve.</summary>
    public static ApiException PathNotFound() =>
        Ex(404, "NotFound", "the server could not find the requested resource", new V1StatusDetails());

    public static ApiException Gone(string message) => Ex(410, "Expired", message);

    public static ApiException Unauthorized() => Ex(401, "Unauthorized", "Unauthorized");

    public static ApiException Forbidden(string message, string group, string resource, string? name) =>
        Ex(403, "Forbidden", message, Details(group, resource, name));

    public static ApiException Internal(string message) =>
        Ex(500, "InternalError", $"Internal error occurred: {message}", new V1StatusDetails { Causes = [new V1StatusCause { Message = message }] });

    public static ApiException ServiceUnavailable(string message) => Ex(503, "ServiceUnavailable", message);

    public static ApiException TooManyRequests(string message) => Ex(429, "TooManyRequests", message);
}
