using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Engagement;
using Renewals.Core.Feedback;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Advisors;

/// <summary>A review meeting as the workspace lists it; <see cref="Start"/> is local to <see cref="TimeZoneId"/>.</summary>
public sealed record AdvisorMeetingView(
    long Id, long AccountId, string Account, long AdvisorId, long ContactId, long? TaskId, LocalDateTime Start, int DurationMinutes, string TimeZoneId,
    string? Location, bool IsCancelled, int Sequence);

/// <summary>What the advisor records after a review meeting; the review's texts and topics only count when it was held.</summary>
/// <param name="ProductIds">Catalog products the adoption review went through.</param>
/// <param name="FamilyIds">Catalog product families the adoption review went through.</param>
public sealed record MeetingOutcome(
    bool Held, string? ToolsUsed, string? ResourcesKnown, string? NextSteps, IReadOnlyList<long>? ProductIds = null, IReadOnlyList<long>? FamilyIds = null);

/// <summary>A recorded outcome with its adoption review, topics named from the catalog.</summary>
public sealed record AdoptionReviewView(
    long Id, long MeetingId, bool Held, Instant RecordedAt, string RecordedBy, string? ToolsUsed, string? ResourcesKnown, string? NextSteps,
    IReadOnlyList<string> Products, IReadOnlyList<string> Families);

/// <summary>A meeting with its attendee and, once recorded, its outcome.</summary>
/// <param name="OutcomeDue">The meeting's day has come and nothing is recorded yet: the advisor may record it now.</param>
/// <param name="Changeable">Not cancelled and not begun: it may still be moved or cancelled.</param>
public sealed record MeetingRecord(AdvisorMeetingView Meeting, string Contact, AdoptionReviewView? Outcome, bool OutcomeDue, bool Changeable);

/// <summary>Someone to invite, a product or family to review: a choice on the meeting forms.</summary>
public sealed record Choice(long Id, string Name);

/// <summary>What the meeting forms offer for an account: its contacts (primary first), its zone, the catalog.</summary>
public sealed record MeetingChoices(
    long AccountId, string Account, string TimeZoneId, LocalDate Today, IReadOnlyList<Choice> Contacts, IReadOnlyList<Choice> Products, IReadOnlyList<Choice> Families);

/// <summary>An account's history as the workspace shows it: meetings with their outcomes, tasks closed, notices filed.</summary>
public sealed record AccountHistory(IReadOnlyList<MeetingRecord> Meetings, IReadOnlyList<AdvisorTaskView> ClosedTasks, IReadOnlyList<NoticeView> Notices);

/// <summary>
/// Review meetings from the workspace: MeetingService does the work (invitation, update,
/// cancellation, audit); this checks first that the task, account or meeting is the
/// advisor's. A task still in the unassigned queue is taken before its meeting is set up.
/// </summary>
public sealed class AdvisorMeetingService(RenewalsDbContext db, IClock clock)
{
    public const int MaxReviewLength = 2000;

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

    /// <summary>One of the actor's meetings with its outcome; null when it is not the actor's.</summary>
    public async Task<MeetingRecord?> FindAsync(Actor actor, long meetingId, CancellationToken ct = default)
    {
        var rows = await RecordsAsync(Visible(actor).Where(m => m.Id == meetingId), ct);
        return rows.SingleOrDefault();
    }

    /// <summary>What the forms offer for an account of the actor's book; null when it is not one.</summary>
    public async Task<MeetingChoices?> ChoicesAsync(Actor actor, long accountId, CancellationToken ct = default)
    {
        var account = await db.Accounts.AsNoTracking().VisibleTo(actor).Include(a => a.Contacts).SingleOrDefaultAsync(a => a.Id == accountId, ct);
        return account is null ? null : await ChoicesAsync(account, ct);
    }

    /// <summary>What the forms offer for the account of one of the actor's meetings; null when the meeting is not the actor's.</summary>
    public async Task<MeetingChoices?> ChoicesForMeetingAsync(Actor actor, long meetingId, CancellationToken ct = default)
    {
        var accountId = await Visible(actor).Where(m => m.Id == meetingId).Select(m => (long?)m.AccountId).SingleOrDefaultAsync(ct);
        if (accountId is null)
        {
            return null;
        }

        var account = await db.Accounts.AsNoTracking().Include(a => a.Contacts).SingleAsync(a => a.Id == accountId, ct);
        return await ChoicesAsync(account, ct);
    }

    /// <summary>What the forms offer for the account of one of the actor's tasks (a check-in, open); null otherwise.</summary>
    public async Task<MeetingChoices?> ChoicesForTaskAsync(Actor actor, long taskId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var tasks = actor switch
        {
            Actor.Advisor advisor => db.AdvisorTasks.Where(t => t.AdvisorId == advisor.Id),
            _ when actor.SeesEverything => db.AdvisorTasks,
            _ => db.AdvisorTasks.Where(t => false),
        };
        var accountId = await tasks.Where(t => t.Id == taskId && t.Kind == AdvisorTaskKinds.CheckIn && t.Status == AdvisorTaskStatus.Open)
            .Select(t => (long?)t.AccountId).SingleOrDefaultAsync(ct);
        if (accountId is null)
        {
            return null;
        }

        var account = await db.Accounts.AsNoTracking().Include(a => a.Contacts).SingleAsync(a => a.Id == accountId, ct);
        return await ChoicesAsync(account, ct);
    }

    /// <summary>
    /// Records what came of a meeting, once, from the meeting's day on. Held: the adoption
    /// review is kept and the check-in task the meeting answers is closed with the review's
    /// next steps as its outcome. Not held: the check-in task goes back to open, so the
    /// check-in shows as not held and a new meeting is set up from it. One audit row each.
    /// </summary>
    public async Task<AdoptionReviewView> RecordOutcomeAsync(Actor actor, long meetingId, MeetingOutcome outcome, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var meeting = await Visible(actor).SingleOrDefaultAsync(m => m.Id == meetingId, ct)
            ?? throw new DomainException(DomainErrors.MeetingUnknown, meetingId);
        if (meeting.IsCancelled)
        {
            throw new DomainException(DomainErrors.MeetingOutcomeOfCancelled, meetingId);
        }

        var now = clock.GetCurrentInstant();
        var zone = DateTimeZoneProviders.Tzdb[meeting.TimeZoneId];
        if (meeting.Start.Date > now.InZone(zone).Date)
        {
            throw new DomainException(DomainErrors.MeetingOutcomeTooEarly, meetingId, meeting.Start.Date);
        }

        var review = new AdoptionReview { MeetingId = meeting.Id, AccountId = meeting.AccountId, Held = outcome.Held, RecordedAt = now, RecordedBy = actor.AuditName };
        if (outcome.Held)
        {
            review.ToolsUsed = Text(outcome.ToolsUsed);
            review.ResourcesKnown = Text(outcome.ResourcesKnown);
            review.NextSteps = Text(outcome.NextSteps);
            if (review.ToolsUsed is null && review.ResourcesKnown is null && review.NextSteps is null)
            {
                throw new DomainException(DomainErrors.AdoptionReviewEmpty);
            }

            var products = (outcome.ProductIds ?? []).Distinct().ToList();
            var families = (outcome.FamilyIds ?? []).Distinct().ToList();
            var knownProducts = await db.Products.Where(p => products.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
            var knownFamilies = await db.ProductFamilies.Where(f => families.Contains(f.Id)).Select(f => f.Id).ToListAsync(ct);
            var unknown = products.Except(knownProducts).Concat(families.Except(knownFamilies)).ToList();
            if (unknown.Count > 0)
            {
                throw new DomainException(DomainErrors.AdoptionReviewTopicUnknown, unknown[0]);
            }

            review.Topics.AddRange(products.Select(id => new AdoptionReviewTopic { ProductId = id }));
            review.Topics.AddRange(families.Select(id => new AdoptionReviewTopic { ProductFamilyId = id }));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await db.AdoptionReviews.AnyAsync(r => r.MeetingId == meetingId, ct))
        {
            throw new DomainException(DomainErrors.MeetingOutcomeAlreadyRecorded, meetingId);
        }

        db.AdoptionReviews.Add(review);
        if (outcome.Held)
        {
            // In this transaction: the meeting held and its survey are recorded together or not at all.
            await FeedbackSurveys.AddForMeetingAsync(db, meeting, now, actor.AuditName, ct);
        }

        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = outcome.Held ? "meeting.held" : "meeting.not-held", Entity = "review-meeting", EntityId = meeting.Id,
            Details = review.NextSteps ?? review.ToolsUsed ?? review.ResourcesKnown,
        });
        if (meeting.AdvisorTaskId is { } taskId)
        {
            if (outcome.Held)
            {
                // Scheduling marked the check-in done; the review is what it came to.
                var text = review.NextSteps ?? review.ToolsUsed ?? review.ResourcesKnown!;
                await db.AdvisorTasks.Where(t => t.Id == taskId && t.Outcome == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, AdvisorTaskStatus.Done).SetProperty(t => t.ClosedAt, now).SetProperty(t => t.Outcome, text), ct);
                db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "advisor-task.closed", Entity = "advisor-task", EntityId = taskId, Details = text });
            }
            else
            {
                await db.AdvisorTasks.Where(t => t.Id == taskId && t.Outcome == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, AdvisorTaskStatus.Open), ct);
                db.Audit.Add(new AuditEntry { At = now, Actor = actor.AuditName, Action = "advisor-task.reopened", Entity = "advisor-task", EntityId = taskId, Details = $"meeting {meeting.Id} not held" });
            }
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Recorded meanwhile by another request: the unique index on the meeting decided.
            throw new DomainException(DomainErrors.MeetingOutcomeAlreadyRecorded, meetingId);
        }

        await transaction.CommitAsync(ct);
        return (await ReviewsAsync([review.Id], byReview: true, ct)).Single();
    }

    /// <summary>The history of an account of the actor's book; null when it is not one.</summary>
    public async Task<AccountHistory?> HistoryAsync(Actor actor, long accountId, CancellationToken ct = default)
    {
        var account = await db.Accounts.AsNoTracking().VisibleTo(actor).Where(a => a.Id == accountId).Select(a => new { a.Id, a.TimeZoneId }).SingleOrDefaultAsync(ct);
        if (account is null)
        {
            return null;
        }

        // Every meeting of the account, whoever held it: the history is the account's.
        var meetings = await RecordsAsync(db.ReviewMeetings.AsNoTracking().Where(m => m.AccountId == accountId), ct);
        var tasks = await db.AdvisorTasks.AsNoTracking().Where(t => t.AccountId == accountId && t.ClosedAt != null)
            .Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => new { Task = t, a.Name }).ToListAsync(ct);
        var notices = await db.CancellationNotices.AsNoTracking()
            .Where(n => db.Subscriptions.Any(s => s.Id == n.SubscriptionId && s.AccountId == accountId)).OrderBy(n => n.Id).ToListAsync(ct);
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        return new AccountHistory(
            [.. meetings.OrderByDescending(m => m.Meeting.Start).ThenByDescending(m => m.Meeting.Id)],
            [.. tasks.OrderByDescending(t => t.Task.ClosedAt).ThenByDescending(t => t.Task.Id).Select(t => AdvisorTaskService.ToView(t.Task, t.Name))],
            [.. notices.Select(n => SubscriptionQueries.ToView(n, zone))]);
    }

    private async Task<MeetingChoices> ChoicesAsync(Account account, CancellationToken ct)
    {
        var products = await db.Products.AsNoTracking().OrderBy(p => p.Name).ThenBy(p => p.Id).Select(p => new Choice(p.Id, p.Name)).ToListAsync(ct);
        var families = await db.ProductFamilies.AsNoTracking().OrderBy(f => f.Name).ThenBy(f => f.Id).Select(f => new Choice(f.Id, f.Name)).ToListAsync(ct);
        var contacts = account.Contacts.OrderBy(c => c.Role == ContactRole.Primary ? 0 : 1).ThenBy(c => c.Id).Select(c => new Choice(c.Id, $"{c.Name} <{c.Email}>")).ToList();
        var today = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[account.TimeZoneId]).Date;
        return new MeetingChoices(account.Id, account.Name, account.TimeZoneId, today, contacts, products, families);
    }

    private async Task<List<MeetingRecord>> RecordsAsync(IQueryable<ReviewMeeting> meetings, CancellationToken ct)
    {
        var rows = await meetings
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { Meeting = m, Account = a.Name })
            .Join(db.Contacts, x => x.Meeting.ContactId, c => c.Id, (x, c) => new { x.Meeting, x.Account, Contact = c.Name })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Meeting.Id).ToList();
        var reviews = (await ReviewsAsync(ids, byReview: false, ct)).ToDictionary(r => r.MeetingId);
        var now = clock.GetCurrentInstant();
        return [.. rows.Select(r =>
        {
            var outcome = reviews.GetValueOrDefault(r.Meeting.Id);
            var today = now.InZone(DateTimeZoneProviders.Tzdb[r.Meeting.TimeZoneId]).Date;
            return new MeetingRecord(
                ToView(r.Meeting, r.Account), r.Contact, outcome,
                OutcomeDue: outcome is null && !r.Meeting.IsCancelled && r.Meeting.Start.Date <= today,
                Changeable: !r.Meeting.IsCancelled && MeetingService.StartInstant(r.Meeting) > now);
        })];
    }

    private async Task<List<AdoptionReviewView>> ReviewsAsync(List<long> ids, bool byReview, CancellationToken ct)
    {
        var reviews = await db.AdoptionReviews.AsNoTracking().Include(r => r.Topics)
            .Where(r => byReview ? ids.Contains(r.Id) : ids.Contains(r.MeetingId)).ToListAsync(ct);
        var productIds = reviews.SelectMany(r => r.Topics).Where(t => t.ProductId != null).Select(t => t.ProductId!.Value).Distinct().ToList();
        var familyIds = reviews.SelectMany(r => r.Topics).Where(t => t.ProductFamilyId != null).Select(t => t.ProductFamilyId!.Value).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var families = await db.ProductFamilies.AsNoTracking().Where(f => familyIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        return [.. reviews.Select(r => new AdoptionReviewView(
            r.Id, r.MeetingId, r.Held, r.RecordedAt, r.RecordedBy, r.ToolsUsed, r.ResourcesKnown, r.NextSteps,
            [.. r.Topics.Where(t => t.ProductId != null).Select(t => products[t.ProductId!.Value]).Order(StringComparer.CurrentCulture)],
            [.. r.Topics.Where(t => t.ProductFamilyId != null).Select(t => families[t.ProductFamilyId!.Value]).Order(StringComparer.CurrentCulture)]))];
    }

    private static string? Text(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length <= MaxReviewLength ? trimmed : throw new DomainException(DomainErrors.AdoptionReviewTooLong, MaxReviewLength);
    }

    private async Task MustSeeAsync(Actor actor, long meetingId, CancellationToken ct)
    {
        if (!await Visible(actor).AnyAsync(m => m.Id == meetingId, ct))
        {
            throw new DomainException(DomainErrors.MeetingUnknown, meetingId);
        }
    }

    /// <summary>An advisor's own meetings (it may meet an account outside its book through a task it took); all for an administrator.</summary>
    private IQueryable<ReviewMeeting> Visible(Actor actor)
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

    private static AdvisorMeetingView ToView(ReviewMeeting m, string account) =>
        new(m.Id, m.AccountId, account, m.AdvisorId, m.ContactId, m.AdvisorTaskId, m.Start, m.DurationMinutes, m.TimeZoneId, m.Location, m.IsCancelled, m.Sequence);
}
