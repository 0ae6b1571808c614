using Renewals.Domain.Amendments;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>
/// Renewal terms longer than a year (issue 14). Every expected date below was worked out by hand
/// on a calendar: anniversaries counted from the original start, a 29 February start falling on
/// 28 February in common years, reminders and deadline counted back from the term's end.
/// </summary>
public sealed class RenewalLengthTests
{
    // Started 29 February 2028 for one year; the first renewal (term 2) lasts two years.
    private static readonly Subscription LeapDay = new SubscriptionBuilder().Starting("2028-02-29").ForYears(1).RenewingFor(2, 2).Build();

    [Theory]
    [InlineData(1, "2028-02-29", "2029-02-28")]
    [InlineData(2, "2029-02-28", "2031-02-28")]
    // Back to one year after the two-year renewal, and back to 29 February in the leap year 2032.
    [InlineData(3, "2031-02-28", "2032-02-29")]
    [InlineData(4, "2032-02-29", "2033-02-28")]
    public void A_two_year_renewal_after_a_leap_day_start_keeps_the_leap_day_rule(int number, string start, string end)
    {
        var term = LeapDay.Term(number);

        Assert.Equal(Dates.Parse(start), term.Start);
        Assert.Equal(Dates.Parse(end), term.End);
    }

    [Fact]
    public void The_key_dates_of_a_two_year_renewal_count_back_from_its_own_end()
    {
        var timeline = RenewalTimeline.ForTerm(LeapDay, RenewalPolicy.Default, 2);

        Assert.Equal(Dates.Parse("2030-10-31"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(Dates.Parse("2030-12-30"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2030-12-30"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
        Assert.Equal(Dates.Parse("2031-02-28"), timeline.Find(MilestoneKind.Anniversary).Date);
        Assert.Equal(4, timeline.Milestones.Count);
    }

    [Fact]
    public void The_term_after_a_two_year_renewal_has_the_key_dates_of_one_year()
    {
        var timeline = RenewalTimeline.ForTerm(LeapDay, RenewalPolicy.Default, 3);

        Assert.Equal(Dates.Parse("2031-11-01"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(Dates.Parse("2031-12-31"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2031-12-31"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
        Assert.Equal(Dates.Parse("2032-02-29"), timeline.Find(MilestoneKind.Anniversary).Date);
    }

    [Fact]
    public void The_anniversary_before_a_two_year_renewal_says_24_months_to_its_last_day()
    {
        var reason = RenewalTimeline.ForTerm(LeapDay, RenewalPolicy.Default, 1).Find(MilestoneKind.Anniversary).Reason;

        Assert.Equal(new MilestoneReason("Reason.Anniversary", 24, Dates.Parse("2029-02-28"), Dates.Parse("2031-02-27")), reason);
    }

    [Theory]
    [InlineData("2029-02-27", 1)]
    [InlineData("2029-02-28", 2)] // first day of the two-year renewal
    [InlineData("2031-02-27", 2)] // its last day
    [InlineData("2031-02-28", 3)] // the day after
    [InlineData("2032-02-28", 3)]
    [InlineData("2032-02-29", 4)]
    public void TermContaining_follows_the_renewal_lengths(string date, int expected) =>
        Assert.Equal(expected, LeapDay.TermContaining(Dates.Parse(date)).Number);

    [Theory]
    [InlineData(2, "2028-01-31", "2031-01-31")]
    [InlineData(3, "2031-01-31", "2032-01-31")]
    public void A_three_year_renewal_started_on_31_January(int number, string start, string end)
    {
        var subscription = new SubscriptionBuilder().Starting("2027-01-31").ForYears(1).RenewingFor(2, 3).Build();

        var term = subscription.Term(number);

        Assert.Equal(Dates.Parse(start), term.Start);
        Assert.Equal(Dates.Parse(end), term.End);
    }

    [Fact]
    public void A_three_year_renewal_is_reminded_120_and_60_days_before_its_end()
    {
        var subscription = new SubscriptionBuilder().Starting("2027-01-31").ForYears(1).RenewingFor(2, 3).Build();

        var timeline = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 2);

        Assert.Equal(Dates.Parse("2030-10-03"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(Dates.Parse("2030-12-02"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2030-12-02"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
        Assert.Equal(Dates.Parse("2031-01-31"), timeline.Find(MilestoneKind.Anniversary).Date);
    }

    [Fact]
    public void A_three_year_renewal_after_a_three_year_initial_term()
    {
        var subscription = new SubscriptionBuilder().Starting("2027-01-15").ForYears(3).RenewingFor(2, 3).Build();

        Assert.Equal((Dates.Parse("2030-01-15"), Dates.Parse("2033-01-15")), (subscription.Term(2).Start, subscription.Term(2).End));
        Assert.Equal((Dates.Parse("2033-01-15"), Dates.Parse("2034-01-15")), (subscription.Term(3).Start, subscription.Term(3).End));
    }

    [Theory]
    [InlineData("2030-12-30", "2031-02-28")] // on the deadline: the two-year term is the last
    [InlineData("2030-12-31", "2032-02-29")] // the day after: the next (one-year) term is the last
    public void A_notice_in_a_two_year_renewal_is_held_to_its_deadline(string received, string endsOn)
    {
        var cancellation = Cancellation.File(LeapDay, RenewalPolicy.Default, Notices.OnLocalDate(LeapDay, received));

        Assert.Equal(Dates.Parse("2030-12-30"), cancellation.Deadline);
        Assert.Equal(Dates.Parse(endsOn), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void One_year_renewals_are_not_kept_as_exceptions()
    {
        var subscription = new SubscriptionBuilder().ForYears(1).RenewingFor(2, 2).Build().WithRenewalYears(2, 1);

        Assert.Empty(subscription.RenewalYears);
        Assert.Equal(new SubscriptionBuilder().ForYears(1).Build().Term(2), subscription.Term(2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void A_renewal_length_outside_one_to_three_years_is_refused(int years)
    {
        var error = Assert.Throws<DomainException>(() => new SubscriptionBuilder().RenewingFor(2, years).Build());
        Assert.Equal(DomainErrors.RenewalYears, error.Code);
        Assert.Equal(DomainErrors.RenewalYears, Assert.Throws<DomainException>(() => new RenewalPolicy(renewalYears: [1, years])).Code);
    }

    [Fact]
    public void The_initial_term_has_no_renewal_length()
    {
        var error = Assert.Throws<DomainException>(() => new SubscriptionBuilder().RenewingFor(1, 2).Build());
        Assert.Equal(DomainErrors.TermNumber, error.Code);
    }

    [Fact]
    public void A_policy_allows_one_year_only_unless_told_otherwise_and_always_allows_one_year()
    {
        Assert.Equal([1], RenewalPolicy.Default.RenewalYears.ToArray());
        Assert.Equal([1, 3], new RenewalPolicy(renewalYears: [3]).RenewalYears.ToArray());
        Assert.NotEqual(RenewalPolicy.Default, new RenewalPolicy(renewalYears: [1, 2]));
    }

    [Fact]
    public void An_amendment_may_choose_a_length_the_policy_allows()
    {
        var policy = new RenewalPolicy(renewalYears: [1, 2]);

        Assert.Equal(1, Amendment.RenewalYears(policy, null));
        Assert.Equal(2, Amendment.RenewalYears(policy, 2));
        var error = Assert.Throws<DomainException>(() => Amendment.RenewalYears(policy, 3));
        Assert.Equal(DomainErrors.AmendmentRenewalYears, error.Code);
        Assert.Equal("The subscription's renewal policy does not allow a renewal of 3 years; the lengths it allows, in years: 1, 2.",
            error.Describe(System.Globalization.CultureInfo.GetCultureInfo("en")));
        Assert.Equal("La politique de renouvellement de l'abonnement n'autorise pas un renouvellement de 3 ans\u00a0; durées autorisées, en années\u00a0: 1, 2.",
            error.Describe(System.Globalization.CultureInfo.GetCultureInfo("fr")));
    }
}
