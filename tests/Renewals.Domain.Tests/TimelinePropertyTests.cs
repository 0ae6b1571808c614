using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>A random valid subscription: start, initial term, policy and optional partner contract.</summary>
public sealed record Scenario(LocalDate Start, int Years, RenewalPolicy Policy, PartnerContract? Partner)
{
    public Subscription Subscription { get; } = new("Acme", Start, Years, DateTimeZoneProviders.Tzdb["Europe/Paris"], BillingMode.Yearly, Partner);

    public override string ToString() =>
        $"start {Start:yyyy-MM-dd}, {Years} year(s), check-in {Policy.CheckInDays}, reminders [{string.Join(", ", Policy.ReminderDays)}], "
        + $"policy notice {Policy.NoticeDays}, partner {(Partner is null ? "none" : $"{Partner.NoticeDays} days{(Partner.CancellationFiledByPartnerOnly ? ", partner only" : "")}")}";
}

/// <summary>Generators of valid scenarios: years 1990-2090, any day including 29 February.</summary>
internal static class ScenarioGenerators
{
    private static readonly int[] LeapYears = [.. Enumerable.Range(1990, 101).Where(CalendarSystem.Iso.IsLeapYear)];

    public static Gen<LocalDate> AnyDate { get; } =
        from year in Gen.Choose(1990, 2090)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, CalendarSystem.Iso.GetDaysInMonth(year, month))
        select new LocalDate(year, month, day);

    public static Gen<LocalDate> LeapDay { get; } = Gen.Elements(LeapYears).Select(year => new LocalDate(year, 2, 29));

    public static Gen<LocalDate> MonthEnd { get; } =
        from year in Gen.Choose(1990, 2090)
        from month in Gen.Choose(1, 12)
        select new LocalDate(year, month, CalendarSystem.Iso.GetDaysInMonth(year, month));

    /// <summary>Mostly any date, with 29 February and month ends drawn often enough to matter.</summary>
    public static Gen<LocalDate> Start { get; } = Gen.Frequency((6, AnyDate), (2, LeapDay), (2, MonthEnd));

    public static Gen<RenewalPolicy> Policy { get; } =
        from checkIn in Gen.Choose(1, RenewalPolicy.MaxOffsetDays)
        from count in Gen.Choose(1, 4)
        from offsets in Gen.Shuffle(Enumerable.Range(1, RenewalPolicy.MaxOffsetDays))
        from notice in Gen.Choose(1, RenewalPolicy.MaxOffsetDays)
        select new RenewalPolicy(checkIn, offsets.Take(count).ToArray(), notice);

    public static Gen<PartnerContract?> Partner { get; } = Gen.Frequency(
        (1, Gen.Constant<PartnerContract?>(null)),
        (1, from notice in Gen.Choose(1, RenewalPolicy.MaxOffsetDays)
            from partnerOnly in Gen.Elements(true, false)
            select (PartnerContract?)new PartnerContract("Northwind Resellers", notice, partnerOnly)));

    public static Gen<Scenario> Scenario { get; } =
        from start in Start
        from years in Gen.Choose(1, 3)
        from policy in Policy
        from partner in Partner
        select new Scenario(start, years, policy, partner);

    public static Arbitrary<Scenario> Scenarios { get; } = Scenario.ToArbitrary();

    public static Arbitrary<(Scenario Scenario, int DaysAfterStart)> ScenariosWithDay { get; } =
        (from scenario in Scenario
         from days in Gen.Choose(0, 12 * 366)
         select (scenario, days)).ToArbitrary();
}

/// <summary>Invariants of the timeline over random starts, terms, policies and partner contracts.</summary>
public sealed class TimelinePropertyTests
{
    private const int Terms = 6;

    [Property(MaxTest = 300)]
    public Property Milestones_of_every_term_are_in_date_order() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            foreach (var timeline in RenewalTimeline.ForTerms(s.Subscription, s.Policy, Terms))
            {
                var dates = timeline.Milestones.Select(m => m.Date).ToList();
                Assert.Equal(dates.Order(), dates);
            }
        });

    [Property(MaxTest = 300)]
    public Property Every_reminder_is_exactly_its_offset_before_the_renewal_date() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            foreach (var timeline in RenewalTimeline.ForTerms(s.Subscription, s.Policy, Terms))
            {
                var reminders = timeline.Milestones.Where(m => m.Kind == MilestoneKind.Reminder).ToList();
                Assert.Equal(s.Policy.ReminderDays.Order(), reminders.Select(m => m.Variant).Order());
                Assert.All(reminders, r =>
                    Assert.Equal(r.Variant, Period.Between(r.Date, timeline.Term.RenewalDate, PeriodUnits.Days).Days));
            }
        });

    [Property(MaxTest = 300)]
    public Property Each_term_ends_where_the_next_begins() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            Assert.Equal(s.Start, s.Subscription.Term(1).Start);
            for (var number = 1; number <= Terms; number++)
            {
                var term = s.Subscription.Term(number);
                Assert.Equal(number, term.Number);
                Assert.True(term.Start < term.End);
                Assert.Equal(term.End, s.Subscription.Term(number + 1).Start);
            }
        });

    [Property(MaxTest = 300)]
    public Property The_kth_anniversary_is_the_start_plus_k_years() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            for (var k = 0; k <= s.Years + Terms; k++)
            {
                var expected = s.Start.PlusYears(k);
                Assert.Equal(expected, s.Subscription.Anniversary(k));
                Assert.Equal(s.Start.Day == 29 && s.Start.Month == 2 && !CalendarSystem.Iso.IsLeapYear(s.Start.Year + k) ? 28 : s.Start.Day, expected.Day);
            }

            for (var number = 1; number <= Terms; number++)
            {
                var timeline = RenewalTimeline.ForTerm(s.Subscription, s.Policy, number);
                Assert.Equal(s.Start.PlusYears(s.Years + number - 1), timeline.Find(MilestoneKind.Anniversary).Date);
            }
        });

    [Property(MaxTest = 300)]
    public Property The_deadline_falls_within_the_term_and_never_after_the_renewal_date() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            foreach (var timeline in RenewalTimeline.ForTerms(s.Subscription, s.Policy, Terms))
            {
                var deadline = timeline.Find(MilestoneKind.CancellationDeadline).Date;
                Assert.True(deadline <= timeline.Term.RenewalDate, $"deadline {deadline} after renewal {timeline.Term.RenewalDate}");
                Assert.True(deadline >= timeline.Term.Start, $"deadline {deadline} before term start {timeline.Term.Start}");
                Assert.Equal(
                    s.Partner?.NoticeDays ?? s.Policy.NoticeDays,
                    Period.Between(deadline, timeline.Term.RenewalDate, PeriodUnits.Days).Days);
            }
        });

    [Property(MaxTest = 300)]
    public Property Every_milestone_falls_inside_its_term_or_on_its_renewal_date() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            foreach (var timeline in RenewalTimeline.ForTerms(s.Subscription, s.Policy, Terms))
            {
                Assert.All(timeline.Milestones, m =>
                {
                    Assert.Equal(timeline.Term.Number, m.TermNumber);
                    Assert.True(m.Date >= timeline.Term.Start && m.Date <= timeline.Term.RenewalDate, $"{m.Key} on {m.Date} outside {timeline.Term}");
                });
            }
        });

    [Property(MaxTest = 300)]
    public Property Only_the_initial_term_has_day_one_check_in_and_yearly_invoices() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            var timelines = RenewalTimeline.ForTerms(s.Subscription, s.Policy, Terms);
            var initial = timelines[0];

            Assert.Equal(s.Start, initial.Find(MilestoneKind.DayOne).Date);
            Assert.Equal(s.Start.PlusDays(s.Policy.CheckInDays), initial.Find(MilestoneKind.CheckIn).Date);
            Assert.Equal(
                Enumerable.Range(1, s.Years - 1).Select(s.Start.PlusYears),
                initial.Milestones.Where(m => m.Kind == MilestoneKind.YearlyInvoice).Select(m => m.Date));
            Assert.All(timelines.Skip(1), t => Assert.DoesNotContain(t.Milestones,
                m => m.Kind is MilestoneKind.DayOne or MilestoneKind.CheckIn or MilestoneKind.YearlyInvoice));
        });

    [Property(MaxTest = 500)]
    public Property Term_containing_a_date_contains_it() =>
        Prop.ForAll(ScenarioGenerators.ScenariosWithDay, input =>
        {
            var (s, days) = input;
            var date = s.Start.PlusDays(days);

            var term = s.Subscription.TermContaining(date);

            Assert.True(term.Contains(date), $"{term} does not contain {date}");
            Assert.Equal(s.Subscription.Term(term.Number), term);
        });

    [Property(MaxTest = 300)]
    public Property Term_containing_the_first_and_last_day_of_a_term_is_that_term() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            for (var number = 1; number <= Terms; number++)
            {
                var term = s.Subscription.Term(number);
                Assert.Equal(term, s.Subscription.TermContaining(term.Start));
                Assert.Equal(term, s.Subscription.TermContaining(term.End.PlusDays(-1)));
            }
        });

    [Property(MaxTest = 300)]
    public Property A_notice_on_a_deadline_inside_the_term_ends_that_term_and_the_day_after_ends_the_next() =>
        Prop.ForAll(ScenarioGenerators.Scenarios, s =>
        {
            var filer = s.Partner is { CancellationFiledByPartnerOnly: true } ? NoticeFiler.Partner : NoticeFiler.Customer;
            for (var number = 1; number <= 3; number++)
            {
                var term = s.Subscription.Term(number);
                var deadline = RenewalTimeline.ForTerm(s.Subscription, s.Policy, number).Find(MilestoneKind.CancellationDeadline).Date;

                var onTime = Cancellation.File(s.Subscription, s.Policy, Notices.At(Dates.LocalTime(s.Subscription, deadline, 12), filer));

                Assert.True(onTime.IsOnTime);
                Assert.Equal(term, onTime.ReceivedInTerm);
                Assert.Equal(term, onTime.EndingTerm);
                Assert.Equal(term.End, onTime.EffectiveEndDate);
                Assert.Equal(deadline, onTime.Deadline);

                // With one day's notice the day after the deadline is the renewal date: the next term.
                if (deadline.PlusDays(1) < term.End)
                {
                    var late = Cancellation.File(s.Subscription, s.Policy, Notices.At(Dates.LocalTime(s.Subscription, deadline.PlusDays(1), 12), filer));
                    Assert.False(late.IsOnTime);
                    Assert.Equal(term, late.ReceivedInTerm);
                    Assert.Equal(s.Subscription.Term(number + 1), late.EndingTerm);
                    Assert.Equal(s.Subscription.Term(number + 1).End, late.EffectiveEndDate);
                }
            }
        });
}
