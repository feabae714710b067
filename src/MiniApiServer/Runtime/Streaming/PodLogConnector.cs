using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;
using MiniApiServer.Runtime.Containers;

namespace MiniApiServer.Runtime.Streaming;

/// <summary>
/// pods/log (kube's LogREST, the kubelet's containerLogs behind it): the options are validated as
/// ValidatePodLogOptions does (422 PodLogOptions), the container chosen as LogLocation does, the instance as the
/// kubelet's validateContainerLogStatus does (current, the last terminated while in back-off, or the previous
/// with previous=true). The lines are filtered by sinceSeconds/sinceTime, cut to tailLines, prefixed with
/// RFC 3339 nanosecond timestamps, capped at limitBytes; with follow the stream stays open until the instance
/// ends or the client leaves.
/// </summary>
public sealed class PodLogConnector(ResourceRest rest, PodRuntime runtime, TimeProvider time) : ISubresourceConnector
{
    public string Resource => "pods";
    public string Subresource => "log";

    sealed record LogOptions(string? Container, bool Follow, bool Previous, bool Timestamps, long? TailLines, long? LimitBytes, long? SinceSeconds, DateTimeOffset? SinceTime);

    public async Task ConnectAsync(HttpContext context, string ns, string name)
    {
        var options = Parse(context.Request.Query, name);
        var pod = rest.Get(PodStrategy.Definition, ns, name);
        var container = ContainerChoice.For(pod, options.Container);
        context.Response.ContentType = "text/plain";
        // No node yet: kube's LogLocation has nowhere to go and the answer is empty.
        if (string.IsNullOrEmpty(pod.Str("spec", "nodeName")))
        {
            context.Response.StatusCode = 200;
            return;
        }
        var sandbox = runtime.Find(ResourceRest.Key(PodStrategy.Definition, ns, name), pod.Uid());
        var slot = sandbox?.Container(container);
        ContainerInstance? instance;
        if (slot is null)
        {
            if (pod.Str("status", "phase") is "Succeeded" or "Failed")
            {
                // The node no longer holds the logs (the server restarted since).
                context.Response.StatusCode = 200;
                return;
            }
            throw StatusErrors.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating");
        }
        if (options.Previous)
        {
            instance = slot.RestartAt is not null && slot.Current is { Running: false } ? slot.Current : slot.Previous;
            if (instance is null) throw StatusErrors.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
        }
        else
        {
            instance = slot.Current ?? throw StatusErrors.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {slot.Waiting?.Reason ?? "ContainerCreating"}");
        }
        context.Response.StatusCode = 200;
        await StreamAsync(context, instance.Log, options);
    }

    async Task StreamAsync(HttpContext context, ContainerLog log, LogOptions o)
    {
        var ct = context.RequestAborted;
        var since = o.SinceTime ?? (o.SinceSeconds is { } s ? time.GetUtcNow() - TimeSpan.FromSeconds(s) : (DateTimeOffset?)null);
        var (lines, closed, changed) = log.Read(0);
        IEnumerable<LogLine> first = lines.Where(l => since is null || l.Time >= since);
        if (o.TailLines is { } tail) first = first.TakeLast((int)Math.Min(tail, int.MaxValue));
        var left = o.LimitBytes ?? long.MaxValue;
        var next = lines.Count > 0 ? lines[^1].Sequence + 1 : 0;
        (left, var more) = await WriteAsync(context, first, o.Timestamps, left, ct);
        if (!more || !o.Follow) return;
        await context.Response.Body.FlushAsync(ct);
        while (!closed)
        {
            try { await changed.WaitAsync(ct); }
            catch (OperationCanceledException) { return; }
            (lines, closed, changed) = log.Read(next);
            if (lines.Count > 0) next = lines[^1].Sequence + 1;
            (left, more) = await WriteAsync(context, lines, o.Timestamps, left, ct);
            if (!more) return;
            await context.Response.Body.FlushAsync(ct);
        }
    }

    /// <summary>The bytes of the lines within the byte budget, the budget left, and whether it is not yet spent.</summary>
    static (byte[] Bytes, long Left, bool More) Render(IEnumerable<LogLine> lines, bool timestamps, long left)
    {
        var buffer = new MemoryStream();
        foreach (var line in lines)
        {
            var bytes = timestamps ? [.. Encoding.ASCII.GetBytes(Timestamp(line.Time) + " "), .. line.Bytes] : line.Bytes;
            if (bytes.Length >= left)
            {
                buffer.Write(bytes, 0, (int)left);
                return (buffer.ToArray(), 0, false);
            }
            buffer.Write(bytes);
            left -= bytes.Length;
        }
        return (buffer.ToArray(), left, true);
    }

    static async Task<(long Left, bool More)> WriteAsync(HttpContext context, IEnumerable<LogLine> lines, bool timestamps, long left, CancellationToken ct)
    {
        var (bytes, rest, more) = Render(lines, timestamps, left);
        if (bytes.Length > 0) await context.Response.Body.WriteAsync(bytes, ct);
        return (rest, more);
    }

    /// <summary>The kubelet's log timestamp: RFC 3339 with nine fractional digits, UTC.</summary>
    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    static LogOptions Parse(IQueryCollection q, string name)
    {
        long? Long(string key)
        {
            var v = q[key].ToString();
            if (v.Length == 0) return null;
            return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw StatusErrors.BadRequest($"invalid value for {key}: strconv.ParseInt: parsing \"{v}\": invalid syntax");
        }
        bool Bool(string key) => q[key].ToString() is "true" or "1" or "True";
        DateTimeOffset? sinceTime = null;
        if (q["sinceTime"].ToString() is { Length: > 0 } st)
            sinceTime = DateTimeOffset.TryParse(st, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
                : throw StatusErrors.BadRequest($"invalid value for sinceTime: parsing time \"{st}\" as RFC3339");
        var o = new LogOptions(q["container"].ToString(), Bool("follow"), Bool("previous"), Bool("timestamps"), Long("tailLines"), Long("limitBytes"), Long("sinceSeconds"), sinceTime);
        var errors = new List<FieldError>();
        if (o.TailLines is < 0) errors.Add(FieldError.Invalid("tailLines", o.TailLines, "must be greater than or equal to 0"));
        if (o.LimitBytes is < 1) errors.Add(FieldError.Invalid("limitBytes", o.LimitBytes, "must be greater than 0"));
        if (o.SinceSeconds is not null && o.SinceTime is not null) errors.Add(FieldError.Forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        if (o.SinceSeconds is < 1) errors.Add(FieldError.Invalid("sinceSeconds", o.SinceSeconds, "must be greater than 0"));
        if (errors.Count > 0) throw StatusErrors.Invalid("", "PodLogOptions", name, errors);
        return o;
    }
}
