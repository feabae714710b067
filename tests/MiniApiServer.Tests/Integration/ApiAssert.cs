using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Integration;

/// <summary>Small helpers for driving the API as kubectl does and reading its answers.</summary>
public static class Api
{
    public static StringContent Json(string json, string contentType = "application/json") => new(json, Encoding.UTF8, contentType);

    public static async Task<JsonObject> ReadObject(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException("not an object: " + text);
    }

    /// <summary>Asserts the status code (showing the body on failure) and returns the body.</summary>
    public static async Task<JsonObject> Expect(this Task<HttpResponseMessage> call, HttpStatusCode code)
    {
        var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == code, $"expected {(int)code}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) as JsonObject ?? [];
    }

    /// <summary>Asserts a metav1.Status failure with the code, reason and message.</summary>
    public static async Task<JsonObject> ExpectStatus(this Task<HttpResponseMessage> call, HttpStatusCode code, string reason, string? message = null)
    {
        var status = await call.Expect(code);
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("v1", (string?)status["apiVersion"]);
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal(reason, (string?)status["reason"]);
        Assert.Equal((int)code, (int?)status["code"]);
        if (message is not null) Assert.Equal(message, (string?)status["message"]);
        return status;
    }

    public static Task<HttpResponseMessage> Post(this HttpClient c, string path, string json, string contentType = "application/json") =>
        c.PostAsync(path, Json(json, contentType));

    public static Task<HttpResponseMessage> Put(this HttpClient c, string path, string json) => c.PutAsync(path, Json(json));

    public static Task<HttpResponseMessage> Patch(this HttpClient c, string path, string json, string contentType) =>
        c.PatchAsync(path, Json(json, contentType));

    public static Task<HttpResponseMessage> Delete(this HttpClient c, string path, string? body = null) =>
        c.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path) { Content = body is null ? null : Json(body) });

    public static Task<HttpResponseMessage> GetAs(this HttpClient c, string path, string accept)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, path);
        req.Headers.Accept.Clear();
        req.Headers.TryAddWithoutValidation("Accept", accept);
        return c.SendAsync(req);
    }

    public const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
}
