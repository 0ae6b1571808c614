using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class SqliteAdvisorTaskTests() : AdvisorTaskTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdvisorTaskTests() : AdvisorTaskTests(DatabaseProvider.PostgreSql);

/// <summary>Tasks in the workspace: own and unassigned, taken once only, closed with an outcome.</summary>
public abstract class AdvisorTaskTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");

    [Fact]
    public async Task An_advisor_lists_its_own_tasks_and_the_unassigned_queue_but_never_another_advisors()
    {
        var (a, b, mine, queued, theirs) = await ArrangeAsync();

        await using var db = Database.Context();
        var service = new AdvisorTaskService(db, Clock);
        Assert.Equal([queued, mine], (await service.ListAsync(new Actor.Advisor(a))).Select(t => t.Id));
        Assert.Equal([queued, theirs], (await service.ListAsync(new Actor.Advisor(b))).Select(t => t.Id));
        Assert.Equal([mine], (await service.ListAsync(new Actor.Advisor(a), kind: AdvisorTaskKinds.PurchaseOrderMissing)).Select(t => t.Id));
        Assert.Null(await service.FindAsync(new Actor.Advisor(a), theirs));
        Assert.Empty(await service.ListAsync(new Actor.Partner(1)));
        Assert.Equal(3, (await service.ListAsync(new Actor.Admin("root"))).Count);
        var view = (await service.ListAsync(new Actor.Advisor(a)))[0];
        Assert.Equal((true, "Globex", AdvisorTaskKinds.CheckIn, new LocalDate(2026, 12, 10)), (view.Unassigned, view.Account, view.Kind, view.DueOn));
    }

    [Fact]
    public async Task Of_two_advisors_taking_the_same_task_at_once_exactly_one_gets_it_and_the_other_is_told_it_was_taken()
    {
        var (a, b, _, queued, _) = await ArrangeAsync();

        async Task<object> TakeAsync(long advisor)
        {
            await using var db = Database.Context();
            try
            {
                return await new AdvisorTaskService(db, Clock).TakeAsync(new Actor.Advisor(advisor), queued);
            }
            catch (DomainException e)
            {
                return e;
            }
        }

        var outcomes = await Task.WhenAll(TakeAsync(a), TakeAsync(b));

        var taken = Assert.Single(outcomes.OfType<AdvisorTaskView>());
        var refused = Assert.Single(outcomes.OfType<DomainException>());
        Assert.Equal(DomainErrors.AdvisorTaskTaken, refused.Code);
        Assert.Equal($"Task {queued} was taken by another advisor in the meantime; pick another one from the queue.", refused.Describe(English));
        Assert.Equal($"Un autre conseiller a pris la tâche {queued} entre-temps\u00a0; choisissez-en une autre dans la file.", refused.Describe(French));
        Assert.False(taken.Unassigned);
        await using var check = Database.Context();
        var row = await check.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == queued);
        Assert.Equal(taken.AdvisorId, row.AdvisorId);
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(e => e.Action == "advisor-task.taken").ToListAsync());
        Assert.Equal(($"advisor:{row.AdvisorId}", "advisor-task", queued), (audit.Actor, audit.Entity, audit.EntityId));

        // The winner taking it again (a double click) keeps it; an unknown task is named as unknown.
        var again = await new AdvisorTaskService(check, Clock).TakeAsync(new Actor.Advisor(row.AdvisorId!.Value), queued);
        Assert.Equal(row.AdvisorId, again.AdvisorId);
        var unknown = await Assert.ThrowsAsync<DomainException>(() => new AdvisorTaskService(check, Clock).TakeAsync(new Actor.Advisor(a), 4242));
        Assert.Equal(DomainErrors.AdvisorTaskUnknown, unknown.Code);
    }

    [Fact]
    public async Task Closing_records_the_outcome_and_the_moment_with_an_audit_row_once_and_only_for_the_tasks_owner()
    {
        var (a, b, mine, queued, theirs) = await ArrangeAsync();
        Clock.Reset(Instant.FromUtc(2026, 12, 3, 15, 30));
        await using var db = Database.Context();
        var service = new AdvisorTaskService(db, Clock);

        var empty = await Assert.ThrowsAsync<DomainException>(() => service.CloseAsync(new Actor.Advisor(a), mine, "  "));
        var notMine = await Assert.ThrowsAsync<DomainException>(() => service.CloseAsync(new Actor.Advisor(a), theirs, "Called"));
        var queuedNotTaken = await Assert.ThrowsAsync<DomainException>(() => service.CloseAsync(new Actor.Advisor(a), queued, "Called"));
        var closed = await service.CloseAsync(new Actor.Advisor(a), mine, " Purchase order promised by Paul for Friday ");
        var twice = await Assert.ThrowsAsync<DomainException>(() => service.CloseAsync(new Actor.Advisor(a), mine, "Again"));

        Assert.Equal(DomainErrors.AdvisorTaskOutcomeRequired, empty.Code);
        Assert.Equal("Closing a task needs its outcome: say in at most 2000 characters what was done.", empty.Describe(English));
        Assert.Equal("Pour clore une tâche, dites ce qui a été fait\u00a0: 2000 caractères au plus.", empty.Describe(French));
        Assert.Equal((DomainErrors.AdvisorTaskUnknown, $"There is no advisor task {theirs}."), (notMine.Code, notMine.Describe(English)));
        Assert.Equal(DomainErrors.AdvisorTaskUnknown, queuedNotTaken.Code);
        Assert.Equal(DomainErrors.AdvisorTaskClosed, twice.Code);
        Assert.Equal((AdvisorTaskStatus.Done, Instant.FromUtc(2026, 12, 3, 15, 30), "Purchase order promised by Paul for Friday"),
            (closed.Status, closed.ClosedAt, closed.Outcome));
        await using var check = Database.Context();
        var row = await check.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == mine);
        Assert.Equal((AdvisorTaskStatus.Done, "Purchase order promised by Paul for Friday"), (row.Status, row.Outcome));
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(e => e.Action == "advisor-task.closed").ToListAsync());
        Assert.Equal(($"advisor:{a}", mine, "Purchase order promised by Paul for Friday"), (audit.Actor, audit.EntityId, audit.Details));
        // Closed tasks leave the list unless asked for.
        Assert.DoesNotContain(mine, (await new AdvisorTaskService(check, Clock).ListAsync(new Actor.Advisor(a))).Select(t => t.Id));
        Assert.Contains(mine, (await new AdvisorTaskService(check, Clock).ListAsync(new Actor.Advisor(a), includeClosed: true)).Select(t => t.Id));
    }

    private async Task<(long A, long B, long Mine, long Queued, long Theirs)> ArrangeAsync()
    {
        var a = await Book.AdvisorAsync("Camille Laurent");
        var b = await Book.AdvisorAsync("Hugo Martin");
        var acme = await Book.AccountAsync("Acme", advisorId: a);
        var globex = await Book.AccountAsync("Globex");
        var umbrella = await Book.AccountAsync("Umbrella", advisorId: b);
        await using var db = Database.Context();
        var mine = new AdvisorTask { AdvisorId = a, AccountId = acme.Id, Kind = AdvisorTaskKinds.PurchaseOrderMissing, DueOn = new LocalDate(2026, 12, 20) };
        var queued = new AdvisorTask { AccountId = globex.Id, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2026, 12, 10), RecommendedValidation = true };
        var theirs = new AdvisorTask { AdvisorId = b, AccountId = umbrella.Id, Kind = AdvisorTaskKinds.Callback, DueOn = new LocalDate(2026, 12, 15) };
        db.AdvisorTasks.AddRange(mine, queued, theirs);
        await db.SaveChangesAsync();
        return (a, b, mine.Id, queued.Id, theirs.Id);
    }
}
