using NodaTime;
using NodaTime.Text;
using Renewals.Domain.Engagement;

namespace Renewals.Domain.Tests;

/// <summary>A callback is due the next business day at the same local time; expected moments worked out by hand from a calendar.</summary>
public sealed class CallbackDueTests
{
    private static ZonedDateTime At(string local, string zone) =>
        LocalDateTimePattern.GeneralIso.Parse(local).Value.InZoneStrictly(DateTimeZoneProviders.Tzdb[zone]);

    private static Instant Utc(string text) => InstantPattern.General.Parse(text).Value;

    [Theory]
    [InlineData("2027-03-03T10:15:00", "2027-03-04T10:15:00")] // Wednesday -> Thursday
    [InlineData("2027-03-05T18:45:00", "2027-03-08T18:45:00")] // Friday evening -> Monday
    [InlineData("2027-03-05T23:59:00", "2027-03-08T23:59:00")] // Friday a minute before midnight -> Monday
    [InlineData("2027-03-06T09:00:00", "2027-03-08T09:00:00")] // Saturday -> Monday
    [InlineData("2027-03-07T21:00:00", "2027-03-08T21:00:00")] // Sunday -> Monday
    [InlineData("2027-04-30T16:00:00", "2027-05-03T16:00:00")] // Friday 30 April, month end -> Monday 3 May
    [InlineData("2027-08-31T11:00:00", "2027-09-01T11:00:00")] // Tuesday month end -> Wednesday 1 September
    [InlineData("2027-12-31T17:30:00", "2028-01-03T17:30:00")] // Friday year end -> Monday 3 January
    [InlineData("2028-02-28T08:00:00", "2028-02-29T08:00:00")] // Monday -> Tuesday 29 February
    [InlineData("2028-02-29T14:00:00", "2028-03-01T14:00:00")] // Tuesday 29 February -> Wednesday 1 March
    [InlineData("2032-02-27T19:00:00", "2032-03-01T19:00:00")] // Friday 27 February 2032 -> Monday 1 March, over the 29th (Sunday)
    public void Next_business_day_at_the_same_local_time(string requested, string due)
    {
        var paris = At(requested, "Europe/Paris");

        var result = CallbackDue.After(paris);

        Assert.Equal(LocalDateTimePattern.GeneralIso.Parse(due).Value, result.LocalDateTime);
        Assert.Equal("Europe/Paris", result.Zone.Id);
    }

    [Fact]
    public void Friday_evening_before_the_spring_change_is_due_monday_at_the_same_local_time_71_hours_later()
    {
        // Paris moves to summer time on Sunday 28 March 2027: Friday 18:00 is 17:00Z, Monday 18:00 is 16:00Z.
        var result = CallbackDue.After(At("2027-03-26T18:00:00", "Europe/Paris"));

        Assert.Equal(Utc("2027-03-29T16:00:00Z"), result.ToInstant());
    }

    [Fact]
    public void Friday_before_the_autumn_change_in_new_york_is_due_monday_73_hours_later()
    {
        // New York goes back to standard time on Sunday 7 November 2027: Friday 09:00 is 13:00Z (EDT), Monday 09:00 is 14:00Z (EST).
        var result = CallbackDue.After(At("2027-11-05T09:00:00", "America/New_York"));

        Assert.Equal(Utc("2027-11-08T14:00:00Z"), result.ToInstant());
    }

    [Fact]
    public void A_local_time_the_change_skips_moves_forward_by_the_gap()
    {
        // Cairo skips 00:00-01:00 on Friday 30 April 2027: Thursday 00:30 (UTC+2) is due Friday 01:30 (UTC+3), 24 hours later.
        var result = CallbackDue.After(At("2027-04-29T00:30:00", "Africa/Cairo"));

        Assert.Equal(Utc("2027-04-29T22:30:00Z"), result.ToInstant());
        Assert.Equal(new LocalDateTime(2027, 4, 30, 1, 30), result.LocalDateTime);
    }

    [Fact]
    public void The_local_date_not_the_utc_date_decides_the_day()
    {
        // Friday 23:30 in Paris is still Friday locally though Saturday has not begun in UTC either; Saturday 00:30 Paris is Friday 23:30Z.
        var saturdayInParis = CallbackDue.After(At("2027-03-06T00:30:00", "Europe/Paris"));

        Assert.Equal(new LocalDate(2027, 3, 8), saturdayInParis.Date);
    }
}
