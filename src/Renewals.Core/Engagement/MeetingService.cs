using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Engagement;

/// <summary>
/// What to schedule: a local start in a zone (the account's when none is given), a duration,
/// an optional location and, optionally, the contact to invite (the account's primary contact
/// otherwise). Build it with <see cref="ForTask"/> or <see cref="ForAccount"/>.
/// </summary>
public sealed record NewMeeting(
    LocalDateTime Start,
    int DurationMinutes = MeetingService.DefaultMinutes,
    string? TimeZoneId = null,
    string? Location = null,
    long? ContactId = null)
{
    /// <summary>The schedule-review-meeting task the meeting answers (closed when it is scheduled).</summary>
    public long? TaskId { get; init; }

    /// <summary>The account to meet, when there is no task.</summary>
    public long? AccountId { get; init; }

    public static NewMeeting ForTask(long taskId, LocalDateTime start, int durationMinutes = MeetingService.DefaultMinutes,
        string? timeZoneId = null, string? location = null, long? contactId = null) =>
        new(start, durationMinutes, timeZoneId, location, contactId) { TaskId = taskId };

    public static NewMeeting ForAccount(long accountId, LocalDateTime start, int durationMinutes = MeetingService.DefaultMinutes,
        string? timeZoneId = null, string? location = null, long? contactId = null) =>
        new(start, durationMinutes, timeZoneId, location, contactId) { AccountId = accountId };
}

/// <summary>
/// Schedules, moves and cancels review meetings between a renewal advisor and a customer
/// contact. Each change writes the meeting, an audit line and the invitation (or its
/// cancellation) into the outbox in one transaction; a refused change writes nothing.
/// Times are local to the meeting's zone (see docs/adr/004-review-meeting-times.md).
/// </summary>
public sealed class MeetingService(RenewalsDbContext db, IClock clock)
{
    public const string TaskKind = Tasks.TaskKinds.ScheduleReviewMeeting;
    public const string InvitationTemplate = "review-invitation";
    public const string CancellationTemplate = "review-cancelled";
    public const int DefaultMinutes = 45;
    public const int MinMinutes = 15;
    public const int MaxMinutes = 480;
    public const int MaxLocationLength = 300;

    public async Task<ReviewMeeting> ScheduleAsync(NewMeeting request, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TaskId is null == request.AccountId is null)
        {
            throw new DomainException(DomainErrors.MeetingTarget);
        }

        AdvisorTask? task = null;
        long accountId;
        if (request.TaskId is { } taskId)
        {
            task = await db.AdvisorTasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, ct)
                ?? throw new DomainException(DomainErrors.AdvisorTaskUnknown, taskId);
            if (task.Kind != TaskKind)
            {
                throw new DomainException(DomainErrors.AdvisorTaskNotAReviewMeeting, taskId, task.Kind);
            }

            if (task.Status == AdvisorTaskStatus.Done)
            {
                throw new DomainException(DomainErrors.AdvisorTaskAlreadyDone, taskId);
            }

            // A check-in task always belongs to an account; only a public callback may have none.
            accountId = task.AccountId ?? throw new DomainException(DomainErrors.AdvisorTaskNotAReviewMeeting, taskId, task.Kind);
        }
        else
        {
            accountId = request.AccountId!.Value;
            // A meeting set up from the account answers its oldest open check-in task, if any.
            task = await db.AdvisorTasks.AsNoTracking()
                .Where(t => t.AccountId == accountId && t.Kind == TaskKind && t.Status == AdvisorTaskStatus.Open)
                .OrderBy(t => t.DueOn).ThenBy(t => t.Id)
                .FirstOrDefaultAsync(ct);
        }

        var account = await db.Accounts.AsNoTracking().Include(a => a.Contacts).SingleOrDefaultAsync(a => a.Id == accountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, accountId);
        var advisorId = task?.AdvisorId ?? account.AdvisorId
            ?? throw new DomainException(DomainErrors.AccountWithoutAdvisor, account.Id);
        var advisor = await db.Advisors.AsNoTracking().SingleOrDefaultAsync(a => a.Id == advisorId, ct)
            ?? throw new DomainException(DomainErrors.AccountWithoutAdvisor, account.Id);
        var contact = await AttendeeAsync(account, request.ContactId, ct);
        var zone = Zone(request.TimeZoneId ?? account.TimeZoneId);
        var location = Location(request.Location);
        ValidateTime(request.Start, zone, request.DurationMinutes);

        var now = clock.GetCurrentInstant();
        var meeting = new ReviewMeeting
        {
            AccountId = account.Id,
            AdvisorId = advisor.Id,
            ContactId = contact.Id,
            AdvisorTaskId = task?.Id,
            // Stable for the meeting's whole life: calendars match updates and cancellations on it.
            Uid = $"review-{Guid.NewGuid():N}@renewals",
            Sequence = 0,
            Start = request.Start,
            DurationMinutes = request.DurationMinutes,
            TimeZoneId = zone.Id,
            Location = location,
            UpdatedAt = now,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (task is not null)
        {
            // Guarded like the engine's status changes: of two advisors scheduling the same task, one wins.
            var closed = await db.AdvisorTasks
                .Where(t => t.Id == task.Id && t.Status == AdvisorTaskStatus.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, AdvisorTaskStatus.Done), ct);
            if (closed != 1)
            {
                throw new DomainException(DomainErrors.AdvisorTaskAlreadyDone, task.Id);
            }
        }

        db.ReviewMeetings.Add(meeting);
        await db.SaveChangesAsync(ct);
        Record(meeting, account.Id, advisor, contact, task?.SubscriptionId, InvitationTemplate, actor, "meeting.scheduled", now,
            task is null ? null : $"task {task.Id}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return meeting;
    }

    /// <summary>Moves a meeting: same UID, next sequence, a new invitation. Null keeps the current duration, zone or location.</summary>
    public async Task<ReviewMeeting> RescheduleAsync(
        long meetingId, LocalDateTime start, int? durationMinutes, string actor, string? timeZoneId = null, string? location = null,
        CancellationToken ct = default)
    {
        var meeting = await ChangeableAsync(meetingId, ct);
        if (meeting.IsCancelled)
        {
            throw new DomainException(DomainErrors.MeetingCancelled, meetingId);
        }

        MustNotHaveBegun(meeting);
        var zone = Zone(timeZoneId ?? meeting.TimeZoneId);
        var duration = durationMinutes ?? meeting.DurationMinutes;
        var place = location is null ? meeting.Location : Location(location);
        ValidateTime(start, zone, duration);
        if (start == meeting.Start && duration == meeting.DurationMinutes && zone.Id == meeting.TimeZoneId && place == meeting.Location)
        {
            throw new DomainException(DomainErrors.MeetingUnchanged, meetingId, meeting.Start, meeting.TimeZoneId, meeting.DurationMinutes);
        }

        return await ChangeAsync(meeting, InvitationTemplate, actor, "meeting.rescheduled", m =>
        {
            m.Start = start;
            m.DurationMinutes = duration;
            m.TimeZoneId = zone.Id;
            m.Location = place;
        }, ct);
    }

    /// <summary>Cancels a meeting: same UID, next sequence, a cancellation to the attendee.</summary>
    public async Task<ReviewMeeting> CancelAsync(long meetingId, string actor, CancellationToken ct = default)
    {
        var meeting = await ChangeableAsync(meetingId, ct);
        if (meeting.IsCancelled)
        {
            throw new DomainException(DomainErrors.MeetingAlreadyCancelled, meetingId);
        }

        MustNotHaveBegun(meeting);
        return await ChangeAsync(meeting, CancellationTemplate, actor, "meeting.cancelled", m => m.IsCancelled = true, ct);
    }

    /// <summary>
    /// The meeting's current .ics, worded in its attendee's language and stamped with its last
    /// change, so the same sequence always gives the same file.
    /// </summary>
    public Task<string> InvitationAsync(long meetingId, CancellationToken ct = default) => InvitationAsync(db, meetingId, ct);

    /// <summary>The meeting's current invitation (.ics), in its attendee's language.</summary>
    public static async Task<string> InvitationAsync(RenewalsDbContext db, long meetingId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var meeting = await db.ReviewMeetings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meetingId, ct)
            ?? throw new DomainException(DomainErrors.MeetingUnknown, meetingId);
        var advisor = await db.Advisors.AsNoTracking().SingleAsync(a => a.Id == meeting.AdvisorId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == meeting.ContactId, ct);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == meeting.AccountId, ct);
        var culture = CultureInfo.GetCultureInfo(contact.Language);
        return MeetingInvitation.ToIcs(
            meeting, advisor, contact,
            MeetingInvitation.Summary(meeting, account.Name, culture),
            MeetingInvitation.Description(meeting, advisor, account.Name, culture),
            meeting.UpdatedAt);
    }

    /// <summary>The instant a meeting starts: its local start in its zone, the earlier one when the clocks fall back.</summary>
    public static Instant StartInstant(ReviewMeeting meeting)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        return Resolve(meeting.Start, DateTimeZoneProviders.Tzdb[meeting.TimeZoneId]).ToInstant();
    }

    /// <summary>The local end of a meeting: its start plus its duration in elapsed time, in its zone.</summary>
    public static LocalDateTime EndLocal(ReviewMeeting meeting)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        var zone = DateTimeZoneProviders.Tzdb[meeting.TimeZoneId];
        return Resolve(meeting.Start, zone).Plus(Duration.FromMinutes(meeting.DurationMinutes)).LocalDateTime;
    }

    private static ZonedDateTime Resolve(LocalDateTime local, DateTimeZone zone) =>
        zone.ResolveLocal(local, Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ThrowWhenSkipped));

    private async Task<ReviewMeeting> ChangeableAsync(long meetingId, CancellationToken ct) =>
        await db.ReviewMeetings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meetingId, ct)
            ?? throw new DomainException(DomainErrors.MeetingUnknown, meetingId);

    private void MustNotHaveBegun(ReviewMeeting meeting)
    {
        if (StartInstant(meeting) <= clock.GetCurrentInstant())
        {
            throw new DomainException(DomainErrors.MeetingAlreadyHeld, meeting.Id, meeting.Start, meeting.TimeZoneId);
        }
    }

    private async Task<ReviewMeeting> ChangeAsync(
        ReviewMeeting meeting, string template, string actor, string action, Action<ReviewMeeting> change, CancellationToken ct)
    {
        var advisor = await db.Advisors.AsNoTracking().SingleAsync(a => a.Id == meeting.AdvisorId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == meeting.ContactId, ct);
        var subscriptionId = meeting.AdvisorTaskId is { } taskId
            ? await db.AdvisorTasks.Where(t => t.Id == taskId).Select(t => t.SubscriptionId).SingleOrDefaultAsync(ct)
            : null;
        var readSequence = meeting.Sequence;
        var now = clock.GetCurrentInstant();

        change(meeting);
        meeting.Sequence = readSequence + 1;
        meeting.UpdatedAt = now;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Guarded by the sequence read above: a change made meanwhile by someone else wins, this one is refused.
        var updated = await db.ReviewMeetings
            .Where(m => m.Id == meeting.Id && m.Sequence == readSequence)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Start, meeting.Start)
                .SetProperty(m => m.DurationMinutes, meeting.DurationMinutes)
                .SetProperty(m => m.TimeZoneId, meeting.TimeZoneId)
                .SetProperty(m => m.Location, meeting.Location)
                .SetProperty(m => m.IsCancelled, meeting.IsCancelled)
                .SetProperty(m => m.Sequence, meeting.Sequence)
                .SetProperty(m => m.UpdatedAt, meeting.UpdatedAt), ct);
        if (updated != 1)
        {
            throw new DomainException(DomainErrors.MeetingChangedMeanwhile, meeting.Id);
        }

        Record(meeting, meeting.AccountId, advisor, contact, subscriptionId, template, actor, action, now, $"sequence {meeting.Sequence}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return meeting;
    }

    /// <summary>The invitation (or cancellation) into the outbox and the audit line, in the caller's transaction.</summary>
    private void Record(
        ReviewMeeting meeting, long accountId, Advisor advisor, Contact contact, long? subscriptionId, string template, string actor,
        string action, Instant now, string? details)
    {
        db.Outbox.Add(new OutboxMessage
        {
            Template = template,
            AccountId = accountId,
            ContactId = contact.Id,
            ToEmail = contact.Email,
            Language = contact.Language,
            SubscriptionId = subscriptionId,
            MeetingId = meeting.Id,
            Payload = JsonSerializer.Serialize(new
            {
                meeting_id = meeting.Id,
                uid = meeting.Uid,
                sequence = meeting.Sequence,
                cancelled = meeting.IsCancelled,
                start = LocalDateTimePattern.GeneralIso.Format(meeting.Start),
                end = LocalDateTimePattern.GeneralIso.Format(EndLocal(meeting)),
                start_utc = InstantPattern.General.Format(StartInstant(meeting)),
                zone = meeting.TimeZoneId,
                duration_minutes = meeting.DurationMinutes,
                location = meeting.Location,
                advisor = new { name = advisor.Name, email = advisor.Email },
                contact = new { name = contact.Name, email = contact.Email },
            }),
            // One per sequence: a retry of the same invitation keeps it, the next change gets a new one.
            MessageId = $"<meeting{meeting.Id}.s{meeting.Sequence}.c{contact.Id}@renewals>",
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        });
        db.Audit.Add(new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = action,
            Entity = "review-meeting",
            EntityId = meeting.Id,
            Details = details is null
                ? $"{LocalDateTimePattern.GeneralIso.Format(meeting.Start)} {meeting.TimeZoneId}, {meeting.DurationMinutes} min"
                : $"{LocalDateTimePattern.GeneralIso.Format(meeting.Start)} {meeting.TimeZoneId}, {meeting.DurationMinutes} min, {details}",
        });
    }

    private async Task<Contact> AttendeeAsync(Account account, long? contactId, CancellationToken ct)
    {
        if (contactId is { } id)
        {
            var named = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct)
                ?? throw new DomainException(DomainErrors.ContactUnknown, id);
            return named.AccountId == account.Id
                ? named
                : throw new DomainException(DomainErrors.ContactOfAnotherAccount, id, account.Id);
        }

        return account.Contacts.Where(c => c.Role == ContactRole.Primary).OrderBy(c => c.Id).FirstOrDefault()
            ?? account.Contacts.OrderBy(c => c.Id).FirstOrDefault()
            ?? throw new DomainException(DomainErrors.AccountWithoutContact, account.Id);
    }

    private static DateTimeZone Zone(string id) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) ?? throw new DomainException(DomainErrors.TimeZoneUnknown, id);

    private static string? Location(string? location)
    {
        var trimmed = location?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length <= MaxLocationLength
            ? trimmed
            : throw new DomainException(DomainErrors.MeetingLocationTooLong, trimmed.Length, MaxLocationLength);
    }

    private void ValidateTime(LocalDateTime start, DateTimeZone zone, int durationMinutes)
    {
        if (durationMinutes is < MinMinutes or > MaxMinutes)
        {
            throw new DomainException(DomainErrors.MeetingDuration, durationMinutes, MinMinutes, MaxMinutes);
        }

        if (zone.MapLocal(start).Count == 0)
        {
            throw new DomainException(DomainErrors.MeetingInClockChangeGap, start, zone.Id);
        }

        if (Resolve(start, zone).ToInstant() <= clock.GetCurrentInstant())
        {
            throw new DomainException(DomainErrors.MeetingInThePast, start, zone.Id);
        }
    }
}
