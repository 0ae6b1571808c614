using NodaTime;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Timeline;

/// <summary>
/// The key dates of a term: a pure function of the subscription, its policy and (through
/// the subscription) its partner contract.
/// </summary>
public static class RenewalTimeline
{
    /// <summary>The milestones of term <paramref name="termNumber"/>, in date order.</summary>
    public static TermTimeline ForTerm(Subscription subscription, RenewalPolicy policy, int termNumber)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(policy);

        var term = subscription.Term(termNumber);
        var milestones = new List<Milestone>();

        if (term.IsInitial)
        {
            milestones.Add(new Milestone(term.Number, MilestoneKind.DayOne, 0, term.Start,
                new MilestoneReason(subscription.Billing == BillingMode.Upfront && subscription.InitialTermYears > 1
                    ? "Reason.DayOne.Upfront"
                    : "Reason.DayOne")));

            var validation = subscription.IsFirstInProductFamily;
            milestones.Add(new Milestone(term.Number, MilestoneKind.CheckIn, 0, CheckInDate(subscription, policy),
                new MilestoneReason(validation ? "Reason.CheckIn.Validation" : "Reason.CheckIn", policy.CheckInDays),
                RecommendedValidation: validation));

            if (subscription.Billing == BillingMode.Yearly)
            {
                for (var year = 2; year <= subscription.InitialTermYears; year++)
                {
                    milestones.Add(new Milestone(term.Number, MilestoneKind.YearlyInvoice, year,
                        subscription.Anniversary(year - 1),
                        new MilestoneReason("Reason.YearlyInvoice", year, subscription.InitialTermYears)));
                }
            }
        }

        foreach (var days in policy.ReminderDays)
        {
            milestones.Add(new Milestone(term.Number, MilestoneKind.Reminder, days, ReminderDate(term, days),
                new MilestoneReason("Reason.Reminder", days, term.RenewalDate)));
        }

        var noticeDays = subscription.NoticeDays(policy);
        milestones.Add(new Milestone(term.Number, MilestoneKind.CancellationDeadline, 0,
            CancellationDeadline(subscription, policy, term),
            subscription.Partner is { } partner
                ? new MilestoneReason(partner.CancellationFiledByPartnerOnly
                    ? "Reason.Deadline.PartnerOnly" : "Reason.Deadline.Partner", noticeDays, partner.Partner, term.RenewalDate)
                : new MilestoneReason("Reason.Deadline", noticeDays, term.RenewalDate)));

        milestones.Add(new Milestone(term.Number, MilestoneKind.Anniversary, 0, term.RenewalDate,
            // The reason names the last day of the new term (rule 8), not its exclusive end.
            // The next term's length is its own: 12 months unless a confirmed amendment chose more.
            new MilestoneReason("Reason.Anniversary", Subscription.RenewalTermMonths * subscription.YearsOf(term.Number + 1), term.RenewalDate,
                subscription.Term(term.Number + 1).End.PlusDays(-1))));

        return new TermTimeline(term, [.. milestones.OrderBy(m => m.Date).ThenBy(m => m.Kind)]);
    }

    /// <summary>The milestones of terms 1 to <paramref name="terms"/>.</summary>
    public static IReadOnlyList<TermTimeline> ForTerms(Subscription subscription, RenewalPolicy policy, int terms) =>
        [.. Enumerable.Range(1, terms).Select(n => ForTerm(subscription, policy, n))];

    /// <summary>"N days before" is N calendar days before the renewal date.</summary>
    public static LocalDate ReminderDate(Term term, int daysBefore) => term.RenewalDate.PlusDays(-daysBefore);

    public static LocalDate CheckInDate(Subscription subscription, RenewalPolicy policy) =>
        subscription.Start.PlusDays(policy.CheckInDays);

    /// <summary>The last day a written notice ends the subscription at this term's end.</summary>
    public static LocalDate CancellationDeadline(Subscription subscription, RenewalPolicy policy, Term term) =>
        term.RenewalDate.PlusDays(-subscription.NoticeDays(policy));
}

/// <summary>A term and its milestones in date order.</summary>
public sealed record TermTimeline(Term Term, IReadOnlyList<Milestone> Milestones)
{
    public Milestone Find(MilestoneKind kind, int variant = 0) =>
        Milestones.Single(m => m.Kind == kind && m.Variant == variant);
}
