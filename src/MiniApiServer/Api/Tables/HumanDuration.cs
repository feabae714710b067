namespace MiniApiServer.Api.Tables;

/// <summary>
/// apimachinery's <c>duration.HumanDuration</c>, which kube-apiserver's table printers use for the AGE column:
/// exact seconds below 2 minutes, minutes and seconds below 10 minutes, minutes below 3 hours, hours and
/// minutes below 8 hours, hours below 2 days, days and hours below 8 days, days below 2 years, years and
/// days below 8 years, then years. Parts that are zero are left out ("5m", not "5m0s").
/// </summary>
public static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        // Go truncates toward zero at every step (int(d.Seconds()), d / time.Minute); long division does the same.
        var seconds = d.Ticks / TimeSpan.TicksPerSecond;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s"; // up to a second in the future: clock skew, shown as now
        if (seconds < 60 * 2) return $"{seconds}s";

        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3) return $"{minutes}m";

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>
    /// The AGE cell of a table row (the printers' translateTimestampSince): "&lt;unknown&gt;" when the object
    /// has no timestamp, otherwise the time elapsed since it on the server's clock.
    /// </summary>
    public static string Since(DateTimeOffset? timestamp, TimeProvider clock) =>
        timestamp is { } t && t != default ? Format(clock.GetUtcNow() - t) : "<unknown>";
}
