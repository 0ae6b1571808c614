using NodaTime;
using Renewals.Core.Hosting;

namespace Renewals.Cli.Tests;

public sealed class TimeProviderClockTests
{
    [Fact]
    public void The_clock_reads_the_time_provider_it_was_given()
    {
        var time = new FixedTime(new DateTimeOffset(2028, 2, 29, 23, 30, 0, TimeSpan.FromHours(-5)));

        var clock = new TimeProviderClock(time);

        Assert.Equal(Instant.FromUtc(2028, 3, 1, 4, 30), clock.GetCurrentInstant());
        time.Now = time.Now.AddDays(1);
        Assert.Equal(Instant.FromUtc(2028, 3, 2, 4, 30), clock.GetCurrentInstant());
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }
}
