using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>
/// A subscription started on 29 February renews on 28 February in common years and comes
/// back to 29 February in leap years: anniversaries are start.PlusYears(k), never chained.
/// </summary>
public sealed class LeapDayTests
{
    private static Subscription LeapStart(int years, string start = "2024-02-29") =>
        new SubscriptionBuilder().Starting(start).ForYears(years).Build();

    [Theory]
    [InlineData(1, "2025-02-28")]
    [InlineData(2, "2026-02-28")]
    [InlineData(3, "2027-02-28")]
    [InlineData(4, "2028-02-29")]
    [InlineData(5, "2029-02-28")]
    [InlineData(8, "2032-02-29")]
    public void Anniversaries_of_a_29_february_start_fall_on_28_february_except_in_leap_years(int k, string expected) =>
        Assert.Equal(Dates.Parse(expected), LeapStart(1).Anniversary(k));

    [Fact]
    public void Anniversary_of_a_29_february_start_is_28_february_in_2100_which_is_not_a_leap_year()
    {
        var subscription = LeapStart(1, "2096-02-29");

        Assert.Equal(Dates.Parse("2100-02-28"), subscription.Anniversary(4));
        Assert.Equal(Dates.Parse("2104-02-29"), subscription.Anniversary(8));
    }

    [Theory]
    // 1-year initial term
    [InlineData(1, 1, "2024-02-29", "2025-02-28")]
    [InlineData(1, 2, "2025-02-28", "2026-02-28")]
    [InlineData(1, 3, "2026-02-28", "2027-02-28")]
    [InlineData(1, 4, "2027-02-28", "2028-02-29")]
    [InlineData(1, 5, "2028-02-29", "2029-02-28")]
    [InlineData(1, 6, "2029-02-28", "2030-02-28")]
    // 2-year initial term
    [InlineData(2, 1, "2024-02-29", "2026-02-28")]
    [InlineData(2, 2, "2026-02-28", "2027-02-28")]
    [InlineData(2, 3, "2027-02-28", "2028-02-29")]
    [InlineData(2, 4, "2028-02-29", "2029-02-28")]
    [InlineData(2, 5, "2029-02-28", "2030-02-28")]
    // 3-year initial term
    [InlineData(3, 1, "2024-02-29", "2027-02-28")]
    [InlineData(3, 2, "2027-02-28", "2028-02-29")]
    [InlineData(3, 3, "2028-02-29", "2029-02-28")]
    [InlineData(3, 4, "2029-02-28", "2030-02-28")]
    [InlineData(3, 6, "2031-02-28", "2032-02-29")]
    public void Terms_of_a_29_february_start_run_between_consecutive_anniversaries(int years, int number, string start, string end)
    {
        var term = LeapStart(years).Term(number);

        Assert.Equal(Dates.Parse(start), term.Start);
        Assert.Equal(Dates.Parse(end), term.End);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Each_term_of_a_29_february_start_ends_where_the_next_begins(int years)
    {
        var subscription = LeapStart(years);

        for (var number = 1; number <= 10; number++)
        {
            var term = subscription.Term(number);
            Assert.Equal(term.End, subscription.Term(number + 1).Start);
            Assert.Equal(subscription.Anniversary(years + number - 1), term.End);
        }
    }

    [Theory]
    // 1-year initial term: terms end 2025-02-28, 2026-02-28, 2027-02-28, 2028-02-29, 2029-02-28
    [InlineData(1, "2024-02-29", 1)]
    [InlineData(1, "2024-03-01", 1)]
    [InlineData(1, "2025-02-27", 1)]
    [InlineData(1, "2025-02-28", 2)]
    [InlineData(1, "2025-03-01", 2)]
    [InlineData(1, "2026-02-27", 2)]
    [InlineData(1, "2026-02-28", 3)]
    [InlineData(1, "2027-02-27", 3)]
    [InlineData(1, "2027-02-28", 4)]
    [InlineData(1, "2027-03-01", 4)]
    [InlineData(1, "2028-02-28", 4)]
    [InlineData(1, "2028-02-29", 5)]
    [InlineData(1, "2028-03-01", 5)]
    [InlineData(1, "2029-02-27", 5)]
    [InlineData(1, "2029-02-28", 6)]
    [InlineData(1, "2029-03-01", 6)]
    // 2-year initial term: terms end 2026-02-28, 2027-02-28, 2028-02-29
    [InlineData(2, "2025-02-28", 1)]
    [InlineData(2, "2026-02-27", 1)]
    [InlineData(2, "2026-02-28", 2)]
    [InlineData(2, "2027-02-28", 3)]
    [InlineData(2, "2028-02-28", 3)]
    [InlineData(2, "2028-02-29", 4)]
    [InlineData(2, "2028-03-01", 4)]
    // 3-year initial term: terms end 2027-02-28, 2028-02-29, 2029-02-28
    [InlineData(3, "2026-02-28", 1)]
    [InlineData(3, "2027-02-27", 1)]
    [InlineData(3, "2027-02-28", 2)]
    [InlineData(3, "2027-03-01", 2)]
    [InlineData(3, "2028-02-28", 2)]
    [InlineData(3, "2028-02-29", 3)]
    [InlineData(3, "2028-03-01", 3)]
    [InlineData(3, "2029-02-27", 3)]
    [InlineData(3, "2029-02-28", 4)]
    [InlineData(3, "2032-02-28", 6)]
    [InlineData(3, "2032-02-29", 7)]
    public void Term_containing_a_date_near_28_and_29_february_is_the_right_one(int years, string date, int expected)
    {
        var subscription = LeapStart(years);
        var day = Dates.Parse(date);

        var term = subscription.TermContaining(day);

        Assert.Equal(expected, term.Number);
        Assert.Equal(subscription.Term(expected), term);
        Assert.True(term.Start <= day && day < term.End);
    }

    [Fact]
    public void Renewal_on_29_february_has_reminders_counted_back_through_the_leap_day()
    {
        // Term 4 of a 1-year 29 February start renews on 2028-02-29.
        var timeline = RenewalTimeline.ForTerm(LeapStart(1), RenewalPolicy.Default, 4);

        Assert.Equal(Dates.Parse("2028-02-29"), timeline.Find(MilestoneKind.Anniversary).Date);
        Assert.Equal(Dates.Parse("2027-11-01"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(Dates.Parse("2027-12-31"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2027-12-31"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
    }

    [Fact]
    public void Renewal_on_28_february_has_reminders_counted_back_from_28_february()
    {
        var timeline = RenewalTimeline.ForTerm(LeapStart(1), RenewalPolicy.Default, 1);

        Assert.Equal(Dates.Parse("2025-02-28"), timeline.Find(MilestoneKind.Anniversary).Date);
        Assert.Equal(Dates.Parse("2024-10-31"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(Dates.Parse("2024-12-30"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2024-12-30"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
    }

    [Fact]
    public void Check_in_of_a_29_february_start_is_90_days_later() =>
        Assert.Equal(
            Dates.Parse("2024-05-29"),
            RenewalTimeline.ForTerm(LeapStart(3), RenewalPolicy.Default, 1).Find(MilestoneKind.CheckIn).Date);

    [Fact]
    public void Yearly_invoices_of_a_29_february_start_fall_on_28_february()
    {
        var timeline = RenewalTimeline.ForTerm(LeapStart(3), RenewalPolicy.Default, 1);

        Assert.Equal(Dates.Parse("2025-02-28"), timeline.Find(MilestoneKind.YearlyInvoice, 2).Date);
        Assert.Equal(Dates.Parse("2026-02-28"), timeline.Find(MilestoneKind.YearlyInvoice, 3).Date);
    }

    [Fact]
    public void Yearly_invoice_of_a_29_february_start_returns_to_29_february_in_a_leap_year()
    {
        var timeline = RenewalTimeline.ForTerm(LeapStart(3, "2027-02-28"), RenewalPolicy.Default, 1);
        var leapStart = RenewalTimeline.ForTerm(LeapStart(3, "2020-02-29"), RenewalPolicy.Default, 1);

        Assert.Equal(Dates.Parse("2028-02-28"), timeline.Find(MilestoneKind.YearlyInvoice, 2).Date);
        Assert.Equal(Dates.Parse("2021-02-28"), leapStart.Find(MilestoneKind.YearlyInvoice, 2).Date);
        Assert.Equal(Dates.Parse("2022-02-28"), leapStart.Find(MilestoneKind.YearlyInvoice, 3).Date);
        Assert.Equal(Dates.Parse("2024-02-29"), RenewalTimeline.ForTerm(LeapStart(3, "2020-02-29"), RenewalPolicy.Default, 2).Find(MilestoneKind.Anniversary).Date);
    }

    [Fact]
    public void A_28_february_start_never_moves_to_29_february()
    {
        var subscription = LeapStart(1, "2027-02-28");

        Assert.Equal(Dates.Parse("2028-02-28"), subscription.Term(1).End);
        Assert.Equal(1, subscription.TermContaining(Dates.Parse("2028-02-27")).Number);
        Assert.Equal(2, subscription.TermContaining(Dates.Parse("2028-02-28")).Number);
        Assert.Equal(2, subscription.TermContaining(Dates.Parse("2028-02-29")).Number);
    }

    [Fact]
    public void A_1_march_start_keeps_renewing_on_1_march()
    {
        var subscription = LeapStart(1, "2028-03-01");
        var timeline = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1);

        Assert.Equal(Dates.Parse("2029-03-01"), subscription.Term(1).End);
        Assert.Equal(Dates.Parse("2032-03-01"), subscription.Term(4).End);
        Assert.Equal(Dates.Parse("2028-12-31"), timeline.Find(MilestoneKind.Reminder, 60).Date);
        Assert.Equal(Dates.Parse("2028-11-01"), timeline.Find(MilestoneKind.Reminder, 120).Date);
        Assert.Equal(2, subscription.TermContaining(Dates.Parse("2029-03-01")).Number);
        Assert.Equal(1, subscription.TermContaining(Dates.Parse("2029-02-28")).Number);
    }
}
