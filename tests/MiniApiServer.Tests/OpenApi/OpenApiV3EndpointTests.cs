using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Api.OpenApi;

namespace MiniApiServer.Tests.OpenApi;

/// <summary>A real ASP.NET Core host serving only /openapi/v3, shared by the endpoint tests.</summary>
public sealed class OpenApiHost : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    WebApplication? _app;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        foreach (var d in OpenApiTestKinds.All) builder.Services.AddSingleton(d);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        _app = builder.Build();
        _app.MapOpenApiV3();
        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

public class OpenApiV3EndpointTests(OpenApiHost host) : IClassFixture<OpenApiHost>
{
    HttpClient Client => host.Client;

    async Task<string> CurrentUrl(string key)
    {
        var root = JsonNode.Parse(await Client.GetStringAsync("/openapi/v3"))!;
        return root["paths"]![key]!["serverRelativeURL"]!.GetValue<string>();
    }

    [Fact]
    public async Task RootMapsEachGroupVersionToAHashedUrl()
    {
        var root = JsonNode.Parse(await Client.GetStringAsync("/openapi/v3"))!;

        Assert.Equal(["api/v1", "apis/rbac.authorization.k8s.io/v1"], root["paths"]!.AsObject().Select(p => p.Key));
        Assert.Matches("^/openapi/v3/api/v1\\?hash=[0-9A-F]{128}$", root["paths"]!["api/v1"]!["serverRelativeURL"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheHashIsTheSha512OfTheDocument()
    {
        var url = await CurrentUrl("api/v1");
        var body = await Client.GetByteArrayAsync(url);

        Assert.EndsWith("hash=" + Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(body)), url);
    }

    [Fact]
    public async Task HashedRequestsAreCacheableForAYear()
    {
        var url = await CurrentUrl("api/v1");
        using var response = await Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal(OpenApiHost.Now.AddYears(1), response.Content.Headers.Expires);
        Assert.Equal($"\"{url[(url.IndexOf("hash=", StringComparison.Ordinal) + 5)..]}\"", response.Headers.ETag!.Tag);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Fact]
    public async Task UnhashedRequestsAreServedWithoutLongCaching()
    {
        using var response = await Client.GetAsync("/openapi/v3/apis/rbac.authorization.k8s.io/v1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.CacheControl);
        Assert.NotNull(response.Headers.ETag);
        var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(doc["paths"]!["/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"]!["patch"]);
    }

    [Theory]
    [InlineData("/openapi/v3")]
    [InlineData("/openapi/v3/api/v1")]
    public async Task AMatchingIfNoneMatchGets304(string path)
    {
        using var first = await Client.GetAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ADifferentIfNoneMatchGetsTheDocument()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"ABC\""));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AStaleHashIsRedirectedToTheCurrentOne()
    {
        using var response = await Client.GetAsync("/openapi/v3/api/v1?hash=0123");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(await CurrentUrl("api/v1"), response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task KubectlsAcceptHeadersGetJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, await CurrentUrl("api/v1"));
        request.Headers.Accept.ParseAdd("application/json, */*");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ProtobufOnlyIsNotAcceptable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        request.Headers.Accept.ParseAdd("application/com.github.proto-openapi.spec.v3.v1.0+protobuf");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task AnUnservedGroupVersionIsAStatus404()
    {
        using var response = await Client.GetAsync("/openapi/v3/apis/apps/v1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal(404, status["code"]!.GetValue<int>());
    }
}
