using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tasks;

/// <summary>
/// An advisor task as the advisors see it. <see cref="Unassigned"/>: the account has no
/// advisor, so the task waits in the queue every advisor sees.
/// </summary>
public sealed record TaskView(
    long Id, long? AdvisorId, string? Advisor, bool Unassigned, long? AccountId, string? Account, long? SubscriptionId, string Kind, LocalDate DueOn,
    AdvisorTaskStatus Status, bool RecommendedValidation, NewToCustomer NewToCustomer, string? Details);

/// <summary>Reads advisor tasks: one advisor's with the unassigned queue, the queue alone, or all.</summary>
public sealed class TaskService(RenewalsDbContext db)
{
    /// <summary>The kind of task the check-in creates; its details name what is new to the customer.</summary>
    public const string CheckInKind = TaskKinds.ScheduleReviewMeeting;

    /// <param name="advisorId">This advisor's tasks and the unassigned ones.</param>
    /// <param name="unassignedOnly">Only the unassigned queue.</param>
    /// <param name="includeClosed">Closed tasks as well as open ones.</param>
    public async Task<IReadOnlyList<TaskView>> ListAsync(long? advisorId = null, bool unassignedOnly = false, bool includeClosed = false, CancellationToken ct = default)
    {
        if (advisorId is { } id && !await db.Advisors.AnyAsync(a => a.Id == id, ct))
        {
            throw new DomainException(DomainErrors.AdvisorUnknown, id);
        }

        var query = db.AdvisorTasks.AsNoTracking();
        if (!includeClosed)
        {
            query = query.Where(t => t.Status == AdvisorTaskStatus.Open);
        }

        if (unassignedOnly)
        {
            query = query.Where(t => t.AdvisorId == null);
        }
        else if (advisorId is { } advisor)
        {
            query = query.Where(t => t.AdvisorId == advisor || t.AdvisorId == null);
        }

        var rows = await query
            // A public callback from someone no contact matches has no account.
            .GroupJoin(db.Accounts, t => t.AccountId, a => (long?)a.Id, (t, accounts) => new { Task = t, accounts })
            .SelectMany(x => x.accounts.DefaultIfEmpty(), (x, a) => new { x.Task, Account = a == null ? null : a.Name })
            .GroupJoin(db.Advisors, x => x.Task.AdvisorId, a => a.Id, (x, advisors) => new { x.Task, x.Account, advisors })
            .SelectMany(x => x.advisors.DefaultIfEmpty(), (x, adv) => new { x.Task, x.Account, Advisor = adv == null ? null : adv.Name })
            .OrderBy(x => x.Task.DueOn).ThenBy(x => x.Task.Id)
            .ToListAsync(ct);
        return [.. rows.Select(x => new TaskView(x.Task.Id, x.Task.AdvisorId, x.Advisor, x.Task.AdvisorId is null, x.Task.AccountId, x.Account,
            x.Task.SubscriptionId, x.Task.Kind, x.Task.DueOn, x.Task.Status, x.Task.RecommendedValidation,
            x.Task.Kind == CheckInKind ? NewToCustomer.Parse(x.Task.Details) : NewToCustomer.None, x.Task.Details))];
    }
}
