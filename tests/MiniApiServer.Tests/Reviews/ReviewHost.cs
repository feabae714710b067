using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Reviews;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Tests.Reviews;

/// <summary>
/// The review APIs on a minimal in-memory host: the request "arrives authenticated" as <see cref="User"/>, errors
/// become Status bodies as on the request road, and tokens are reviewed through <see cref="TokenUnionReviewer"/>.
/// </summary>
internal sealed class ReviewHost : IAsyncDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    readonly WebApplication app;
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public UserInfo User { get; set; } = new("alice", "", ["devs"], UserInfo.NoExtra);
    public HttpClient Client { get; }

    ReviewHost(ITokenAuthenticator tokens, IReadOnlyList<string> apiAudiences, bool anonymous)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddSingleton<ITokenReviewer>(new TokenUnionReviewer(tokens, apiAudiences, anonymous));
        builder.Services.AddRouting();
        app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                context.SetUser(User);
                await next(context);
            }
            catch (ApiException e) when (!context.Response.HasStarted)
            {
                await Negotiation.WriteStatusAsync(context, e.Status);
            }
        });
        app.MapReviewApis();
        app.StartAsync().GetAwaiter().GetResult();
        Client = app.GetTestClient();
    }

    public static ReviewHost Start(ITokenAuthenticator? tokens = null, IReadOnlyList<string>? apiAudiences = null, bool anonymous = true) =>
        new(tokens ?? new FakeTokens(), apiAudiences ?? [Issuer], anonymous);

    public async Task<(int Code, string Body, HttpResponseMessage Response)> PostAsync(string path, string body, string contentType = "application/json")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await Client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<(int Code, string Body)> PostBytesAsync(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await Client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
    }
}

/// <summary>A token union with fixed answers; it records the audiences each call was limited to.</summary>
internal sealed class FakeTokens : ITokenAuthenticator
{
    public Dictionary<string, AuthenticationResult> Answers { get; } = [];
    public List<IReadOnlyList<string>?> SeenAudiences { get; } = [];
    public string Name => "union";

    public ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        SeenAudiences.Add(TokenAudiences.Current);
        return ValueTask.FromResult(Answers.TryGetValue(token, out var r) ? r : AuthenticationResult.NotMine(Name));
    }
}
