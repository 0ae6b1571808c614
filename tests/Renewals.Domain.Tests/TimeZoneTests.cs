using NodaTime;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Tests;

/// <summary>The deadline is judged on the customer's local date, not on the UTC date.</summary>
public sealed class TimeZoneTests
{
    private static Subscription In(string zone) => new SubscriptionBuilder().InZone(zone).Build();

    private static Cancellation File(Subscription subscription, string utc) =>
        Cancellation.File(subscription, RenewalPolicy.Default, Notices.AtUtc(utc));

    [Fact]
    public void Notice_at_23_30_utc_on_the_deadline_is_the_next_day_in_paris_and_late()
    {
        var paris = In("Europe/Paris");

        var cancellation = File(paris, "2029-11-16T23:30:00Z");

        Assert.Equal(Dates.Parse("2029-11-17"), paris.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.False(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2031-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_at_23_30_utc_on_the_deadline_is_still_the_deadline_in_new_york_and_on_time()
    {
        var newYork = In("America/New_York");

        var cancellation = File(newYork, "2029-11-16T23:30:00Z");

        Assert.Equal(Dates.Parse("2029-11-16"), newYork.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_at_01_00_utc_the_day_after_the_deadline_is_still_the_deadline_in_new_york()
    {
        var cancellation = File(In("America/New_York"), "2029-11-17T01:00:00Z");

        Assert.True(cancellation.IsOnTime);
    }

    [Fact]
    public void Notice_at_22_30_utc_on_the_deadline_is_still_the_deadline_in_paris() =>
        Assert.True(File(In("Europe/Paris"), "2029-11-16T22:30:00Z").IsOnTime);

    [Fact]
    public void Notice_at_23_00_utc_on_the_deadline_is_midnight_in_paris_and_late() =>
        Assert.False(File(In("Europe/Paris"), "2029-11-16T23:00:00Z").IsOnTime);

    [Fact]
    public void Notice_at_10_30_utc_on_the_deadline_is_23_30_in_auckland_and_on_time()
    {
        // New Zealand daylight time in November: UTC+13.
        var auckland = In("Pacific/Auckland");

        var cancellation = File(auckland, "2029-11-16T10:30:00Z");

        Assert.Equal(Dates.Parse("2029-11-16"), auckland.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.True(cancellation.IsOnTime);
    }

    [Fact]
    public void Notice_at_11_30_utc_on_the_deadline_is_already_the_next_day_in_auckland_and_late()
    {
        var auckland = In("Pacific/Auckland");

        var cancellation = File(auckland, "2029-11-16T11:30:00Z");

        Assert.Equal(Dates.Parse("2029-11-17"), auckland.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.False(cancellation.IsOnTime);
    }

    [Fact]
    public void Notice_at_10_00_utc_on_the_deadline_is_midnight_the_next_day_in_kiritimati_and_late()
    {
        // Kiritimati is UTC+14 all year.
        var kiritimati = In("Pacific/Kiritimati");

        var cancellation = File(kiritimati, "2029-11-16T10:00:00Z");

        Assert.Equal(Dates.Parse("2029-11-17"), kiritimati.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.False(cancellation.IsOnTime);
    }

    [Fact]
    public void Notice_at_10_30_utc_the_day_before_the_deadline_is_the_deadline_in_kiritimati_and_on_time()
    {
        var kiritimati = In("Pacific/Kiritimati");

        var cancellation = File(kiritimati, "2029-11-15T10:30:00Z");

        Assert.Equal(Dates.Parse("2029-11-16"), kiritimati.LocalDateOf(cancellation.Notice.ReceivedAt));
        Assert.True(cancellation.IsOnTime);
    }

    [Fact]
    public void Notice_at_09_59_utc_on_the_deadline_is_still_the_deadline_in_kiritimati() =>
        Assert.True(File(In("Pacific/Kiritimati"), "2029-11-16T09:59:00Z").IsOnTime);

    [Fact]
    public void Notice_received_late_evening_utc_before_day_one_is_already_day_one_in_auckland()
    {
        // 2027-01-14T12:00Z is 2027-01-15 01:00 in Auckland (UTC+13): day one.
        var cancellation = File(In("Pacific/Auckland"), "2027-01-14T12:00:00Z");

        Assert.Equal(1, cancellation.ReceivedInTerm.Number);
    }

    [Fact]
    public void Notice_received_on_day_one_in_utc_is_before_day_one_in_honolulu() =>
        Refused.With(DomainErrors.NoticeBeforeStart, () => File(In("Pacific/Honolulu"), "2027-01-15T05:00:00Z"));

    [Fact]
    public void Withdrawal_on_the_effective_end_date_is_judged_on_the_customers_local_date()
    {
        var auckland = In("Pacific/Auckland");
        var cancellation = File(auckland, "2029-11-01T00:00:00Z");

        // 2030-01-14T10:59Z is 23:59 on 14 January in Auckland: still before the end.
        Assert.True(cancellation.Withdraw(Dates.Utc("2030-01-14T10:59:00Z")).IsWithdrawn);
        // 2030-01-14T11:00Z is midnight on 15 January in Auckland: the notice took effect.
        Refused.With(DomainErrors.WithdrawalAfterEffect, () => cancellation.Withdraw(Dates.Utc("2030-01-14T11:00:00Z")));
    }

    [Fact]
    public void Withdrawal_late_on_the_last_day_in_new_york_is_before_the_effect_even_if_utc_is_the_next_day()
    {
        var newYork = In("America/New_York");
        var cancellation = File(newYork, "2029-11-01T12:00:00Z");

        var withdrawn = cancellation.Withdraw(Dates.Utc("2030-01-15T03:00:00Z"));

        Assert.True(withdrawn.IsWithdrawn);
    }

    [Fact]
    public void The_local_date_of_an_instant_follows_the_customer_zone_across_a_daylight_saving_change()
    {
        var paris = In("Europe/Paris");

        // Summer time: UTC+2; winter time: UTC+1.
        Assert.Equal(Dates.Parse("2029-07-02"), paris.LocalDateOf(Dates.Utc("2029-07-01T22:30:00Z")));
        Assert.Equal(Dates.Parse("2029-12-01"), paris.LocalDateOf(Dates.Utc("2029-12-01T22:30:00Z")));
    }

    [Fact]
    public void A_subscription_keeps_the_time_zone_it_was_given() =>
        Assert.Equal(DateTimeZoneProviders.Tzdb["Asia/Tokyo"], In("Asia/Tokyo").TimeZone);

    [Theory]
    // A step falls due at the start of its local day; the deadline once its day is over.
    [InlineData("Europe/Paris", "reminder", "2029-11-16", "2029-11-15T23:00:00Z")]
    [InlineData("Europe/Paris", "deadline", "2029-11-16", "2029-11-16T23:00:00Z")]
    // 29 February: the deadline's day ends at midnight starting 1 March.
    [InlineData("Europe/Paris", "deadline", "2028-02-29", "2028-02-29T23:00:00Z")]
    // The night summer time starts in Paris (25 March 2029) still begins at 00:00 CET.
    [InlineData("Europe/Paris", "deadline", "2029-03-24", "2029-03-24T23:00:00Z")]
    // The day after the deadline starts on the other side of the date line.
    [InlineData("Pacific/Auckland", "deadline", "2029-11-16", "2029-11-16T11:00:00Z")]
    [InlineData("America/New_York", "deadline", "2029-12-31", "2030-01-01T05:00:00Z")]
    public void A_step_falls_due_at_the_start_of_its_day_and_the_deadline_once_its_day_is_over(string zone, string kind, string date, string expectedUtc)
    {
        var milestone = new Timeline.Milestone(1, kind == "deadline" ? Timeline.MilestoneKind.CancellationDeadline : Timeline.MilestoneKind.Reminder,
            kind == "deadline" ? 0 : 60, Dates.Parse(date), new Timeline.MilestoneReason("x"));

        Assert.Equal(NodaTime.Text.InstantPattern.General.Parse(expectedUtc).Value, milestone.FallsDueAt(DateTimeZoneProviders.Tzdb[zone]));
    }
}
