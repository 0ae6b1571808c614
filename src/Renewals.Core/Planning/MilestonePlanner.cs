using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
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

    /// <summary>
    /// Moves the stored, still pending milestones of terms <paramref name="fromTerm"/> and later to
    /// the dates the subscription's timeline now gives them (a term's length changed). The planner
    /// stores a term's milestones when the term begins (<see cref="Plan"/>: at the sale, the import
    /// or the anniversary before it), so this touches only what is stored: nothing is added or
    /// removed, and what is done or skipped stays as it was. Written at once, in the caller's
    /// transaction, which must be open: the engine may be carrying out these very milestones.
    /// </summary>
    /// <remarks>
    /// Each move is an UPDATE guarded on the row still being pending with the date that was read.
    /// On PostgreSQL it takes the row's lock: an engine that claimed the milestone first (FOR UPDATE
    /// SKIP LOCKED) makes it wait, and once the engine commits the guard finds the row done, so a
    /// milestone carried out keeps the date it was carried out for; an engine that comes after skips
    /// the moved rows until the caller commits, then sees their new dates. On SQLite the caller's
    /// transaction holds the database's write lock from its start (BEGIN IMMEDIATE), so the engine
    /// cannot run in between at all; the guard costs nothing there. Only the rows that move are
    /// locked: locking every pending row would make a caller that already holds its amendment's row
    /// deadlock with an engine applying that amendment at the anniversary.
    /// </remarks>
    public static async Task<int> ReplanAsync(
        RenewalsDbContext db, long subscriptionId, DomainSubscription subscription, DomainPolicy policy, int fromTerm, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(subscription);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Milestones are replanned inside the transaction that changes the term's length.");
        }

        var pending = await db.Milestones.AsNoTracking()
            .Where(m => m.SubscriptionId == subscriptionId && m.TermNumber >= fromTerm && m.Status == MilestoneStatus.Pending)
            .OrderBy(m => m.Id)
            .ToListAsync(ct);
        var moved = 0;
        foreach (var term in pending.GroupBy(m => m.TermNumber))
        {
            var timeline = RenewalTimeline.ForTerm(subscription, policy, term.Key);
            foreach (var row in term)
            {
                var planned = timeline.Milestones.FirstOrDefault(m => m.Kind == row.Kind && m.Variant == row.Variant);
                if (planned is null || planned.Date == row.Date)
                {
                    continue;
                }

                var date = planned.Date;
                var dueAt = planned.FallsDueAt(subscription.TimeZone);
                moved += await db.Milestones
                    .Where(m => m.Id == row.Id && m.Status == MilestoneStatus.Pending && m.Date == row.Date)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.Date, date).SetProperty(m => m.DueAt, dueAt), ct);
            }
        }

        return moved;
    }
}
