using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniApiServer.Runtime.Commands.Kubectl;

/// <summary>An answer from the API server: status code and body.</summary>
public sealed record ApiResponse(int Code, byte[] Body)
{
    public JsonNode? Json()
    {
        try { return JsonNode.Parse(Body); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    public bool Ok => Code is >= 200 and < 300;

    /// <summary>How kubectl prints a failed call: a Status becomes "Error from server (Reason): message";
    /// a 401 is "You must be logged in to the server"; anything else names the code.</summary>
    public string ErrorText(string verb, string resource)
    {
        var status = Json() as JsonObject;
        var message = status?["message"]?.GetValue<string>();
        var reason = status?["reason"]?.GetValue<string>();
        if (status?["kind"]?.GetValue<string>() != "Status") { message = null; reason = null; }
        if (Code == 401) return $"error: You must be logged in to the server ({message ?? "Unauthorized"})";
        if (message is null) return $"Error from server: the server responded with the status code {Code} but did not return more information ({verb} {resource})";
        return reason is { Length: > 0 } ? $"Error from server ({reason}): {message}" : $"Error from server: {message}";
    }
}

/// <summary>One in-pod client's connection to the API server.</summary>
public sealed class ApiCall(HttpClient client) : IDisposable
{
    public const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    public async Task<ApiResponse> GetAsync(string path, string accept, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        return await SendAsync(request, ct);
    }

    public async Task<ApiResponse> PostJsonAsync(string path, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Accept.ParseAdd("application/json");
        return await SendAsync(request, ct);
    }

    async Task<ApiResponse> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await client.SendAsync(request, ct);
        return new ApiResponse((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct));
    }

    public void Dispose() => client.Dispose();
}
