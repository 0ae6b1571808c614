using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Administration;

/// <summary>How many milestones were skipped for one reason (a MilestoneOutcomes code).</summary>
public sealed record SkippedReason(string Reason, int Count);

/// <summary>
/// The engine as administrators see it. <see cref="LastRun"/>: the latest instant it carried
/// out or skipped a milestone (null when it never did); <see cref="DueNow"/>: pending
/// milestones whose moment has come, waiting for the next run.
/// </summary>
public sealed record EngineState(Instant? LastRun, int DueNow, int Pending, IReadOnlyList<SkippedReason> Skipped, int DeadLetters);

public sealed class EngineStateService(RenewalsDbContext db, IClock clock)
{
    private static readonly string[] EngineActions = ["milestone.done", "milestone.skipped"];

    public async Task<EngineState> GetAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var now = clock.GetCurrentInstant();
        var lastRun = await db.Audit.AsNoTracking().Where(a => EngineActions.Contains(a.Action))
            .OrderByDescending(a => a.At).Select(a => (Instant?)a.At).FirstOrDefaultAsync(ct);
        var dueNow = await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending && m.DueAt <= now, ct);
        var pending = await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending, ct);
        var skipped = await db.Milestones.AsNoTracking().Where(m => m.Status == MilestoneStatus.Skipped)
            .GroupBy(m => m.Outcome).Select(g => new { Reason = g.Key, Count = g.Count() }).ToListAsync(ct);
        var deadLetters = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.DeadLettered, ct);
        return new EngineState(lastRun, dueNow, pending,
            [.. skipped.Select(s => new SkippedReason(s.Reason ?? "", s.Count)).OrderByDescending(s => s.Count).ThenBy(s => s.Reason, StringComparer.Ordinal)],
            deadLetters);
    }
}
