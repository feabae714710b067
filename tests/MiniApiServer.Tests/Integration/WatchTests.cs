using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.Integration;

/// <summary>Watch streams as kube-apiserver serves them (the watch cache's semantics).</summary>
public sealed class WatchTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    readonly HttpClient admin = server.Admin();

    static (string Type, string Name) Of(JsonObject ev) => ((string)ev["type"]!, (string)ev["object"]!["metadata"]!["name"]!);

    [Fact]
    public async Task FromZeroTheExistingObjectsComeFirstAsAdded()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"a"}}""").Expect(HttpStatusCode.Created);
        await admin.Post(path, """{"metadata":{"name":"b"}}""").Expect(HttpStatusCode.Created);
        // Not the root-CA publisher's kube-root-ca.crt, which every namespace holds.
        using var watch = await admin.Watch($"{path}?watch=true&resourceVersion=0&fieldSelector=metadata.name!%3Dkube-root-ca.crt");
        var first = new[] { Of(await watch.Expect()), Of(await watch.Expect()) }.OrderBy(e => e.Name);
        Assert.Equal([("ADDED", "a"), ("ADDED", "b")], first);
        await admin.Patch($"{path}/a", """{"data":{"x":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        var modified = await watch.Expect();
        Assert.Equal(("MODIFIED", "a"), Of(modified));
        Assert.Equal("ConfigMap", (string?)modified["object"]!["kind"]);
        Assert.Equal("v1", (string?)modified["object"]!["apiVersion"]);
        Assert.Equal("application/json", (await watch.Response).Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ALabelSelectorSeesObjectsEnterAndLeave()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        using var watch = await admin.Watch($"{path}?watch=true&labelSelector=app%3Dx&resourceVersion={await admin.ListRv(path)}");
        await admin.Post(path, """{"metadata":{"name":"a","labels":{"app":"x"}}}""").Expect(HttpStatusCode.Created);
        Assert.Equal(("ADDED", "a"), Of(await watch.Expect()));
        await admin.Post(path, """{"metadata":{"name":"other","labels":{"app":"y"}}}""").Expect(HttpStatusCode.Created);
        await admin.Patch($"{path}/a", """{"metadata":{"labels":{"app":"y"}}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        var left = await watch.Expect();
        Assert.Equal(("DELETED", "a"), Of(left));
        await admin.Patch($"{path}/a", """{"metadata":{"labels":{"app":"x"}}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal(("ADDED", "a"), Of(await watch.Expect()));
        await admin.Patch($"{path}/a", """{"data":{"k":"v"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal(("MODIFIED", "a"), Of(await watch.Expect()));
        await admin.Delete($"{path}/a").Expect(HttpStatusCode.OK);
        Assert.Equal(("DELETED", "a"), Of(await watch.Expect()));
    }

    [Fact]
    public async Task AFieldSelectorSeesAPodEnterTheRunningPhase()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/pods";
        using var watch = await admin.Watch($"{path}?watch=true&fieldSelector=status.phase%3DRunning&resourceVersion={await admin.ListRv(path)}");
        await admin.Post(path, """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""").Expect(HttpStatusCode.Created);
        var ev = await watch.Expect();
        Assert.Equal(("ADDED", "p"), Of(ev));
        Assert.Equal("Running", (string?)ev["object"]!["status"]!["phase"]);
    }

    [Fact]
    public async Task AWatchOfANamespaceSeesOnlyThatNamespace()
    {
        var ns = await admin.NewNamespace();
        var other = await admin.NewNamespace();
        // Only the test's secrets: the tokens controller writes the default account's token Secret at any moment.
        using var watch = await admin.Watch($"/api/v1/namespaces/{ns}/secrets?watch=true&labelSelector=suite%3Dwatch&resourceVersion={await admin.ListRv($"/api/v1/namespaces/{ns}/secrets")}");
        await admin.Post($"/api/v1/namespaces/{other}/secrets", """{"metadata":{"name":"elsewhere","labels":{"suite":"watch"}}}""").Expect(HttpStatusCode.Created);
        await admin.Post($"/api/v1/namespaces/{ns}/secrets", """{"metadata":{"name":"here","labels":{"suite":"watch"}}}""").Expect(HttpStatusCode.Created);
        Assert.Equal(("ADDED", "here"), Of(await watch.Expect()));
    }

    [Fact]
    public async Task TimeoutSecondsEndsTheStream()
    {
        var ns = await admin.NewNamespace();
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dquiet", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var rest = await response.Content.ReadAsStringAsync(cts.Token); // returns only when the server ends the stream
        Assert.Equal("", rest);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ATableWatchSendsColumnDefinitionsOnlyFirst()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await admin.Post(path, """{"metadata":{"name":"a"},"data":{"k":"v"}}""").Expect(HttpStatusCode.Created);
        await admin.Post(path, """{"metadata":{"name":"b"}}""").Expect(HttpStatusCode.Created);
        using var watch = await admin.Watch($"{path}?watch=true&resourceVersion=0&fieldSelector=metadata.name!%3Dkube-root-ca.crt", Api.TableAccept);
        var first = (await watch.Expect())["object"]!;
        Assert.Equal("Table", (string?)first["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)first["apiVersion"]);
        Assert.Equal(["Name", "Data", "Age"], first["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Single(first["rows"]!.AsArray());
        var second = (await watch.Expect())["object"]!;
        Assert.Equal("Table", (string?)second["kind"]);
        Assert.True(second["columnDefinitions"] is null || second["columnDefinitions"]!.AsArray().Count == 0, second.ToJsonString());
        var names = new[] { (string)first["rows"]![0]!["cells"]![0]!, (string)second["rows"]![0]!["cells"]![0]! };
        Assert.Equal(["a", "b"], names.Order());
        Assert.Equal("PartialObjectMetadata", (string?)second["rows"]![0]!["object"]!["kind"]);
    }

    [Fact]
    public async Task AnUnparsableResourceVersionIsBadRequest()
    {
        var ns = await admin.NewNamespace();
        var response = await admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion=abc&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

/// <summary>A server whose store remembers only a few changes, so a watch can start before its history.</summary>
public sealed class SmallHistoryServer : ApiServerFactory
{
    protected override StoreOptions? StoreOptions => new() { HistoryCapacity = 5 };
}

public sealed class WatchHistoryTests(SmallHistoryServer server) : IClassFixture<SmallHistoryServer>
{
    readonly HttpClient admin = server.Admin();

    [Fact]
    public async Task AResourceVersionOlderThanTheHistoryGetsAnExpiredErrorEvent()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var first = await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        for (var i = 0; i < 10; i++)
            await admin.Patch($"{path}/c", "{\"data\":{\"i\":\"" + i + "\"}}", "application/merge-patch+json").Expect(HttpStatusCode.OK);

        using var watch = await admin.Watch($"{path}?watch=true&resourceVersion={first.Rv()}");
        var ev = await watch.Expect();
        Assert.Equal("ERROR", (string?)ev["type"]);
        var status = ev["object"]!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("v1", (string?)status["apiVersion"]);
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("Expired", (string?)status["reason"]);
        Assert.Equal(410, (int?)status["code"]);
        Assert.StartsWith("too old resource version: ", (string?)status["message"]);
        Assert.Null(await watch.Next()); // the stream ends after the error
    }

    [Fact]
    public async Task ARecentResourceVersionStillResumes()
    {
        var ns = await admin.NewNamespace();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var created = await admin.Post(path, """{"metadata":{"name":"c"}}""").Expect(HttpStatusCode.Created);
        // Not the root-CA publisher's kube-root-ca.crt, which may be written into the new namespace meanwhile.
        using var watch = await admin.Watch($"{path}?watch=true&resourceVersion={created.Rv()}&fieldSelector=metadata.name%3Dc");
        await admin.Patch($"{path}/c", """{"data":{"a":"1"}}""", "application/merge-patch+json").Expect(HttpStatusCode.OK);
        Assert.Equal("MODIFIED", (string?)(await watch.Expect())["type"]);
    }
}
