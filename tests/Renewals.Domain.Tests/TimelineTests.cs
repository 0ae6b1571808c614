using NodaTime;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>The key dates of the product.md example: 3 years from 2027-01-15, direct, default policy.</summary>
public sealed class TimelineTests
{
    private static readonly Subscription Example = SubscriptionBuilder.ProductExample();

    private static TermTimeline Term1 => RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, 1);

    private static TermTimeline Term2 => RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, 2);

    [Fact]
    public void Day_one_of_the_example_is_2027_01_15() =>
        Assert.Equal(Dates.Parse("2027-01-15"), Term1.Find(MilestoneKind.DayOne).Date);

    [Fact]
    public void Check_in_of_the_example_is_2027_04_15() =>
        Assert.Equal(Dates.Parse("2027-04-15"), Term1.Find(MilestoneKind.CheckIn).Date);

    [Fact]
    public void Reminder_120_days_before_renewal_of_the_example_is_2029_09_17() =>
        Assert.Equal(Dates.Parse("2029-09-17"), Term1.Find(MilestoneKind.Reminder, 120).Date);

    [Fact]
    public void Reminder_60_days_before_renewal_of_the_example_is_2029_11_16() =>
        Assert.Equal(Dates.Parse("2029-11-16"), Term1.Find(MilestoneKind.Reminder, 60).Date);

    [Fact]
    public void Cancellation_deadline_of_the_example_is_2029_11_16() =>
        Assert.Equal(Dates.Parse("2029-11-16"), Term1.Find(MilestoneKind.CancellationDeadline).Date);

    [Fact]
    public void Anniversary_of_the_example_is_2030_01_15() =>
        Assert.Equal(Dates.Parse("2030-01-15"), Term1.Find(MilestoneKind.Anniversary).Date);

    [Fact]
    public void Initial_term_of_the_example_runs_from_2027_01_15_to_2030_01_15()
    {
        var term = Example.Term(1);
        Assert.Equal(Dates.Parse("2027-01-15"), term.Start);
        Assert.Equal(Dates.Parse("2030-01-15"), term.End);
        Assert.Equal(term.End, term.RenewalDate);
        Assert.True(term.IsInitial);
    }

    [Fact]
    public void Next_term_of_the_example_runs_from_2030_01_15_to_2031_01_15()
    {
        var term = Term2.Term;
        Assert.Equal(2, term.Number);
        Assert.Equal(Dates.Parse("2030-01-15"), term.Start);
        Assert.Equal(Dates.Parse("2031-01-15"), term.End);
        Assert.False(term.IsInitial);
    }

    [Fact]
    public void Initial_term_of_the_example_lists_every_milestone_in_date_order()
    {
        var actual = Term1.Milestones.Select(m => (m.Key, m.Date.ToString("yyyy-MM-dd", null))).ToList();

        (string, string)[] expected =
        [
            ("day-one", "2027-01-15"),
            ("check-in", "2027-04-15"),
            ("yearly-invoice-2", "2028-01-15"),
            ("yearly-invoice-3", "2029-01-15"),
            ("reminder-120", "2029-09-17"),
            ("reminder-60", "2029-11-16"),
            ("cancellation-deadline", "2029-11-16"),
            ("anniversary", "2030-01-15"),
        ];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Second_term_has_reminders_deadline_and_anniversary_but_no_day_one_nor_check_in()
    {
        var actual = Term2.Milestones.Select(m => (m.Key, m.Date.ToString("yyyy-MM-dd", null))).ToList();

        (string, string)[] expected =
        [
            ("reminder-120", "2030-09-17"),
            ("reminder-60", "2030-11-16"),
            ("cancellation-deadline", "2030-11-16"),
            ("anniversary", "2031-01-15"),
        ];
        Assert.Equal(expected, actual);
        Assert.All(Term2.Milestones, m => Assert.Equal(2, m.TermNumber));
    }

    [Fact]
    public void Yearly_billing_of_a_three_year_term_invoices_years_two_and_three_on_the_first_two_anniversaries()
    {
        var invoices = Term1.Milestones.Where(m => m.Kind == MilestoneKind.YearlyInvoice).ToList();

        Assert.Equal([2, 3], invoices.Select(m => m.Variant));
        Assert.Equal(Dates.Parse("2028-01-15"), Term1.Find(MilestoneKind.YearlyInvoice, 2).Date);
        Assert.Equal(Dates.Parse("2029-01-15"), Term1.Find(MilestoneKind.YearlyInvoice, 3).Date);
    }

    [Fact]
    public void Upfront_billing_of_a_three_year_term_has_no_yearly_invoice()
    {
        var upfront = new SubscriptionBuilder().BilledUpfront().Build();

        var timeline = RenewalTimeline.ForTerm(upfront, RenewalPolicy.Default, 1);

        Assert.DoesNotContain(timeline.Milestones, m => m.Kind == MilestoneKind.YearlyInvoice);
        Assert.Equal("Reason.DayOne.Upfront", timeline.Find(MilestoneKind.DayOne).Reason.Key);
    }

    [Fact]
    public void Yearly_billing_of_a_two_year_term_invoices_year_two_on_the_first_anniversary()
    {
        var subscription = new SubscriptionBuilder().ForYears(2).Build();

        var invoices = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1)
            .Milestones.Where(m => m.Kind == MilestoneKind.YearlyInvoice).ToList();

        var invoice = Assert.Single(invoices);
        Assert.Equal(2, invoice.Variant);
        Assert.Equal(Dates.Parse("2028-01-15"), invoice.Date);
    }

    [Fact]
    public void A_one_year_term_has_no_yearly_invoice_besides_day_one()
    {
        var subscription = new SubscriptionBuilder().ForYears(1).Build();

        var timeline = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1);

        Assert.DoesNotContain(timeline.Milestones, m => m.Kind == MilestoneKind.YearlyInvoice);
        Assert.Equal("Reason.DayOne", timeline.Find(MilestoneKind.DayOne).Reason.Key);
    }

    [Fact]
    public void Renewal_terms_have_no_yearly_invoice()
    {
        foreach (var termNumber in new[] { 2, 3, 4 })
        {
            var timeline = RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, termNumber);
            Assert.DoesNotContain(timeline.Milestones, m => m.Kind is MilestoneKind.YearlyInvoice or MilestoneKind.DayOne or MilestoneKind.CheckIn);
        }
    }

    [Fact]
    public void Check_in_is_a_recommended_validation_for_a_first_subscription_in_the_product_family()
    {
        var checkIn = Term1.Find(MilestoneKind.CheckIn);

        Assert.True(checkIn.RecommendedValidation);
        Assert.Equal("Reason.CheckIn.Validation", checkIn.Reason.Key);
    }

    [Fact]
    public void Check_in_is_not_a_recommended_validation_when_the_customer_had_an_earlier_subscription_in_the_family()
    {
        var subscription = new SubscriptionBuilder().WithEarlierSubscriptionInFamily().Build();

        var checkIn = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1).Find(MilestoneKind.CheckIn);

        Assert.False(checkIn.RecommendedValidation);
        Assert.Equal("Reason.CheckIn", checkIn.Reason.Key);
        Assert.Equal(Dates.Parse("2027-04-15"), checkIn.Date);
    }

    [Fact]
    public void Check_in_follows_the_policy_offset()
    {
        var policy = new RenewalPolicy(checkInDays: 30);

        var checkIn = RenewalTimeline.ForTerm(Example, policy, 1).Find(MilestoneKind.CheckIn);

        Assert.Equal(Dates.Parse("2027-02-14"), checkIn.Date);
    }

    [Fact]
    public void Reminders_follow_the_policy_offsets_farthest_first()
    {
        var policy = new RenewalPolicy(reminderDays: [7, 90, 30]);

        var reminders = RenewalTimeline.ForTerm(Example, policy, 1)
            .Milestones.Where(m => m.Kind == MilestoneKind.Reminder).ToList();

        Assert.Equal([90, 30, 7], reminders.Select(m => m.Variant));
        Assert.Equal(
            [Dates.Parse("2029-10-17"), Dates.Parse("2029-12-16"), Dates.Parse("2030-01-08")],
            reminders.Select(m => m.Date));
    }

    [Fact]
    public void A_policy_without_reminders_gives_no_reminder()
    {
        var policy = new RenewalPolicy(reminderDays: []);

        var timeline = RenewalTimeline.ForTerm(Example, policy, 1);

        Assert.DoesNotContain(timeline.Milestones, m => m.Kind == MilestoneKind.Reminder);
        Assert.Equal(Dates.Parse("2029-11-16"), timeline.Find(MilestoneKind.CancellationDeadline).Date);
    }

    [Fact]
    public void Policy_notice_days_move_the_deadline_of_a_direct_customer()
    {
        var policy = new RenewalPolicy(noticeDays: 30);

        var deadline = RenewalTimeline.ForTerm(Example, policy, 1).Find(MilestoneKind.CancellationDeadline);

        Assert.Equal(Dates.Parse("2029-12-16"), deadline.Date);
        Assert.Equal("Reason.Deadline", deadline.Reason.Key);
    }

    [Fact]
    public void Partner_notice_days_replace_the_policy_notice_days()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 90).Build();

        var deadline = RenewalTimeline.ForTerm(subscription, new RenewalPolicy(noticeDays: 30), 1)
            .Find(MilestoneKind.CancellationDeadline);

        Assert.Equal(Dates.Parse("2029-10-17"), deadline.Date);
        Assert.Equal(90, subscription.NoticeDays(new RenewalPolicy(noticeDays: 30)));
        Assert.Equal("Reason.Deadline.Partner", deadline.Reason.Key);
    }

    [Fact]
    public void Partner_only_contract_names_the_partner_in_the_deadline_reason()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 90, filedByPartnerOnly: true, name: "Contoso").Build();

        var deadline = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1).Find(MilestoneKind.CancellationDeadline);

        Assert.Equal("Reason.Deadline.PartnerOnly", deadline.Reason.Key);
        Assert.Contains("Contoso", deadline.Reason.Arguments);
    }

    [Fact]
    public void Reminder_60_comes_before_the_deadline_falling_on_the_same_day()
    {
        var milestones = Term1.Milestones.ToList();

        var reminder = milestones.FindIndex(m => m.Key == "reminder-60");
        var deadline = milestones.FindIndex(m => m.Key == "cancellation-deadline");

        Assert.Equal(reminder + 1, deadline);
    }

    [Fact]
    public void Anniversary_reason_gives_the_end_of_the_next_term()
    {
        var reason = Term1.Find(MilestoneKind.Anniversary).Reason;

        Assert.Equal("Reason.Anniversary", reason.Key);
        Assert.Equal(Subscription.RenewalTermMonths, reason.Arguments[0]);
        Assert.Equal(Dates.Parse("2030-01-15"), reason.Arguments[1]);
        Assert.Equal(Dates.Parse("2031-01-14"), reason.Arguments[2]); // the last day of the renewal term, 2030-01-15 to 2031-01-14 included
    }

    [Fact]
    public void Timelines_of_several_terms_follow_each_other()
    {
        var terms = RenewalTimeline.ForTerms(Example, RenewalPolicy.Default, 4);

        Assert.Equal([1, 2, 3, 4], terms.Select(t => t.Term.Number));
        Assert.Equal(
            ["2030-01-15", "2031-01-15", "2032-01-15", "2033-01-15"],
            terms.Select(t => t.Find(MilestoneKind.Anniversary).Date.ToString("yyyy-MM-dd", null)));
    }

    [Fact]
    public void Term_zero_has_no_timeline() =>
        Refused.With(DomainErrors.TermNumber, () => RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, 0));

    [Fact]
    public void Milestone_keys_are_stable()
    {
        Assert.Equal(
            ["day-one", "check-in", "yearly-invoice-2", "yearly-invoice-3", "reminder-120", "reminder-60", "cancellation-deadline", "anniversary"],
            Term1.Milestones.Select(m => m.Key));
    }

    [Fact]
    public void Milestones_computed_twice_from_the_same_inputs_are_equal()
    {
        var first = RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, 1);
        var second = RenewalTimeline.ForTerm(SubscriptionBuilder.ProductExample(), new RenewalPolicy(), 1);

        Assert.Equal(first.Term, second.Term);
        Assert.Equal(first.Milestones, second.Milestones);
    }

    [Fact]
    public void Milestone_dates_do_not_depend_on_the_customer_time_zone()
    {
        var auckland = new SubscriptionBuilder().InZone("Pacific/Auckland").Build();
        var honolulu = new SubscriptionBuilder().InZone("Pacific/Honolulu").Build();

        Assert.Equal(
            RenewalTimeline.ForTerm(auckland, RenewalPolicy.Default, 1).Milestones.Select(m => (m.Key, m.Date)),
            RenewalTimeline.ForTerm(honolulu, RenewalPolicy.Default, 1).Milestones.Select(m => (m.Key, m.Date)));
    }

    [Fact]
    public void A_one_day_notice_puts_the_deadline_on_the_last_day_of_the_term()
    {
        var deadline = RenewalTimeline.CancellationDeadline(Example, new RenewalPolicy(noticeDays: 1), Example.Term(1));

        Assert.Equal(Dates.Parse("2030-01-14"), deadline);
    }

    [Fact]
    public void Reminder_date_is_counted_in_calendar_days_before_the_renewal_date() =>
        Assert.Equal(new LocalDate(2029, 12, 31), RenewalTimeline.ReminderDate(Example.Term(1), 15));
}
