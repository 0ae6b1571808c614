using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>Starts at month ends and reminders that cross month and year boundaries.</summary>
public sealed class MonthEndTests
{
    private static TermTimeline Initial(string start, int years, RenewalPolicy? policy = null) =>
        RenewalTimeline.ForTerm(new SubscriptionBuilder().Starting(start).ForYears(years).Build(), policy ?? RenewalPolicy.Default, 1);

    private static string Iso(MilestoneKind kind, TermTimeline timeline, int variant = 0) =>
        timeline.Find(kind, variant).Date.ToString("yyyy-MM-dd", null);

    [Theory]
    // start, years, check-in, reminder-120, reminder-60 (= deadline), anniversary
    [InlineData("2027-01-31", 1, "2027-05-01", "2027-10-03", "2027-12-02", "2028-01-31")]
    [InlineData("2027-03-31", 1, "2027-06-29", "2027-12-02", "2028-01-31", "2028-03-31")]
    [InlineData("2027-05-31", 2, "2027-08-29", "2029-01-31", "2029-04-01", "2029-05-31")]
    [InlineData("2027-08-31", 1, "2027-11-29", "2028-05-03", "2028-07-02", "2028-08-31")]
    [InlineData("2027-10-31", 3, "2028-01-29", "2030-07-03", "2030-09-01", "2030-10-31")]
    [InlineData("2027-11-30", 1, "2028-02-28", "2028-08-02", "2028-10-01", "2028-11-30")]
    [InlineData("2027-12-31", 1, "2028-03-30", "2028-09-02", "2028-11-01", "2028-12-31")]
    [InlineData("2027-01-01", 1, "2027-04-01", "2027-09-03", "2027-11-02", "2028-01-01")]
    public void Milestones_of_month_end_and_year_start_subscriptions_fall_on_calendar_day_offsets(
        string start, int years, string checkIn, string reminder120, string reminder60, string anniversary)
    {
        var timeline = Initial(start, years);

        Assert.Equal(start, Iso(MilestoneKind.DayOne, timeline));
        Assert.Equal(checkIn, Iso(MilestoneKind.CheckIn, timeline));
        Assert.Equal(reminder120, Iso(MilestoneKind.Reminder, timeline, 120));
        Assert.Equal(reminder60, Iso(MilestoneKind.Reminder, timeline, 60));
        Assert.Equal(reminder60, Iso(MilestoneKind.CancellationDeadline, timeline));
        Assert.Equal(anniversary, Iso(MilestoneKind.Anniversary, timeline));
    }

    [Fact]
    public void A_31_january_start_renews_on_31_january_every_year()
    {
        var subscription = new SubscriptionBuilder().Starting("2027-01-31").ForYears(1).Build();

        Assert.Equal(
            ["2028-01-31", "2029-01-31", "2030-01-31", "2031-01-31"],
            Enumerable.Range(1, 4).Select(n => subscription.Term(n).End.ToString("yyyy-MM-dd", null)));
    }

    [Fact]
    public void Reminder_60_days_before_a_31_march_renewal_in_a_leap_year_is_31_january() =>
        Assert.Equal("2028-01-31", Iso(MilestoneKind.Reminder, Initial("2027-03-31", 1), 60));

    [Fact]
    public void Reminder_60_days_before_a_1_march_renewal_after_a_common_february_is_31_december() =>
        Assert.Equal("2028-12-31", Iso(MilestoneKind.Reminder, Initial("2028-03-01", 1), 60));

    [Fact]
    public void Short_reminders_before_a_31_august_renewal_stay_in_august()
    {
        var timeline = Initial("2027-08-31", 1, new RenewalPolicy(reminderDays: [30, 1]));

        Assert.Equal("2028-08-01", Iso(MilestoneKind.Reminder, timeline, 30));
        Assert.Equal("2028-08-30", Iso(MilestoneKind.Reminder, timeline, 1));
    }

    [Fact]
    public void A_one_day_reminder_before_a_1_january_renewal_falls_on_31_december() =>
        Assert.Equal("2027-12-31", Iso(MilestoneKind.Reminder, Initial("2027-01-01", 1, new RenewalPolicy(reminderDays: [1])), 1));

    [Fact]
    public void A_90_day_partner_notice_before_a_1_january_renewal_puts_the_deadline_in_october()
    {
        var subscription = new SubscriptionBuilder().Starting("2027-01-01").ForYears(1).ThroughPartner(90).Build();

        var deadline = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1).Find(MilestoneKind.CancellationDeadline);

        Assert.Equal(Dates.Parse("2027-10-03"), deadline.Date);
    }

    [Fact]
    public void A_check_in_of_364_days_after_a_31_december_start_stays_in_the_first_year()
    {
        var timeline = Initial("2027-12-31", 1, new RenewalPolicy(checkInDays: 364));

        Assert.Equal("2028-12-29", Iso(MilestoneKind.CheckIn, timeline));
        Assert.True(timeline.Term.Contains(timeline.Find(MilestoneKind.CheckIn).Date));
    }

    [Fact]
    public void A_364_day_reminder_falls_the_day_after_the_start_of_a_365_day_term() =>
        Assert.Equal("2027-02-01", Iso(MilestoneKind.Reminder, Initial("2027-01-31", 1, new RenewalPolicy(reminderDays: [364])), 364));
}
