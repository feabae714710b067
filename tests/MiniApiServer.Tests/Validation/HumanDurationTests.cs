using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Api.Tables;

namespace MiniApiServer.Tests.Validation;

/// <summary>
/// The AGE column (apimachinery duration.HumanDuration). Kept beside the validation tests because this
/// helper's owner was given no Tables test folder.
/// </summary>
public class HumanDurationTests
{
    public static TheoryData<TimeSpan, string> Table => new()
    {
        { TimeSpan.Zero, "0s" },
        { TimeSpan.FromMilliseconds(1900), "1s" },
        { TimeSpan.FromSeconds(59), "59s" },
        { TimeSpan.FromSeconds(119), "119s" },
        { TimeSpan.FromMinutes(2), "2m" },
        { new TimeSpan(0, 5, 3), "5m3s" },
        { new TimeSpan(0, 9, 59), "9m59s" },
        { TimeSpan.FromMinutes(10), "10m" },
        { new TimeSpan(0, 10, 30), "10m" },
        { TimeSpan.FromMinutes(65), "65m" },
        { TimeSpan.FromMinutes(179), "179m" },
        { TimeSpan.FromHours(3), "3h" },
        { new TimeSpan(3, 5, 0), "3h5m" },
        { new TimeSpan(7, 59, 59), "7h59m" },
        { TimeSpan.FromHours(8), "8h" },
        { new TimeSpan(47, 59, 0), "47h" },
        { TimeSpan.FromHours(48), "2d" },
        { new TimeSpan(2, 3, 0, 0), "2d3h" },
        { new TimeSpan(7, 23, 59, 0), "7d23h" },
        { TimeSpan.FromDays(8), "8d" },
        { TimeSpan.FromDays(729), "729d" },
        { TimeSpan.FromDays(730), "2y" },
        { TimeSpan.FromDays(733), "2y3d" },
        { TimeSpan.FromDays(365 * 8 - 1), "7y364d" },
        { TimeSpan.FromDays(365 * 8), "8y" },
        { TimeSpan.FromDays(365 * 20 + 100), "20y" },
        // Up to a second in the future is clock skew and shows as now; further is invalid.
        { TimeSpan.FromMilliseconds(-500), "0s" },
        { TimeSpan.FromMilliseconds(-1999), "0s" },
        { TimeSpan.FromSeconds(-2), "<invalid>" },
    };

    [Theory, MemberData(nameof(Table))]
    public void FormatsWithKubesThresholds(TimeSpan d, string expected) => Assert.Equal(expected, HumanDuration.Format(d));

    [Fact]
    public void SinceUsesTheInjectedClockAndKnowsMissingTimestamps()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal("5m3s", HumanDuration.Since(new DateTimeOffset(2024, 5, 1, 11, 54, 57, TimeSpan.Zero), clock));
        Assert.Equal("<unknown>", HumanDuration.Since(null, clock));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("65m", HumanDuration.Since(new DateTimeOffset(2024, 5, 1, 11, 55, 0, TimeSpan.Zero), clock));
    }
}
