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

/// <summary>Helpers shared by the integration tests: fresh namespaces, watch streams, waiting without sleeps.</summary>
public static class Cluster
{
    /// <summary>Creates a namespace of its own for one test (tests run in parallel and must not meet).</summary>
    public static async Task<string> NewNamespace(this HttpClient admin, string prefix = "t")
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        await admin.Post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}").Expect(HttpStatusCode.Created);
        return name;
    }

    public static string Rv(this JsonNode obj) => (string)obj["metadata"]!["resourceVersion"]!;

    public static string[] Names(this JsonObject list) =>
        list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToArray();

    /// <summary>
    /// Starts a watch (the path carries its own query) and returns a reader of its events. The request is not
    /// awaited here: the in-process test server hands the response over only with its first body bytes, so a
    /// watch that must not miss a change names the resourceVersion to start after.
    /// </summary>
    public static Task<WatchReader> Watch(this HttpClient c, string pathAndQuery, string? accept = null, int timeoutSeconds = 20)
    {
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + 5));
        // The server ends the watch itself too, so no request outlives the test.
        if (!pathAndQuery.Contains("timeoutSeconds=")) pathAndQuery += $"&timeoutSeconds={timeoutSeconds}";
        var req = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (accept is not null)
        {
            req.Headers.Accept.Clear();
            req.Headers.TryAddWithoutValidation("Accept", accept);
        }
        return Task.FromResult(new WatchReader(c.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token), cts));
    }

    /// <summary>The list's resourceVersion: a watch from it sees every later change.</summary>
    public static async Task<string> ListRv(this HttpClient c, string listPath) =>
        (string)(await c.GetAsync(listPath).Expect(HttpStatusCode.OK))["metadata"]!["resourceVersion"]!;

    /// <summary>Watches one object until the condition holds (its current state counts).</summary>
    public static async Task<JsonObject> WaitFor(this HttpClient c, string listPath, string name, Func<JsonObject, bool> condition, int timeoutSeconds = 20)
    {
        var list = await c.GetAsync($"{listPath}?fieldSelector=metadata.name%3D{name}").Expect(HttpStatusCode.OK);
        foreach (var item in list["items"]!.AsArray())
            if (condition((JsonObject)item!)) return (JsonObject)item!;
        using var watch = await c.Watch($"{listPath}?watch=true&fieldSelector=metadata.name%3D{name}&resourceVersion={list.Rv()}", timeoutSeconds: timeoutSeconds);
        while (await watch.Next() is { } ev)
        {
            var obj = (JsonObject)ev["object"]!;
            if (condition(obj)) return obj;
        }
        throw new TimeoutException($"{name} never met the condition");
    }

    /// <summary>Returns once the object is gone (a DELETED event, or already absent).</summary>
    public static async Task WaitGone(this HttpClient c, string listPath, string name, int timeoutSeconds = 20)
    {
        var list = await c.GetAsync($"{listPath}?fieldSelector=metadata.name%3D{name}").Expect(HttpStatusCode.OK);
        if (list["items"]!.AsArray().Count == 0) return;
        using var watch = await c.Watch($"{listPath}?watch=true&fieldSelector=metadata.name%3D{name}&resourceVersion={list.Rv()}", timeoutSeconds: timeoutSeconds);
        while (await watch.Next() is { } ev)
            if ((string?)ev["type"] == "DELETED") return;
        throw new TimeoutException($"{name} was never deleted");
    }
}

/// <summary>The events of one watch stream, one JSON line each.</summary>
public sealed class WatchReader(Task<HttpResponseMessage> responseTask, CancellationTokenSource cts) : IDisposable
{
    StreamReader? reader;

    /// <summary>The response (its headers), once the server has started it.</summary>
    public Task<HttpResponseMessage> Response => responseTask.WaitAsync(cts.Token);

    /// <summary>The next event, or null when the stream ends (or the test's deadline passes).</summary>
    public async Task<JsonObject?> Next()
    {
        try
        {
            if (reader is null)
            {
                var response = await Response;
                // Only a failed watch is read to its end: an interpolated message would be evaluated (and the
                // endless stream buffered until the server closes it) even when the assertion holds.
                if (!response.IsSuccessStatusCode)
                    Assert.Fail($"watch failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            }
            // WaitAsync: the in-process test server's response stream does not observe cancellation itself.
            var line = await reader.ReadLineAsync(cts.Token).AsTask().WaitAsync(cts.Token);
            return line is null ? null : (JsonObject)JsonNode.Parse(line)!;
        }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>The next event, which must exist.</summary>
    public async Task<JsonObject> Expect()
    {
        var ev = await Next();
        Assert.True(ev is not null, "the watch ended before the expected event");
        return ev!;
    }

    /// <summary>Ends the watch. Closing an in-process response runs the server's abort callbacks on the
    /// closing thread, so it is done off the test's thread.</summary>
    public void Dispose()
    {
        var r = reader;
        _ = Task.Run(async () =>
        {
            cts.Cancel();
            r?.Dispose();
            try { (await responseTask).Dispose(); } catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
            cts.Dispose();
        });
    }
}
