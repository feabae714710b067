using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>The answer of the webhook: a TokenReview's status, in authentication.k8s.io/v1 terms.</summary>
public sealed record TokenReviewStatus(bool Authenticated, UserInfo User, IReadOnlyList<string> Audiences, string Error);

/// <summary>
/// One POST of a TokenReview to the webhook, as kube-apiserver's generic webhook client makes it
/// (client-go's REST client over the kubeconfig): JSON in the configured version (v1 or v1beta1; both
/// have the same shape), an absolute 30 s timeout per call, and client-go's reading of the answer —
/// a non-2xx status is an error whose reason comes from a returned Status or from the HTTP code
/// (<c>NewGenericServerResponse</c>), which decides whether the call is retried.
/// </summary>
public sealed class TokenReviewClient(HttpClient http, WebhookKubeconfig config, string version, TimeProvider time)
{
    public const string Group = "authentication.k8s.io";
    /// <summary><c>pkg/util/webhook</c>'s defaultRequestTimeout: the whole call, body included.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    /// <summary>client-go's maxUnstructuredResponseTextBytes: how much of a text error body is quoted.</summary>
    const int MaxErrorText = 2048;

    static readonly string UserAgent = $"kube-apiserver/{Api.HealthEndpoints.GitVersion} (linux/amd64) kubernetes/miniapiserver";

    public string ApiVersion { get; } = $"{Group}/{version}";

    public async Task<TokenReviewStatus> CreateAsync(string token, IReadOnlyList<string>? audiences, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Server) { Content = new StringContent(RequestBody(token, audiences), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json, */*");
        request.Headers.UserAgent.ParseAdd(UserAgent);
        if (config.BearerToken is { } bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        else if (config.Username is not null || config.Password is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}")));

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return Read(response, body);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Go's http.Client timeout: not one of DefaultShouldRetry's transient errors.
            throw new WebhookCallException($"Post \"{config.Server}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", retriable: false);
        }
        catch (HttpRequestException e)
        {
            // DefaultShouldRetry retries a reset connection (and a lost HTTP/2 connection); a refused one is final.
            throw new WebhookCallException($"Post \"{config.Server}\": {Describe(e)}", retriable: IsConnectionReset(e));
        }
    }

    /// <summary>The TokenReview as client-go encodes it: kind, apiVersion, metadata with a null creationTimestamp, spec, an empty status.</summary>
    string RequestBody(string token, IReadOnlyList<string>? audiences)
    {
        var spec = new JsonObject { ["token"] = token };
        if (audiences is { Count: > 0 }) spec["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        return new JsonObject
        {
            ["kind"] = "TokenReview",
            ["apiVersion"] = ApiVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["user"] = new JsonObject() },
        }.ToJsonString();
    }

    TokenReviewStatus Read(HttpResponseMessage response, byte[] body)
    {
        var code = (int)response.StatusCode;
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "application/json";
        if (code is < 200 or > 206) throw ErrorFor(response, code, body);
        if (body.Length == 0)
            throw new WebhookCallException($"0-length response with status code: {code} and content type: {contentType}", retriable: false);

        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(body) as JsonObject ?? throw new WebhookCallException("couldn't get version/kind; json parse error: not a JSON object", retriable: false);
        }
        catch (JsonException e)
        {
            throw new WebhookCallException($"couldn't get version/kind; json parse error: {e.Message}", retriable: false);
        }
        var kind = Str(obj, "kind");
        var apiVersion = Str(obj, "apiVersion");
        if (kind == "Status" && Str(obj, "status") != "Success") throw FromStatus(obj, code);
        // The webhook client's codec knows only the configured version: another kind or version does not decode.
        if (kind.Length > 0 && kind != "TokenReview" || apiVersion.Length > 0 && apiVersion != ApiVersion)
            throw new WebhookCallException($"converting ({apiVersion}, Kind={kind}) to ({ApiVersion}, Kind=TokenReview): the webhook answered a different kind or version than --authentication-token-webhook-version asks for", retriable: false);
        return StatusOf(obj["status"] as JsonObject);
    }

    static TokenReviewStatus StatusOf(JsonObject? status)
    {
        var user = status?["user"] as JsonObject;
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (user?["extra"] is JsonObject extras)
            foreach (var (key, values) in extras) extra[key] = Strings(values);
        return new TokenReviewStatus(
            status?["authenticated"] is JsonValue a && a.TryGetValue<bool>(out var ok) && ok,
            new UserInfo(Str(user, "username"), Str(user, "uid"), Strings(user?["groups"]), extra),
            Strings(status?["audiences"]),
            Str(status, "error"));
    }

    /// <summary>client-go's error for a non-2xx answer: the returned Status when there is one, else one made from the HTTP code.</summary>
    static WebhookCallException ErrorFor(HttpResponseMessage response, int code, byte[] body)
    {
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), out var seconds) ? seconds : 0;
        try
        {
            if (body.Length > 0 && JsonNode.Parse(body) is JsonObject o && Str(o, "kind") == "Status" && Str(o, "status") == "Failure")
                return FromStatus(o, code);
        }
        catch (JsonException)
        {
            // Not a Status: an unstructured error below.
        }
        var isText = response.Content.Headers.ContentType?.MediaType?.StartsWith("text/", StringComparison.OrdinalIgnoreCase) == true;
        var serverMessage = isText ? Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxErrorText)).Trim() : "unknown";
        var (reason, message) = code switch
        {
            409 => ("AlreadyExists", "the server reported a conflict"),
            404 => ("NotFound", "the server could not find the requested resource"),
            400 => ("BadRequest", "the server rejected our request for an unknown reason"),
            401 => ("Unauthorized", "the server has asked for the client to provide credentials"),
            403 => ("Forbidden", serverMessage),
            406 => ("NotAcceptable", serverMessage is "" or "unknown" ? "the server was unable to respond with a content type that the client supports" : serverMessage),
            415 => ("UnsupportedMediaType", serverMessage),
            405 => ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
            422 => ("Invalid", "the server rejected our request due to an error in our request"),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
            504 => ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
            429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
            >= 500 => ("InternalError", $"an error on the server ({JsonSerializer.Serialize(serverMessage)}) has prevented the request from succeeding"),
            _ => ("Unknown", $"the server responded with the status code {code} but did not return more information"),
        };
        return new WebhookCallException(message, ShouldRetry(reason, retryAfter));
    }

    /// <summary>client-go's <c>errors.FromObject</c>: the Status as the webhook wrote it (its details, not the headers).</summary>
    static WebhookCallException FromStatus(JsonObject status, int code)
    {
        var reason = Str(status, "reason");
        var details = status["details"] as JsonObject;
        var fromBody = details?["retryAfterSeconds"] is JsonValue r && r.TryGetValue<int>(out var s) ? s : 0;
        var message = Str(status, "message");
        return new WebhookCallException(message.Length > 0 ? message : $"the server responded with the status code {code} but did not return more information", ShouldRetry(reason, fromBody, hasDetails: details is not null));
    }

    /// <summary>
    /// <c>DefaultShouldRetry</c>: InternalError (500 and other 5xx), Timeout (504), TooManyRequests (429), or any
    /// error that suggests a client delay (<c>SuggestsClientDelay</c>: a Retry-After, or a (Server)Timeout reason).
    /// </summary>
    static bool ShouldRetry(string reason, int retryAfterSeconds, bool hasDetails = true) =>
        reason is "InternalError" or "Timeout" or "TooManyRequests"
        || hasDetails && (reason is "ServerTimeout" || retryAfterSeconds > 0);

    static bool IsConnectionReset(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is SocketException { SocketErrorCode: SocketError.ConnectionReset }) return true;
        return false;
    }

    static string Describe(HttpRequestException e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is SocketException s) return s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connect: connection refused",
                SocketError.ConnectionReset => "read: connection reset by peer",
                _ => s.Message,
            };
        return e.InnerException?.Message ?? e.Message;
    }

    static string Str(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList() : [];
}
