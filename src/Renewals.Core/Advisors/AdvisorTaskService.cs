using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Feedback;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Advisors;

/// <summary>A task as the workspace lists it; <see cref="Unassigned"/>: in the queue any advisor may take from.</summary>
public sealed record AdvisorTaskView(
    long Id, string Kind, long? AdvisorId, bool Unassigned, long? AccountId, string? Account, long? SubscriptionId, LocalDate DueOn,
    AdvisorTaskStatus Status, bool RecommendedValidation, NewToCustomer NewToCustomer, string? Details, Instant? ClosedAt, string? Outcome);

/// <summary>
/// The advisor's tasks: its own and the unassigned queue; taking one from the queue, closing
/// one with its outcome. An advisor reaches no other advisor's task: those answer "unknown".
/// </summary>
public sealed class AdvisorTaskService(RenewalsDbContext db, IClock clock)
{
    public const int MaxOutcomeLength = 2000;

    /// <param name="kind">One of <see cref="AdvisorTaskKinds"/>, or null for every kind.</param>
    public async Task<IReadOnlyList<AdvisorTaskView>> ListAsync(Actor actor, bool includeClosed = false, string? kind = null, CancellationToken ct = default)
    {
        var query = Visible(actor);
        if (!includeClosed)
        {
            query = query.Where(t => t.Status == AdvisorTaskStatus.Open);
        }

        if (kind is not null)
        {
            query = query.Where(t => t.Kind == kind);
        }

        var rows = await WithAccount(query)
            .OrderBy(x => x.Task.DueOn).ThenBy(x => x.Task.Id).ToListAsync(ct);
        return [.. rows.Select(x => ToView(x.Task, x.Account))];
    }

    /// <summary>
    /// One page of the tasks, by due date then id (keyset paging, as the book). The filters are
    /// those of <see cref="ListAsync"/>; an anchor outside the filtered list starts at the top.
    /// </summary>
    public async Task<Paged<AdvisorTaskView>> PageAsync(Actor actor, PageAt at, bool includeClosed = false, string? kind = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        var query = Visible(actor);
        if (!includeClosed)
        {
            query = query.Where(t => t.Status == AdvisorTaskStatus.Open);
        }

        if (kind is not null)
        {
            query = query.Where(t => t.Kind == kind);
        }

        var size = at.Rows;
        var anchorId = at.After ?? at.Before;
        var anchor = anchorId is { } id ? await query.Where(t => t.Id == id).Select(t => new { t.Id, t.DueOn }).SingleOrDefaultAsync(ct) : null;
        List<TaskWithAccount> rows = [];
        if (anchor is not null && at.After is not null)
        {
            rows = await WithAccount(query.Where(t => t.DueOn > anchor.DueOn || (t.DueOn == anchor.DueOn && t.Id > anchor.Id)))
                .OrderBy(x => x.Task.DueOn).ThenBy(x => x.Task.Id).Take(size).ToListAsync(ct);
        }
        else if (anchor is not null)
        {
            rows = await WithAccount(query.Where(t => t.DueOn < anchor.DueOn || (t.DueOn == anchor.DueOn && t.Id < anchor.Id)))
                .OrderByDescending(x => x.Task.DueOn).ThenByDescending(x => x.Task.Id).Take(size).ToListAsync(ct);
            rows.Reverse();
        }

        // No anchor, or a previous page shorter than a page: the top, so the first page always looks the same.
        if (anchor is null || (at.After is null && rows.Count < size))
        {
            rows = await WithAccount(query).OrderBy(x => x.Task.DueOn).ThenBy(x => x.Task.Id).Take(size).ToListAsync(ct);
        }
        else if (rows.Count == 0)
        {
            // Nothing after the anchor any more (taken or closed since): the last page rather than an empty one.
            rows = await WithAccount(query).OrderByDescending(x => x.Task.DueOn).ThenByDescending(x => x.Task.Id).Take(size).ToListAsync(ct);
            rows.Reverse();
        }

        var total = await query.CountAsync(ct);
        var skipped = 0;
        if (rows.Count > 0 && anchor is not null)
        {
            var first = rows[0].Task;
            skipped = await query.CountAsync(t => t.DueOn < first.DueOn || (t.DueOn == first.DueOn && t.Id < first.Id), ct);
        }

        return Paged.Of([.. rows.Select(x => ToView(x.Task, x.Account))], skipped, total, t => t.Id);
    }

    /// <summary>One task the actor may see; null otherwise.</summary>
    public async Task<AdvisorTaskView?> FindAsync(Actor actor, long taskId, CancellationToken ct = default)
    {
        var row = await WithAccount(Visible(actor).Where(t => t.Id == taskId)).SingleOrDefaultAsync(ct);
        return row is null ? null : ToView(row.Task, row.Account);
    }

    /// <summary>
    /// Takes a task from the unassigned queue. One conditional UPDATE (still unassigned and
    /// open) decides between two advisors taking it at once: the second is told it was taken.
    /// </summary>
    public async Task<AdvisorTaskView> TakeAsync(Actor.Advisor advisor, long taskId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var taken = await db.AdvisorTasks
            .Where(t => t.Id == taskId && t.AdvisorId == null && t.Status == AdvisorTaskStatus.Open)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.AdvisorId, advisor.Id), ct);
        if (taken == 0)
        {
            var current = await db.AdvisorTasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.AdvisorId, t.Status }).SingleOrDefaultAsync(ct);
            if (current is { AdvisorId: { } owner, Status: AdvisorTaskStatus.Open } && owner == advisor.Id)
            {
                // Taken twice by the same advisor (a double click): it is already theirs.
                return (await FindAsync(advisor, taskId, ct))!;
            }

            throw current switch
            {
                null => new DomainException(DomainErrors.AdvisorTaskUnknown, taskId),
                { AdvisorId: { } other } when other != advisor.Id => new DomainException(DomainErrors.AdvisorTaskTaken, taskId),
                _ => new DomainException(DomainErrors.AdvisorTaskClosed, taskId),
            };
        }

        db.Audit.Add(new AuditEntry { At = now, Actor = advisor.AuditName, Action = "advisor-task.taken", Entity = "advisor-task", EntityId = taskId });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await FindAsync(advisor, taskId, ct))!;
    }

    /// <summary>Closes an open task of the actor's with what was done; the same conditional UPDATE keeps a second close from overwriting the first.</summary>
    public async Task<AdvisorTaskView> CloseAsync(Actor actor, long taskId, string outcome, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var text = outcome?.Trim() ?? "";
        if (text.Length == 0 || text.Length > MaxOutcomeLength)
        {
            throw new DomainException(DomainErrors.AdvisorTaskOutcomeRequired, MaxOutcomeLength);
        }

        // An advisor closes its own tasks (take an unassigned one first); an administrator any.
        var mine = actor is Actor.Advisor advisor
            ? db.AdvisorTasks.Where(t => t.AdvisorId == advisor.Id)
            : actor.SeesEverything ? db.AdvisorTasks : db.AdvisorTasks.Where(t => false);
        if (!await mine.AnyAsync(t => t.Id == taskId, ct))
        {
            throw new DomainException(DomainErrors.AdvisorTaskUnknown, taskId);
        }

        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var closed = await mine.Where(t => t.Id == taskId && t.Status == AdvisorTaskStatus.Open)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, AdvisorTaskStatus.Done).SetProperty(t => t.ClosedAt, now).SetProperty(t => t.Outcome, text), ct);
        if (closed == 0)
        {
            throw new DomainException(DomainErrors.AdvisorTaskClosed, taskId);
        }

        db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "advisor-task.closed", Entity = "advisor-task", EntityId = taskId, Details = text });
        if (await db.AdvisorTasks.AnyAsync(t => t.Id == taskId && t.Kind == AdvisorTaskKinds.Callback, ct))
        {
            // The callback done and its survey commit together; the conditional close above lets only one close through.
            await FeedbackSurveys.AddForCallbackAsync(db, taskId, now, actor.AuditName, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await FindAsync(actor, taskId, ct))!;
    }

    /// <summary>An advisor's own tasks and the unassigned queue; everything for an administrator; nothing for a partner.</summary>
    private IQueryable<AdvisorTask> Visible(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var tasks = db.AdvisorTasks.AsNoTracking();
        return actor switch
        {
            Actor.Advisor advisor => tasks.Where(t => t.AdvisorId == advisor.Id || t.AdvisorId == null),
            _ when actor.SeesEverything => tasks,
            _ => tasks.Where(t => false),
        };
    }

    /// <summary>Each task with its account's name; a public callback from someone no contact matches has none.</summary>
    private IQueryable<TaskWithAccount> WithAccount(IQueryable<AdvisorTask> tasks) =>
        tasks.GroupJoin(db.Accounts, t => t.AccountId, a => (long?)a.Id, (t, accounts) => new { Task = t, accounts })
            .SelectMany(x => x.accounts.DefaultIfEmpty(), (x, a) => new TaskWithAccount { Task = x.Task, Account = a == null ? null : a.Name });

    // Member initialisation, not a constructor: EF Core translates ordering by its members.
    private sealed class TaskWithAccount
    {
        public required AdvisorTask Task { get; init; }

        public string? Account { get; init; }
    }

    internal static AdvisorTaskView ToView(AdvisorTask t, string? account) =>
        new(t.Id, t.Kind, t.AdvisorId, t.AdvisorId is null, t.AccountId, account, t.SubscriptionId, t.DueOn, t.Status, t.RecommendedValidation,
            t.Kind == AdvisorTaskKinds.CheckIn ? NewToCustomer.Parse(t.Details) : NewToCustomer.None, t.Details, t.ClosedAt, t.Outcome);
}
