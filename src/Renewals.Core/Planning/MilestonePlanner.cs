using NodaTime;
using Renewals.Data.Model;
using Milestone = Renewals.Data.Model.Milestone;
using Renewals.Domain.Timeline;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Core.Planning;

/// <summary>
/// Turns a term's timeline into milestone rows. A milestone dated before
/// <c>plannedOn</c> (a contract imported mid-term) is stored as skipped with its reason: its
/// purpose passed before Renewals knew about it, so it is never sent late.
/// </summary>
public static class MilestonePlanner
{
    public static IEnumerable<Milestone> Plan(
        long subscriptionId, DomainSubscription subscription, DomainPolicy policy, int termNumber, LocalDate? plannedOn, Instant now)
    {
        var timeline = RenewalTimeline.ForTerm(subscription, policy, termNumber);
        foreach (var m in timeline.Milestones)
        {
            var past = plannedOn is { } day && m.Date < day;
            yield return new Milestone
            {
                SubscriptionId = subscriptionId,
                TermNumber = m.TermNumber,
                Kind = m.Kind,
                Variant = m.Variant,
                Date = m.Date,
                DueAt = m.FallsDueAt(subscription.TimeZone),
                RecommendedValidation = m.RecommendedValidation,
                Status = past ? MilestoneStatus.Skipped : MilestoneStatus.Pending,
                Outcome = past ? MilestoneOutcomes.BeforeImport : null,
                CompletedAt = past ? now : null,
            };
        }
    }
}
