using NodaTime;
using NodaTime.Text;
using Renewals.Core.Hosting;

namespace Renewals.Web.Tests;

/// <summary>When the hosted engine wakes up: the next start of a day in the accounts' zones (instants worked out by hand).</summary>
public sealed class EngineScheduleTests
{
    private static Instant At(string text) => InstantPattern.General.Parse(text).Value;

    private static DateTimeZone Zone(string id) => DateTimeZoneProviders.Tzdb[id];

    [Theory]
    // Paris at 01:30 on the night clocks go forward (28 March 2027): its next day starts 29 March 00:00 CEST = 22:00Z;
    // New York is still on 27 March (20:30 EDT), its 28 March starts at 04:00Z: the earlier wins.
    [InlineData("2027-03-28T00:30:00Z", "Europe/Paris,America/New_York", "2027-03-28T04:00:00Z")]
    [InlineData("2027-03-28T00:30:00Z", "Europe/Paris", "2027-03-28T22:00:00Z")]
    // A month end in UTC, and a day that has just begun (the next one is a full day later).
    [InlineData("2027-02-28T23:59:59Z", "Etc/UTC", "2027-03-01T00:00:00Z")]
    [InlineData("2027-03-01T00:00:00Z", "Etc/UTC", "2027-03-02T00:00:00Z")]
    // Leap day in Auckland (UTC+13 in summer): 29 February 2028 starts at 11:00Z on the 28th.
    [InlineData("2028-02-28T10:00:00Z", "Pacific/Auckland", "2028-02-28T11:00:00Z")]
    public void Next_run_is_the_next_start_of_a_day_in_any_zone(string now, string zones, string expected) =>
        Assert.Equal(At(expected), EngineSchedule.NextStartOfDay(At(now), zones.Split(',').Select(Zone)));

    [Fact]
    public void With_no_account_yet_the_engine_wakes_at_midnight_UTC() =>
        Assert.Equal(At("2027-07-01T00:00:00Z"), EngineSchedule.NextStartOfDay(At("2027-06-30T12:00:00Z"), []));
}
