using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication.Webhook;

namespace MiniApiServer.Tests.Authentication.Webhook;

/// <summary>
/// A webhook behind an injected <see cref="HttpMessageHandler"/>: every request is recorded (and announced on
/// <see cref="Calls"/>), and answered by the next scripted answer (the last one repeats).
/// </summary>
public sealed class FakeWebhook : HttpMessageHandler
{
    readonly Queue<Func<HttpResponseMessage>> script = new();
    Func<HttpResponseMessage>? last;
    readonly Channel<JsonObject> calls = Channel.CreateUnbounded<JsonObject>();

    public List<JsonObject> Requests { get; } = [];
    public List<HttpRequestMessage> Messages { get; } = [];
    public ChannelReader<JsonObject> Calls => calls.Reader;
    public int Count { get { lock (Requests) return Requests.Count; } }
    /// <summary>When set, a request waits for this task before it is answered (a webhook that hangs).</summary>
    public TaskCompletionSource? Hang { get; set; }

    public FakeWebhook Then(Func<HttpResponseMessage> answer) { script.Enqueue(answer); return this; }
    public FakeWebhook ThenStatus(HttpStatusCode code, string body = "", string contentType = "application/json", int? retryAfter = null) => Then(() =>
    {
        var r = new HttpResponseMessage(code) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (retryAfter is { } s) r.Headers.Add("Retry-After", s.ToString());
        return r;
    });
    public FakeWebhook ThenReview(string status, string apiVersion = "authentication.k8s.io/v1beta1") =>
        ThenStatus(HttpStatusCode.OK, $$"""{"apiVersion":"{{apiVersion}}","kind":"TokenReview","status":{{status}}}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
        lock (Requests) { Requests.Add(body); Messages.Add(request); }
        calls.Writer.TryWrite(body);
        if (Hang is { } hang) await hang.Task.WaitAsync(cancellationToken);
        Func<HttpResponseMessage> answer;
        lock (script) answer = last = script.Count > 0 ? script.Dequeue() : last ?? throw new InvalidOperationException("no scripted answer");
        return answer();
    }

    /// <summary>Waits for the next call (bounded, so a broken test fails instead of hanging).</summary>
    public async Task<JsonObject> NextCallAsync() =>
        await calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public static WebhookTokenOptions Options(string version = "v1beta1", TimeSpan? ttl = null) => new(
        "/fake/webhook.kubeconfig",
        new WebhookKubeconfig { Server = new Uri("https://webhook.example/authenticate?x=1") },
        ttl ?? TimeSpan.FromMinutes(2),
        version);

    /// <summary>The authenticator over this fake, with no waits between retries unless a schedule is given.</summary>
    internal WebhookTokenAuthenticator Authenticator(FakeTimeProvider time, string version = "v1beta1", IReadOnlyList<string>? apiAudiences = null,
        TimeSpan? ttl = null, WebhookRetryBackoff? backoff = null) =>
        WebhookTokenAuthenticatorFactory.Create(Options(version, ttl), apiAudiences ?? [], time, NullLoggerFactory.Instance, this,
            backoff ?? new WebhookRetryBackoff(TimeSpan.Zero, 1.5, 0, 5));
}

/// <summary>A fake clock that announces every timer created on it (with its due time), so a test can wait for a back-off to start.</summary>
public sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    readonly Channel<TimeSpan> timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer due in <paramref name="dueTime"/> exists.</summary>
    public async Task TimerCreatedAsync(TimeSpan dueTime)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await timers.Reader.ReadAsync(cts.Token) != dueTime) { }
    }
}
