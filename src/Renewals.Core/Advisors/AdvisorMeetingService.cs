using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Engagement;
using Renewals.Data;
using Renewals.Domain;

namespace Renewals.Core.Advisors;

/// <summary>A review meeting as the workspace lists it; <see cref="Start"/> is local to <see cref="TimeZoneId"/>.</summary>
public sealed record AdvisorMeetingView(
    long Id, long AccountId, string Account, long AdvisorId, long ContactId, long? TaskId, LocalDateTime Start, int DurationMinutes, string TimeZoneId,
    string? Location, bool IsCancelled, int Sequence);

/// <summary>
/// Review meetings from the workspace: MeetingService does the work (invitation, update,
/// cancellation, audit); this checks first that the task, account or meeting is the
/// advisor's. A task still in the unassigned queue is taken before its meeting is set up.
/// </summary>
public sealed class AdvisorMeetingService(RenewalsDbContext db, IClock clock)
{
    public async Task<IReadOnlyList<AdvisorMeetingView>> ListAsync(Actor actor, bool includeCancelled = false, CancellationToken ct = default)
    {
        var rows = await Visible(actor).Where(m => includeCancelled || !m.IsCancelled)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { Meeting = m, a.Name })
            .ToListAsync(ct);
        return [.. rows.Select(x => ToView(x.Meeting, x.Name)).OrderBy(m => m.Start).ThenBy(m => m.Id)];
    }

    public async Task<AdvisorMeetingView> ScheduleAsync(Actor actor, NewMeeting request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        if (actor is Actor.Advisor advisor)
        {
            if (request.TaskId is { } taskId && !await db.AdvisorTasks.AnyAsync(t => t.Id == taskId && t.AdvisorId == advisor.Id, ct))
            {
                throw new DomainException(DomainErrors.AdvisorTaskUnknown, taskId);
            }

            if (request.AccountId is { } accountId && !await db.Accounts.VisibleTo(actor).AnyAsync(a => a.Id == accountId, ct))
            {
                throw new DomainException(DomainErrors.AccountUnknown, accountId);
            }
        }
        else if (!actor.SeesEverything)
        {
            throw new DomainException(DomainErrors.AdministratorsOnly);
        }

        var meeting = await new MeetingService(db, clock).ScheduleAsync(request, actor.AuditName, ct);
        return await ViewAsync(meeting.Id, ct);
    }

    public async Task<AdvisorMeetingView> RescheduleAsync(
        Actor actor, long meetingId, LocalDateTime start, int? durationMinutes = null, string? timeZoneId = null, string? location = null,
        CancellationToken ct = default)
    {
        await MustSeeAsync(actor, meetingId, ct);
        await new MeetingService(db, clock).RescheduleAsync(meetingId, start, durationMinutes, actor.AuditName, timeZoneId, location, ct);
        return await ViewAsync(meetingId, ct);
    }

    public async Task<AdvisorMeetingView> CancelAsync(Actor actor, long meetingId, CancellationToken ct = default)
    {
        await MustSeeAsync(actor, meetingId, ct);
        await new MeetingService(db, clock).CancelAsync(meetingId, actor.AuditName, ct);
        return await ViewAsync(meetingId, ct);
    }

    private async Task MustSeeAsync(Actor actor, long meetingId, CancellationToken ct)
    {
        if (!await Visible(actor).AnyAsync(m => m.Id == meetingId, ct))
        {
            throw new DomainException(DomainErrors.MeetingUnknown, meetingId);
        }
    }

    /// <summary>An advisor's own meetings (it may meet an account outside its book through a task it took); all for an administrator.</summary>
    private IQueryable<Data.Model.ReviewMeeting> Visible(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var meetings = db.ReviewMeetings.AsNoTracking();
        return actor switch
        {
            Actor.Advisor advisor => meetings.Where(m => m.AdvisorId == advisor.Id),
            _ when actor.SeesEverything => meetings,
            _ => meetings.Where(m => false),
        };
    }

    private async Task<AdvisorMeetingView> ViewAsync(long meetingId, CancellationToken ct)
    {
        var row = await db.ReviewMeetings.AsNoTracking().Where(m => m.Id == meetingId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { Meeting = m, a.Name }).SingleAsync(ct);
        return ToView(row.Meeting, row.Name);
    }

    private static AdvisorMeetingView ToView(Data.Model.ReviewMeeting m, string account) =>
        new(m.Id, m.AccountId, account, m.AdvisorId, m.ContactId, m.AdvisorTaskId, m.Start, m.DurationMinutes, m.TimeZoneId, m.Location, m.IsCancelled, m.Sequence);
}
