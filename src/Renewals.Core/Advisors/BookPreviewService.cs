using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Advisors;

/// <summary>
/// A step the engine will carry out: its milestone <see cref="Date"/>, and the day it runs.
/// <see cref="Overdue"/>: its date is already past in the customer's zone and the engine has
/// not run since; it runs today.
/// </summary>
public sealed record PreviewStep(
    LocalDate Date, LocalDate RunsOn, Instant DueAt, MilestoneKind Kind, int Variant, int TermNumber, long SubscriptionId, long AccountId, string Account, bool Overdue);

/// <summary>One day of the preview and what falls due on it.</summary>
public sealed record PreviewDay(LocalDate Date, IReadOnlyList<PreviewStep> Steps);

/// <summary>
/// What the engine will do over the coming days for the actor's book, read from the pending
/// milestone rows (the same rows the engine claims), changing nothing. Milestones of a term
/// not yet begun are planned by its anniversary, so they do not show before it.
/// </summary>
public sealed class BookPreviewService(RenewalsDbContext db, IClock clock)
{
    public const int DefaultDays = 90;

    public async Task<IReadOnlyList<PreviewDay>> NextDaysAsync(Actor actor, int days = DefaultDays, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, 366);
        var now = clock.GetCurrentInstant();
        // A day's margin either side of UTC for the zones ahead and behind; each account's own window is applied below.
        var latest = now.InUtc().Date.PlusDays(days + 1);
        var rows = await db.Milestones.AsNoTracking()
            .Where(m => m.Status == MilestoneStatus.Pending && m.Date <= latest)
            .Join(db.Subscriptions.OfAccountsVisibleTo(db.Accounts, actor, s => s.AccountId), m => m.SubscriptionId, s => s.Id, (m, s) => new { Milestone = m, s.AccountId })
            .Join(db.Accounts, x => x.AccountId, a => a.Id, (x, a) => new { x.Milestone, x.AccountId, a.Name, a.TimeZoneId })
            .ToListAsync(ct);
        var steps = new List<PreviewStep>();
        foreach (var x in rows)
        {
            var today = now.InZone(DateTimeZoneProviders.Tzdb[x.TimeZoneId]).Date;
            var m = x.Milestone;
            if (m.Date < today.PlusDays(days))
            {
                var overdue = m.Date < today;
                steps.Add(new PreviewStep(m.Date, overdue ? today : m.Date, m.DueAt, m.Kind, m.Variant, m.TermNumber, m.SubscriptionId, x.AccountId, x.Name, overdue));
            }
        }

        return [.. steps.OrderBy(s => s.RunsOn).ThenBy(s => s.DueAt).ThenBy(s => s.Kind).ThenBy(s => s.SubscriptionId)
            .GroupBy(s => s.RunsOn).Select(g => new PreviewDay(g.Key, [.. g]))];
    }
}
