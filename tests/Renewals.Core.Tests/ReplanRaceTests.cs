using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Amendments;
using Renewals.Core.Planning;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Tests;

public sealed class SqliteReplanRaceTests() : ReplanRaceTests(DatabaseProvider.Sqlite);

public sealed class PostgresReplanRaceTests() : ReplanRaceTests(DatabaseProvider.PostgreSql)
{
    /// <summary>
    /// The engine claims the due 120-day reminder first and is held just before its commit (the
    /// test keeps the audit table locked, the engine's last write). The replan, started then,
    /// waits for the engine's row lock and then finds the reminder done: it keeps the date it was
    /// sent for, and only the still pending milestones move. PostgreSQL only: on SQLite an engine
    /// that has claimed holds the database's write lock until its commit, so a replan's
    /// transaction cannot even begin in between.
    /// </summary>
    [Fact]
    public async Task A_reminder_the_engine_claimed_first_is_carried_out_with_its_date_and_the_replan_leaves_it_done_as_it_was()
    {
        var subscription = await InTermTwoAsync();

        await using var holder = Database.Context();
        await using var holding = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlRawAsync("LOCK TABLE audit IN SHARE MODE");
        var engine = Task.Run(() => RunOnAsync(Date("2028-09-17")));
        await Waiting.UntilBlockedAsync(Database, Provider, engine);

        var replan = Task.Run(async () =>
        {
            await using var db = Database.Context();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var moved = await ReplanTermTwoToTwoYearsAsync(db, subscription);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return moved;
        });
        await Waiting.UntilBlockedAsync(Database, Provider, replan, waiters: 2);
        await holding.CommitAsync();
        var run = await engine;
        var moved = await replan;

        Assert.Equal(1, run.Done);
        Assert.Equal(3, moved);
        Assert.Equal(
            [
                (MilestoneKind.Reminder, 120, "2028-09-17", MilestoneStatus.Done, "2028-09-16T22:00:00Z"),
                (MilestoneKind.Reminder, 60, "2029-11-16", MilestoneStatus.Pending, "2029-11-15T23:00:00Z"),
                (MilestoneKind.CancellationDeadline, 0, "2029-11-16", MilestoneStatus.Pending, "2029-11-16T23:00:00Z"),
                (MilestoneKind.Anniversary, 0, "2030-01-15", MilestoneStatus.Pending, "2030-01-14T23:00:00Z"),
            ],
            await TermTwoAsync(subscription));
        // Sent as the term stood when the engine carried it out, to the primary contact and accounts payable.
        Assert.Equal([("2029-01-15", "2030-01-15"), ("2029-01-15", "2030-01-15")], await TermTwoRemindersAsync(subscription));
    }

    /// <summary>
    /// Where a replan really moves stored rows: a two-year term confirmed while the engine carries
    /// out the anniversary that begins it (the confirmation's check that the term has not started
    /// was made before its transaction). The engine is held before its commit as above; the
    /// confirmation waits for it, then refuses: the term was renewed for a year and stays so.
    /// </summary>
    [Fact]
    public async Task A_two_year_term_confirmed_while_the_engine_renews_it_for_a_year_is_refused_as_started_and_nothing_moves()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await using (var db = Database.Context())
        {
            await db.Policies.Where(p => p.Id == subscription.PolicyId).ExecuteUpdateAsync(u => u.SetProperty(p => p.RenewalYears, "1,2"));
        }

        await RunOnAsync(Date("2027-01-15"));
        Clock.Reset(Instant.FromUtc(2027, 10, 1, 7, 0));
        AmendmentView proposed;
        await using (var db = Database.Context())
        {
            proposed = await new AmendmentService(db, Clock).ProposeAsync(new Actor.Advisor(advisor), subscription.Id,
                new AmendmentRequest([new AmendLine("DSN-PRO", 12)], "Two years agreed", RenewalYears: 2));
        }

        await RunOnAsync(Date("2027-11-17"));
        Clock.Reset(Instant.FromUtc(2028, 1, 14, 23, 0));

        await using var holder = Database.Context();
        await using var holding = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlRawAsync("LOCK TABLE audit IN SHARE MODE");
        var engine = Task.Run(() => RunOnAsync(Date("2028-01-15")));
        await Waiting.UntilBlockedAsync(Database, Provider, engine);
        var confirm = Task.Run(async () =>
        {
            await using var db = Database.Context();
            return await new AmendmentService(db, Clock).ConfirmByCustomerAsync(new PortalCustomer(account.Id), proposed.Id, "customer:jane@acme.example");
        });
        await Waiting.UntilBlockedAsync(Database, Provider, confirm, waiters: 2);
        await holding.CommitAsync();
        Assert.Equal(1, (await engine).Done);

        var refused = await Assert.ThrowsAsync<DomainException>(() => confirm);
        Assert.Equal(DomainErrors.AmendmentTermStarted, refused.Code);
        await using var check = Database.Context();
        Assert.Equal(AmendmentStatus.Proposed, (await check.Amendments.AsNoTracking().SingleAsync(a => a.Id == proposed.Id)).Status);
        Assert.Null((await check.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == subscription.Id)).RenewalLengths);
        var term = await check.Terms.AsNoTracking().SingleAsync(t => t.SubscriptionId == subscription.Id && t.Number == 2);
        Assert.Equal((Date("2028-01-15"), Date("2029-01-15")), (term.Start, term.End));
        Assert.Equal(
            [
                (MilestoneKind.Reminder, 120, "2028-09-17", MilestoneStatus.Pending, "2028-09-16T22:00:00Z"),
                (MilestoneKind.Reminder, 60, "2028-11-16", MilestoneStatus.Pending, "2028-11-15T23:00:00Z"),
                (MilestoneKind.CancellationDeadline, 0, "2028-11-16", MilestoneStatus.Pending, "2028-11-16T23:00:00Z"),
                (MilestoneKind.Anniversary, 0, "2029-01-15", MilestoneStatus.Pending, "2029-01-14T23:00:00Z"),
            ],
            await TermTwoAsync(subscription.Id));
        Assert.Equal(0, await check.Audit.CountAsync(a => a.Action == "amendment.confirmed"));
    }
}

/// <summary>
/// MilestonePlanner.ReplanAsync (a term's length changes) against the renewal engine carrying out
/// the same milestones at the same moment, interleaved by hand with two connections. Acme bought a
/// year from 15 January 2027 (Paris); term 2 runs [2028-01-15, 2029-01-15): its 120-day reminder
/// falls on 17 September 2028, the 60-day one and the deadline on 16 November 2028, the
/// anniversary on 15 January 2029. Made two years long, term 2 ends on 15 January 2030: 17
/// September 2029, 16 November 2029 (twice) and 15 January 2030. Due instants are midnight in
/// Paris (a deadline's the day after): UTC+2 in September, UTC+1 in November and January.
/// </summary>
public abstract class ReplanRaceTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    /// <summary>
    /// The replan reads and moves the milestones; the engine runs on the 120-day reminder's day
    /// before the replan commits. On PostgreSQL the moved rows are locked, so the engine skips
    /// them; on SQLite the replan's transaction holds the write lock, so the engine waits. Either
    /// way nothing is sent with the old date and nothing done is re-dated.
    /// </summary>
    [Fact]
    public async Task An_engine_running_while_the_replan_is_open_sends_no_reminder_with_the_old_date_and_the_moved_reminder_goes_out_on_its_new_day()
    {
        var subscription = await InTermTwoAsync();

        await using var db = Database.Context();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var moved = await ReplanTermTwoToTwoYearsAsync(db, subscription);
        var engine = Task.Run(() => RunOnAsync(Date("2028-09-17")));
        if (Provider == DatabaseProvider.Sqlite)
        {
            await Waiting.UntilBlockedAsync(Database, Provider, engine);
        }
        else
        {
            await engine;
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        var run = await engine;

        Assert.Equal(4, moved);
        Assert.Equal(0, run.Done);
        Assert.Equal(
            [
                (MilestoneKind.Reminder, 120, "2029-09-17", MilestoneStatus.Pending, "2029-09-16T22:00:00Z"),
                (MilestoneKind.Reminder, 60, "2029-11-16", MilestoneStatus.Pending, "2029-11-15T23:00:00Z"),
                (MilestoneKind.CancellationDeadline, 0, "2029-11-16", MilestoneStatus.Pending, "2029-11-16T23:00:00Z"),
                (MilestoneKind.Anniversary, 0, "2030-01-15", MilestoneStatus.Pending, "2030-01-14T23:00:00Z"),
            ],
            await TermTwoAsync(subscription));
        Assert.Empty(await TermTwoRemindersAsync(subscription));

        // The year after, the reminder goes out once, with the two-year term's dates.
        await RunOnAsync(Date("2029-09-17"));
        Assert.Equal([("2030-01-15", "2031-01-15"), ("2030-01-15", "2031-01-15")], await TermTwoRemindersAsync(subscription));
    }

    [Fact]
    public async Task A_replan_outside_a_transaction_is_refused_and_moves_nothing()
    {
        var subscription = await InTermTwoAsync();

        await using (var db = Database.Context())
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => ReplanTermTwoToTwoYearsAsync(db, subscription));
        }

        Assert.Equal("2028-09-17", (await TermTwoAsync(subscription))[0].Date);
    }

    /// <summary>Sold on 15 January 2027 for a year; the engine has renewed it into term 2.</summary>
    protected async Task<long> InTermTwoAsync()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));
        await RunOnAsync(Date("2028-01-15"));
        return subscription.Id;
    }

    /// <summary>What AmendmentService does when term 2 is made two years long: the new length is tracked (the caller saves), the milestones move.</summary>
    protected static async Task<int> ReplanTermTwoToTwoYearsAsync(RenewalsDbContext db, long subscriptionId)
    {
        var row = await db.Subscriptions.Include(s => s.Account).Include(s => s.Policy).SingleAsync(s => s.Id == subscriptionId);
        var zone = DateTimeZoneProviders.Tzdb[row.Account!.TimeZoneId];
        var lengthened = DomainMapping.ToDomain(row.Account.Name, row.Start, row.InitialTermYears, zone, row.Billing, null, row.IsFirstInProductFamily,
            row.RenewalLengths).WithRenewalYears(2, 2);
        row.RenewalLengths = DomainMapping.FormatLengths(lengthened.RenewalYears);
        return await MilestonePlanner.ReplanAsync(db, subscriptionId, lengthened, DomainMapping.ToDomain(row.Policy!), 2, default);
    }

    protected async Task<List<(MilestoneKind Kind, int Variant, string Date, MilestoneStatus Status, string DueAt)>> TermTwoAsync(long subscriptionId) =>
        [.. (await MilestonesAsync(subscriptionId)).Where(m => m.TermNumber == 2).OrderBy(m => m.Date).ThenBy(m => m.Kind).ThenByDescending(m => m.Variant)
            .Select(m => (m.Kind, m.Variant, NodaTime.Text.LocalDatePattern.Iso.Format(m.Date), m.Status, NodaTime.Text.InstantPattern.General.Format(m.DueAt)))];

    /// <summary>The renewal date and earliest end each reminder of term 2 told its reader.</summary>
    protected async Task<List<(string RenewalDate, string EarliestEnd)>> TermTwoRemindersAsync(long subscriptionId)
    {
        var termTwo = (await MilestonesAsync(subscriptionId)).Where(m => m.TermNumber == 2).Select(m => m.Id).ToHashSet();
        return [.. (await MessagesAsync(subscriptionId)).Where(m => m.Template == "reminder" && m.MilestoneId is { } id && termTwo.Contains(id))
            .Select(m =>
            {
                using var payload = JsonDocument.Parse(m.Payload);
                return (payload.RootElement.GetProperty("renewal_date").GetString()!, payload.RootElement.GetProperty("earliest_end_date").GetString()!);
            })];
    }
}
