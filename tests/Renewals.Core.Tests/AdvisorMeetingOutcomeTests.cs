using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Cancellations;
using Renewals.Core.Engagement;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteAdvisorMeetingOutcomeTests() : AdvisorMeetingOutcomeTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdvisorMeetingOutcomeTests() : AdvisorMeetingOutcomeTests(DatabaseProvider.PostgreSql);

/// <summary>
/// What came of a review meeting: the adoption review kept on the account's history, the
/// check-in task closed with it (or reopened when the meeting was not held), once, by the
/// advisor whose meeting it is; and a posted letter's scan checked like the customer's upload.
/// </summary>
public abstract class AdvisorMeetingOutcomeTests(DatabaseProvider provider) : DatabaseTest(provider), IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-outcome-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_held_meeting_keeps_its_adoption_review_on_the_account_history_and_closes_the_check_in_with_its_next_steps()
    {
        var mine = await Book.AdvisorAsync("Camille Laurent");
        var other = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Acme", advisorId: mine);
        await Book.ProductAsync("DSN-PRO", "Design");
        await Book.ProductAsync("ANL-STD", "Analytics");
        var taskId = await CheckInAsync(account.Id, mine);
        long product, family;
        await using (var seed = Database.Context())
        {
            product = await seed.Products.Where(p => p.Code == "ANL-STD").Select(p => p.Id).SingleAsync();
            family = await seed.ProductFamilies.Where(f => f.Name == "Design").Select(f => f.Id).SingleAsync();
        }

        await using var db = Database.Context();
        var meetings = new AdvisorMeetingService(db, Clock);
        // Clock: 1 December 2026, 13:00 in Paris; the meeting is on 3 December at 10:00.
        var meeting = await meetings.ScheduleAsync(new Actor.Advisor(mine), NewMeeting.ForTask(taskId, new LocalDateTime(2026, 12, 3, 10, 0), location: "Visio"));
        var review = new MeetingOutcome(true, "  Dashboards, the API  ", "Academy videos", "Train two more users by March", [product], [family]);
        var tooEarly = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, review));

        Clock.Reset(Instant.FromUtc(2026, 12, 3, 11, 0));
        var byOther = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(other), meeting.Id, review));
        var empty = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, new MeetingOutcome(true, " ", null, "")));
        var unknownTopic = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, review with { ProductIds = [987654] }));
        var tooLong = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, review with { NextSteps = new string('x', 2001) }));
        Assert.Equal(0, await db.AdoptionReviews.CountAsync());
        var recorded = await meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, review);
        var twice = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), meeting.Id, review));

        Assert.Equal(DomainErrors.MeetingOutcomeTooEarly, tooEarly.Code);
        Assert.Equal(DomainErrors.MeetingUnknown, byOther.Code);
        Assert.Equal(DomainErrors.AdoptionReviewEmpty, empty.Code);
        Assert.Equal(DomainErrors.AdoptionReviewTopicUnknown, unknownTopic.Code);
        Assert.Equal(DomainErrors.AdoptionReviewTooLong, tooLong.Code);
        Assert.Equal(DomainErrors.MeetingOutcomeAlreadyRecorded, twice.Code);
        Assert.Equal((true, "Dashboards, the API", "Academy videos", "Train two more users by March", $"advisor:{mine}", Instant.FromUtc(2026, 12, 3, 11, 0)),
            (recorded.Held, recorded.ToolsUsed, recorded.ResourcesKnown, recorded.NextSteps, recorded.RecordedBy, recorded.RecordedAt));
        Assert.Equal(["Product ANL-STD"], recorded.Products);
        Assert.Equal(["Design"], recorded.Families);

        var task = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
        Assert.Equal((AdvisorTaskStatus.Done, "Train two more users by March", (Instant?)Instant.FromUtc(2026, 12, 3, 11, 0)), (task.Status, task.Outcome, task.ClosedAt));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Action == "meeting.held" || a.Action == "advisor-task.closed").OrderBy(a => a.Id)
            .Select(a => new { a.Action, a.Actor, a.EntityId }).ToListAsync();
        Assert.Equal([("meeting.held", $"advisor:{mine}", meeting.Id), ("advisor-task.closed", $"advisor:{mine}", taskId)], audit.Select(a => (a.Action, a.Actor, a.EntityId)));

        var history = await meetings.HistoryAsync(new Actor.Advisor(mine), account.Id);
        Assert.NotNull(history);
        var shown = Assert.Single(history.Meetings);
        Assert.Equal((meeting.Id, "Jane Primary", false, false), (shown.Meeting.Id, shown.Contact, shown.OutcomeDue, shown.Changeable));
        Assert.Equal("Academy videos", shown.Outcome?.ResourcesKnown);
        Assert.Equal([taskId], history.ClosedTasks.Select(t => t.Id));
        Assert.Null(await meetings.HistoryAsync(new Actor.Advisor(other), account.Id));
    }

    [Fact]
    public async Task A_meeting_not_held_reopens_its_check_in_and_a_cancelled_one_has_no_outcome()
    {
        var mine = await Book.AdvisorAsync();
        var account = await Book.AccountAsync("Acme", advisorId: mine, zone: "America/New_York");
        var taskId = await CheckInAsync(account.Id, mine);
        await using var db = Database.Context();
        var meetings = new AdvisorMeetingService(db, Clock);
        // Set up from the account: it answers the account's open check-in.
        var first = await meetings.ScheduleAsync(new Actor.Advisor(mine), NewMeeting.ForAccount(account.Id, new LocalDateTime(2026, 12, 2, 9, 0)));
        var second = await meetings.ScheduleAsync(new Actor.Advisor(mine), NewMeeting.ForAccount(account.Id, new LocalDateTime(2026, 12, 4, 9, 0)));
        await meetings.CancelAsync(new Actor.Advisor(mine), second.Id);
        Assert.Equal(AdvisorTaskStatus.Done, await db.AdvisorTasks.Where(t => t.Id == taskId).Select(t => t.Status).SingleAsync());

        // 2 December 2026, 16:00 in New York.
        Clock.Reset(Instant.FromUtc(2026, 12, 2, 21, 0));
        var cancelled = await Assert.ThrowsAsync<DomainException>(() => meetings.RecordOutcomeAsync(new Actor.Advisor(mine), second.Id, new MeetingOutcome(false, null, null, null)));
        var notHeld = await meetings.RecordOutcomeAsync(new Actor.Advisor(mine), first.Id, new MeetingOutcome(false, "ignored", null, null));

        Assert.Equal(DomainErrors.MeetingOutcomeOfCancelled, cancelled.Code);
        Assert.Equal(((long?)taskId, false, (string?)null), (first.TaskId, notHeld.Held, notHeld.ToolsUsed));
        var task = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
        Assert.Equal((AdvisorTaskStatus.Open, (string?)null), (task.Status, task.Outcome));
        Assert.Equal($"advisor:{mine}", (await db.Audit.AsNoTracking().SingleAsync(a => a.Action == "advisor-task.reopened")).Actor);
        var history = (await meetings.HistoryAsync(new Actor.Advisor(mine), account.Id))!;
        Assert.Equal([second.Id, first.Id], history.Meetings.Select(m => m.Meeting.Id));
        Assert.Equal([true, false], history.Meetings.Select(m => m.Meeting.IsCancelled));
    }

    [Fact]
    public async Task A_posted_scan_that_is_no_pdf_stores_nothing_and_the_preview_is_for_the_advisors_book_only()
    {
        var mine = await Book.AdvisorAsync("Camille Laurent");
        var other = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Acme", advisorId: mine);
        // One year from 15 January 2027, Paris: renews 15 January 2028, deadline 60 days before, 16 November 2027.
        var subscription = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1);
        Clock.Reset(Instant.FromUtc(2027, 11, 10, 9, 0));
        var letters = new LetterStore(Path.Combine(_folder, "letters"));

        await using var db = Database.Context();
        var service = new PostedNoticeService(db, Clock, letters);
        var preview = await service.DescribeAsync(new Actor.Advisor(mine), subscription.Id);
        Assert.Null(await service.DescribeAsync(new Actor.Advisor(other), subscription.Id));
        using var notPdf = new MemoryStream("Dear vendor"u8.ToArray());
        var refused = await Assert.ThrowsAsync<LetterRefusedException>(() => service.FileAsync(new Actor.Advisor(mine), subscription.Id, new LocalDate(2027, 11, 9), "Jane Primary", notPdf));
        using var empty = new MemoryStream();
        var nothing = await Assert.ThrowsAsync<LetterRefusedException>(() => service.FileAsync(new Actor.Advisor(mine), subscription.Id, new LocalDate(2027, 11, 9), "Jane Primary", empty));
        Assert.False(Directory.Exists(letters.Folder) && Directory.EnumerateFiles(letters.Folder).Any());
        Assert.Equal(0, await db.CancellationNotices.CountAsync());
        using var pdf = new MemoryStream("%PDF-1.4\n"u8.ToArray());
        var filed = await service.FileAsync(new Actor.Advisor(mine), subscription.Id, new LocalDate(2027, 11, 9), "Jane Primary", pdf);

        Assert.NotNull(preview);
        Assert.Equal((new LocalDate(2027, 11, 16), true, new LocalDate(2028, 1, 15)), (preview.Deadline, preview.OnTimeToday, preview.EndsOnIfFiledToday));
        Assert.Equal((LetterProblem.NotPdf, LetterProblem.Empty), (refused.Problem, nothing.Problem));
        // SHA-256 of the nine bytes "%PDF-1.4\n", worked out with sha256sum.
        const string Sha = "e5c62df5dab5c87b6a015ef3d43597074d1eec433b15f51aec63b8582d0e4ab4";
        Assert.Equal(Sha + ".pdf", filed.LetterFile);
        Assert.True(File.Exists(Path.Combine(letters.Folder, Sha + ".pdf")));
        Assert.True(filed.IsOnTime);

        // The acknowledgement email gives the customer the letter's fingerprint, through a real SMTP server.
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, Clock).DispatchAsync(Clock.GetCurrentInstant());
        }

        var acknowledgement = Assert.Single(server.Received, m => m.Headers["X-Renewals-Template"] == MessageKinds.CancellationAcknowledgement);
        Assert.Contains($"The letter we keep is identified by its SHA-256 fingerprint: {Sha}.", acknowledgement.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<code>{Sha}</code>", acknowledgement.HtmlBody, StringComparison.Ordinal);
    }

    private async Task<long> CheckInAsync(long accountId, long advisorId)
    {
        await using var seed = Database.Context();
        var task = new AdvisorTask { AccountId = accountId, AdvisorId = advisorId, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2026, 12, 10) };
        seed.AdvisorTasks.Add(task);
        await seed.SaveChangesAsync();
        return task.Id;
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
