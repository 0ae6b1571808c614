using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Core.Advisors;
using Renewals.Core.Catalog;
using Renewals.Core.Messaging;
using Renewals.Core.Partners;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Tests;

public sealed class SqliteAdminServicesTests() : AdminServicesTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdminServicesTests() : AdminServicesTests(DatabaseProvider.PostgreSql);

/// <summary>The administration's services: audit trail, outbox, engine state and the writes, over stored rows.</summary>
public abstract class AdminServicesTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");
    private static readonly Actor Alice = new Actor.Admin("alice");

    [Fact]
    public async Task The_audit_trail_filters_by_account_with_its_subscriptions_and_messages_by_actor_and_by_a_half_open_date_range_and_pages()
    {
        var acme = await Book.AccountAsync("Acme");
        var globex = await Book.AccountAsync("Globex");
        var acmeSubscription = await Book.SellAsync(acme.Id, new LocalDate(2027, 1, 15)); // audit: subscription.sold at 2026-12-01 12:00
        await Book.SellAsync(globex.Id, new LocalDate(2027, 1, 15));
        await using (var db = Database.Context())
        {
            var message = new OutboxMessage
            {
                Template = MessageKinds.Reminder, AccountId = acme.Id, ContactId = acme.Contacts[0].Id, ToEmail = "jane@acme.example", Language = "en",
                Payload = "{}", MessageId = "<m1@renewals>", Status = OutboxStatus.DeadLettered,
            };
            db.Outbox.Add(message);
            await db.SaveChangesAsync();
            db.Audit.AddRange(
                Entry(Instant.FromUtc(2026, 12, 2, 0, 0), "engine", "message.dead-lettered", AuditEntities.Outbox, message.Id),
                Entry(Instant.FromUtc(2026, 12, 3, 0, 0), "admin:alice", "account.advisor-assigned", AuditEntities.Account, acme.Id),
                Entry(Instant.FromUtc(2026, 12, 3, 0, 0), "admin:alice", "account.advisor-assigned", AuditEntities.Account, globex.Id));
            await db.SaveChangesAsync();
        }

        await using var read = Database.Context();
        var trail = new AuditTrailService(read);

        var ofAcme = await trail.SearchAsync(Alice, new AuditQuery(AccountId: acme.Id));
        Assert.Equal(["account.advisor-assigned", "message.dead-lettered", "subscription.sold"], ofAcme.Items.Select(i => i.Action));
        Assert.Equal(acmeSubscription.Id, ofAcme.Items[2].EntityId);
        var bySubscription = await trail.SearchAsync(Alice, new AuditQuery(SubscriptionId: acmeSubscription.Id));
        Assert.Equal(["subscription.sold"], bySubscription.Items.Select(i => i.Action));
        Assert.Equal(2, (await trail.SearchAsync(Alice, new AuditQuery(Actor: "admin:alice"))).Total);
        // From is in, Until is out: the 3 December rows are out of [2 December, 3 December 00:00).
        var range = await trail.SearchAsync(Alice, new AuditQuery(From: Instant.FromUtc(2026, 12, 2, 0, 0), Until: Instant.FromUtc(2026, 12, 3, 0, 0)));
        Assert.Equal(["message.dead-lettered"], range.Items.Select(i => i.Action));
        // Five rows, two a page: the third page holds the oldest one alone (the two sales share an instant; the first written is older).
        var last = await trail.SearchAsync(Alice, new AuditQuery(Page: 3, PageSize: 2));
        Assert.Equal((5, 3, 3, 1), (last.Total, last.Pages, last.Page, last.Items.Count));
        Assert.Equal(("subscription.sold", acmeSubscription.Id), (last.Items[0].Action, last.Items[0].EntityId));

        var advisor = await Assert.ThrowsAsync<DomainException>(() => trail.SearchAsync(new Actor.Advisor(1), new AuditQuery()));
        Assert.Equal("Only an administrator can do this.", advisor.Describe(English));
        Assert.Equal("Seul un administrateur peut faire cela.", advisor.Describe(French));
    }

    [Fact]
    public async Task The_outbox_is_searched_by_status_template_recipient_and_account_and_a_dead_letter_shows_its_error_and_is_retried()
    {
        var acme = await Book.AccountAsync("Acme");
        var globex = await Book.AccountAsync("Globex");
        long dead;
        await using (var db = Database.Context())
        {
            OutboxMessage Message(Account account, string template, string to, OutboxStatus status, string? error = null) => new()
            {
                Template = template, AccountId = account.Id, ContactId = account.Contacts[0].Id, ToEmail = to, Language = "en", Payload = "{}",
                MessageId = $"<{Guid.NewGuid():N}@renewals>", Status = status, LastError = error, CreatedAt = Clock.GetCurrentInstant(),
            };
            var deadLetter = Message(acme, MessageKinds.Reminder, "Jane@Acme.example", OutboxStatus.DeadLettered, "550 5.1.1 mailbox unavailable");
            db.Outbox.AddRange(
                deadLetter,
                Message(acme, MessageKinds.Reminder, "ap@acme.example", OutboxStatus.Sent),
                Message(acme, "invoice", "ap@acme.example", OutboxStatus.DeadLettered, "timeout"),
                Message(globex, MessageKinds.Reminder, "jane@globex.example", OutboxStatus.DeadLettered, "550"));
            await db.SaveChangesAsync();
            dead = deadLetter.Id;
        }

        Clock.Reset(Instant.FromUtc(2026, 12, 2, 8, 0));
        await using var read = Database.Context();
        var outbox = new OutboxSearchService(read, new OutboxAdmin(Database.Database, Clock));

        var found = await outbox.SearchAsync(Alice, new OutboxQuery(OutboxStatus.DeadLettered, MessageKinds.Reminder, "JANE@acme", acme.Id));
        var line = Assert.Single(found.Items);
        Assert.Equal((dead, "Acme", "550 5.1.1 mailbox unavailable"), (line.Id, line.Account, line.LastError));
        Assert.Equal(3, (await outbox.SearchAsync(Alice, new OutboxQuery(Status: OutboxStatus.DeadLettered))).Total);
        Assert.Equal(3, (await outbox.SearchAsync(Alice, new OutboxQuery(AccountId: acme.Id))).Total);
        await Assert.ThrowsAsync<DomainException>(() => outbox.RetryAsync(new Actor.Partner(1), [dead]));

        Assert.Equal([dead], await outbox.RetryAsync(Alice, [dead]));

        await using var check = Database.Context();
        var row = await check.Outbox.AsNoTracking().SingleAsync(m => m.Id == dead);
        Assert.Equal((OutboxStatus.Pending, 0, Instant.FromUtc(2026, 12, 2, 8, 0)), (row.Status, row.Attempts, row.NextAttemptAt));
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "message.retry").ToListAsync());
        Assert.Equal(("admin:alice", dead), (audit.Actor, audit.EntityId));
    }

    [Fact]
    public async Task The_engine_state_gives_the_last_run_what_is_due_now_at_the_minute_and_the_skipped_reasons()
    {
        var subscription = await Book.ExampleAsync(); // Paris, from 15 January 2027: day one is due at 14 January 23:00 UTC
        await using (var db = Database.Context())
        {
            var rows = await db.Milestones.Where(m => m.SubscriptionId == subscription.Id && m.Kind != MilestoneKind.DayOne).OrderBy(m => m.Date).ToListAsync();
            rows[0].Status = MilestoneStatus.Skipped;
            rows[0].Outcome = "skipped:no-contact";
            rows[1].Status = MilestoneStatus.Skipped;
            rows[1].Outcome = "skipped:no-contact";
            rows[2].Status = MilestoneStatus.Skipped;
            rows[2].Outcome = "skipped:cancellation-filed";
            db.Audit.AddRange(
                Entry(Instant.FromUtc(2026, 11, 30, 23, 0), "engine", "milestone.skipped", AuditEntities.Milestone, rows[0].Id),
                Entry(Instant.FromUtc(2026, 11, 30, 23, 5), "engine", "milestone.done", AuditEntities.Milestone, rows[1].Id),
                Entry(Instant.FromUtc(2026, 12, 1, 9, 0), "admin:alice", "message.retry", AuditEntities.Outbox, 1));
            await db.SaveChangesAsync();
        }

        await using var read = Database.Context();
        Clock.Reset(Instant.FromUtc(2027, 1, 14, 22, 59));
        var before = await new EngineStateService(read, Clock).GetAsync(Alice);
        Clock.Reset(Instant.FromUtc(2027, 1, 14, 23, 0));
        var at = await new EngineStateService(read, Clock).GetAsync(Alice);

        Assert.Equal((Instant.FromUtc(2026, 11, 30, 23, 5), 0), (before.LastRun, before.DueNow));
        Assert.Equal(1, at.DueNow);
        Assert.Equal([new SkippedReason("skipped:no-contact", 2), new SkippedReason("skipped:cancellation-filed", 1)], at.Skipped);
        await Assert.ThrowsAsync<DomainException>(() => new EngineStateService(read, Clock).GetAsync(new Actor.Advisor(1)));
    }

    [Fact]
    public async Task An_administrator_adds_advisors_products_and_contracts_and_assigns_an_account_whose_queued_tasks_follow_with_audit_rows()
    {
        var account = await Book.AccountAsync("Acme");
        await using (var db = Database.Context())
        {
            db.AdvisorTasks.Add(new AdvisorTask { AccountId = account.Id, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2026, 12, 10) });
            await db.SaveChangesAsync();
        }

        await using var work = Database.Context();
        var admin = new AdministrationService(work, Clock);
        var badEmail = await Assert.ThrowsAsync<DomainException>(() => admin.AddAdvisorAsync(Alice, new NewAdvisor("Camille Laurent", "camille@", "fr")));
        var advisor = await admin.AddAdvisorAsync(Alice, new NewAdvisor(" Camille Laurent ", "camille@vendor.example", "fr"));
        var byAdvisor = await Assert.ThrowsAsync<DomainException>(() => admin.AssignAccountAsync(new Actor.Advisor(advisor.Id), account.Id, advisor.Id));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => admin.AssignAccountAsync(Alice, account.Id, 4242));
        var assigned = await admin.AssignAccountAsync(Alice, account.Id, advisor.Id);
        var product = await admin.AddProductAsync(Alice, new NewProduct("DSN-PRO", "Design Pro", "Design", 1000m, "EUR"));
        var family = await admin.AddFamilyAsync(Alice, "Design");
        var contract = await admin.AddPartnerContractAsync(Alice, new NewPartnerContract("Northwind", "renewals@northwind.example", 90, true));

        Assert.Equal("'camille@' is not an email address for the advisor.", badEmail.Describe(English));
        Assert.Equal("«\u00a0camille@\u00a0» n'est pas une adresse électronique valable pour le conseiller.", badEmail.Describe(French));
        Assert.Equal(DomainErrors.AdministratorsOnly, byAdvisor.Code);
        Assert.Equal(DomainErrors.AdvisorUnknown, unknown.Code);
        Assert.Equal(("Camille Laurent", null, (long?)advisor.Id, 1), (advisor.Name, assigned.PreviousAdvisorId, assigned.AdvisorId, assigned.TasksHandedOver));
        Assert.Equal(("Design", 1), (family.Name, family.Products));
        Assert.Equal(1, (await admin.AdvisorsAsync(Alice)).Single().Accounts);

        await using var check = Database.Context();
        Assert.Equal(advisor.Id, await check.Accounts.Where(a => a.Id == account.Id).Select(a => a.AdvisorId).SingleAsync());
        Assert.Equal(advisor.Id, await check.AdvisorTasks.Select(t => t.AdvisorId).SingleAsync());
        var audit = await check.Audit.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Actor, a.Action, a.EntityId, a.Details }).ToListAsync();
        Assert.Equal(
            [("advisor.added", advisor.Id, "Camille Laurent <camille@vendor.example>"), ("account.advisor-assigned", account.Id, $"advisor none -> {advisor.Id}"),
             ("product.added", product.Id, "DSN-PRO in Design"), ("partner-contract.added", contract.ContractId, "Northwind: 90 days, partner only")],
            audit.Select(a => (a.Action, a.EntityId, a.Details!)));
        Assert.All(audit, a => Assert.Equal("admin:alice", a.Actor));
    }

    private static AuditEntry Entry(Instant at, string actor, string action, string entity, long id) =>
        new() { At = at, Actor = actor, Action = action, Entity = entity, EntityId = id };
}
