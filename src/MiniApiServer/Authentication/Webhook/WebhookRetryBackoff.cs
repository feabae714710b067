namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// k8s.io/apiserver's webhook retry (<c>pkg/util/webhook.WithExponentialBackoff</c> over apimachinery's
/// <c>wait.ExponentialBackoffWithContext</c>): up to <see cref="Steps"/> calls; after a retriable failure it
/// waits <see cref="Initial"/>, then ×<see cref="Factor"/> each time, each wait lengthened by a random
/// fraction up to <see cref="Jitter"/>; no wait after the last call. When every call failed, the last
/// webhook error is the answer.
/// </summary>
public sealed record WebhookRetryBackoff(TimeSpan Initial, double Factor, double Jitter, int Steps)
{
    /// <summary>kube-apiserver's token webhook: <c>DefaultRetryBackoffWithInitialDelay(500ms)</c> = 500 ms, ×1.5, jitter 0.2, 5 steps.</summary>
    public static WebhookRetryBackoff Default { get; } = new(TimeSpan.FromMilliseconds(500), 1.5, 0.2, 5);

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails for good, or the steps run out.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, TimeProvider time, Func<double> random, CancellationToken ct)
    {
        var steps = Math.Max(1, Steps);
        var duration = Initial;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                return await call(ct);
            }
            catch (WebhookCallException e) when (e.Retriable && attempt < steps)
            {
                // Go's arithmetic on nanosecond Durations (here: ticks), truncating: Duration(float64(d) * factor).
                var wait = Jitter > 0 ? duration + TimeSpan.FromTicks((long)(random() * Jitter * duration.Ticks)) : duration;
                duration = TimeSpan.FromTicks((long)(duration.Ticks * Factor));
                await Task.Delay(wait, time, ct);
            }
        }
    }
}

/// <summary>A failed call to the webhook, with whether kube's <c>DefaultShouldRetry</c> would try again.</summary>
public sealed class WebhookCallException(string message, bool retriable) : Exception(message)
{
    public bool Retriable { get; } = retriable;
}
