using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Engagement;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class SqliteAdvisorMeetingTests() : AdvisorMeetingTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdvisorMeetingTests() : AdvisorMeetingTests(DatabaseProvider.PostgreSql);

/// <summary>Review meetings from the workspace: only for a task or meeting of the advisor's own.</summary>
public abstract class AdvisorMeetingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_check_in_taken_from_the_queue_is_met_by_the_advisor_who_took_it_and_no_other_advisor_can_touch_the_meeting()
    {
        var a = await Book.AdvisorAsync("Camille Laurent");
        var b = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Acme"); // no advisor: its check-in waits in the queue
        long taskId;
        await using (var seed = Database.Context())
        {
            var task = new AdvisorTask { AccountId = account.Id, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2026, 12, 10) };
            seed.AdvisorTasks.Add(task);
            await seed.SaveChangesAsync();
            taskId = task.Id;
        }

        await using var db = Database.Context();
        var meetings = new AdvisorMeetingService(db, Clock);
        var at = new LocalDateTime(2026, 12, 10, 10, 0);
        var notTakenYet = await Assert.ThrowsAsync<DomainException>(() => meetings.ScheduleAsync(new Actor.Advisor(a), NewMeeting.ForTask(taskId, at)));
        await new AdvisorTaskService(db, Clock).TakeAsync(new Actor.Advisor(a), taskId);
        var byOther = await Assert.ThrowsAsync<DomainException>(() => meetings.ScheduleAsync(new Actor.Advisor(b), NewMeeting.ForTask(taskId, at)));
        var otherAccount = await Assert.ThrowsAsync<DomainException>(() => meetings.ScheduleAsync(new Actor.Advisor(b), NewMeeting.ForAccount(account.Id, at)));
        var meeting = await meetings.ScheduleAsync(new Actor.Advisor(a), NewMeeting.ForTask(taskId, at));
        var moveByOther = await Assert.ThrowsAsync<DomainException>(() => meetings.RescheduleAsync(new Actor.Advisor(b), meeting.Id, at.PlusHours(1)));
        var cancelByOther = await Assert.ThrowsAsync<DomainException>(() => meetings.CancelAsync(new Actor.Advisor(b), meeting.Id));
        var moved = await meetings.RescheduleAsync(new Actor.Advisor(a), meeting.Id, at.PlusHours(1));

        Assert.Equal(DomainErrors.AdvisorTaskUnknown, notTakenYet.Code);
        Assert.Equal(DomainErrors.AdvisorTaskUnknown, byOther.Code);
        Assert.Equal(DomainErrors.AccountUnknown, otherAccount.Code);
        Assert.Equal((DomainErrors.MeetingUnknown, DomainErrors.MeetingUnknown), (moveByOther.Code, cancelByOther.Code));
        Assert.Equal((a, (long?)taskId, "Acme", "Europe/Paris"), (meeting.AdvisorId, meeting.TaskId, meeting.Account, meeting.TimeZoneId));
        Assert.Equal((new LocalDateTime(2026, 12, 10, 11, 0), 1), (moved.Start, moved.Sequence));
        Assert.Equal([meeting.Id], (await meetings.ListAsync(new Actor.Advisor(a))).Select(m => m.Id));
        Assert.Empty(await meetings.ListAsync(new Actor.Advisor(b)));
        var invitations = await db.Outbox.AsNoTracking().Where(m => m.MeetingId == meeting.Id).OrderBy(m => m.Id).Select(m => new { m.Template, m.ToEmail }).ToListAsync();
        Assert.Equal([("review-invitation", "jane@acme.example"), ("review-invitation", "jane@acme.example")], invitations.Select(i => (i.Template, i.ToEmail)));
        var audit = await db.Audit.AsNoTracking().Where(e => e.Entity == "review-meeting").OrderBy(e => e.Id).Select(e => e.Actor).ToListAsync();
        Assert.All(audit, actor => Assert.Equal($"advisor:{a}", actor));
    }
}
