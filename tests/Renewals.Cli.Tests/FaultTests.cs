using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;
using Renewals.Testing;
using Xunit.Abstractions;

namespace Renewals.Cli.Tests;

/// <summary>
/// Engine processes killed with SIGKILL at random points of a run, restarted, and at the end
/// the database must hold exactly what one clean, uninterrupted run produces from the same
/// book: every due milestone carried out once, none missing, none twice, no duplicate
/// invoice or message. Payments are in the book too: invoices of the first months are paid (in
/// full or in part) before the faulty run starts, more while its first engines run, and the
/// last run (engine, then the collection pass that chases what is still overdue) must leave the
/// same reminders as the clean run given the same payments.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Subscriptions = 10_000;
    private const int Kills = 20;
    private const int Seed = 7;
    private static readonly Instant AsOf = Instant.FromUtc(2028, 6, 30, 23, 59);

    /// <summary>Both books are run cleanly to here first, so invoices exist to be paid before the faulty run.</summary>
    private static readonly Instant PaidUpTo = Instant.FromUtc(2027, 2, 28, 12, 0);

    [Fact]
    public async Task Sqlite_engine_killed_20_times_mid_run_still_carries_out_every_milestone_exactly_once()
    {
        var phase = Stopwatch.StartNew();
        await using var book = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await GenerateAsync(book);
        await using var reference = await book.CopyAsync();
        await using var faulty = await book.CopyAsync();
        Took(phase, "book written and copied");
        await ReferenceRunAsync(reference);
        Took(phase, "clean run");

        var (midRun, rounds) = await KillRepeatedlyAsync(faulty, engines: 1);
        Took(phase, "killed runs");
        var last = await CliRun.AsProcess(RunArgs(faulty));
        Took(phase, "last run");

        Assert.Equal(0, last.ExitCode);
        Assert.True(midRun * 2 >= rounds, $"only {midRun} of {rounds} rounds were cut mid-run");
        await AssertSameOutcomeAsync(reference, faulty);
        Took(phase, "comparison");
    }

    [Fact]
    public async Task Two_postgresql_engines_killed_20_times_still_carry_out_every_milestone_exactly_once()
    {
        var phase = Stopwatch.StartNew();
        await using var book = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await GenerateAsync(book);
        await using var reference = await book.CopyAsync();
        await using var faulty = await book.CopyAsync();
        Took(phase, "book written and copied");
        await ReferenceRunAsync(reference);
        Took(phase, "clean run");

        var (midRun, rounds) = await KillRepeatedlyAsync(faulty, engines: 2);
        Took(phase, "killed runs");
        var finishers = await Task.WhenAll(CliRun.AsProcess(RunArgs(faulty)), CliRun.AsProcess(RunArgs(faulty)));
        Took(phase, "last run");

        Assert.All(finishers, f => Assert.Equal(0, f.ExitCode));
        Assert.True(midRun * 2 >= rounds, $"only {midRun} of {rounds} rounds were cut mid-run");
        await AssertSameOutcomeAsync(reference, faulty);
        Took(phase, "comparison");
    }

    /// <summary>Says how long the phase just ended took (the test's own time, for docs/performance.md), and starts the next.</summary>
    private void Took(Stopwatch phase, string what)
    {
        output.WriteLine($"{what}: {phase.Elapsed.TotalSeconds:0.0} s");
        phase.Restart();
    }

    /// <summary>The book both runs start from, written once: the clean run's database and the faulty run's are copies of it.</summary>
    private async Task GenerateAsync(TestDatabase database)
    {
        var step = Stopwatch.StartNew();
        await new DemoBook(database.Database, new FakeClock(CliRun.Today)).GenerateAsync(Subscriptions, Seed);
        Took(step, "  book generated");
        await AmendAsync(database);
        Took(step, "  book amended");
        await new RenewalEngine(database.Database, new FakeClock(PaidUpTo)).RunAsync(PaidUpTo);
        Took(step, "  book run to February");
        await PayAsync(database, Paid.Before);
        Took(step, "  book paid");
    }

    /// <summary>The clean run: the payments the faulty run gets while its engines run, then the book run at the end instant as `run` does it (BookRun: the engine, then the collection pass).</summary>
    private static async Task ReferenceRunAsync(TestDatabase reference)
    {
        await PayAsync(reference, Paid.While);
        var ran = await BookRun.Over(reference.Database, new FakeClock(AsOf), Core.Invoicing.Seller.Default).RunAsync(AsOf);
        Assert.True(ran.Collections.Reminders > 0, "the clean run queued no payment reminder");
    }

    private enum Paid
    {
        Before,
        While,
    }

    /// <summary>
    /// Pays invoices issued by the first months, chosen by the milestone that issued them (numbers
    /// depend on batch order): before the faulty run, every 5th in full and every 7th (not 5th) for
    /// half; while it runs, every 11th (not 5th or 7th) in full. The rest stay unpaid, so the
    /// collection pass has overdue invoices to chase.
    /// </summary>
    private static async Task<int> PayAsync(TestDatabase database, Paid when)
    {
        var clock = new FakeClock(when == Paid.Before ? PaidUpTo : AsOf);
        await using var db = database.Context();
        // Issued before the last day of the clean first run: invoices the faulty run issues meanwhile are not among them.
        var before = new LocalDate(2027, 2, 27);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.Number != null && i.MilestoneId != null && i.IssuedOn < before)
            .Join(db.Milestones, i => i.MilestoneId, m => m.Id, (i, m) => new { i.Number, i.Total, i.Currency, i.IssuedOn, m.SubscriptionId, m.TermNumber, m.Kind, m.Variant })
            .ToListAsync();
        var chosen = invoices.OrderBy(i => i.SubscriptionId).ThenBy(i => i.TermNumber).ThenBy(i => i.Kind).ThenBy(i => i.Variant)
            .Select((i, n) => (Invoice: i, N: n))
            .Select(x => (x.Invoice, Share: when == Paid.Before
                ? (x.N % 5 == 0 ? 1m : x.N % 7 == 0 ? 0.5m : 0m)
                : (x.N % 5 != 0 && x.N % 7 != 0 && x.N % 11 == 0 ? 1m : 0m)))
            .Where(x => x.Share > 0m).ToList();
        var finance = new Core.Access.Actor.Finance("fault test");
        foreach (var (invoice, share) in chosen)
        {
            // One context a payment, as each request of the web's form has: one context for all
            // of them kept every payment tracked, and each save looked them all over again.
            await using var payDb = database.Context();
            var payments = new Core.Payments.PaymentService(payDb, clock, Core.Invoicing.Seller.Default);
            var amount = decimal.Round(invoice.Total * share, 2, MidpointRounding.AwayFromZero);
            await payments.RecordAsync(finance, new Core.Payments.PaymentInput(
                NodaTime.Text.LocalDatePattern.Iso.Format(invoice.IssuedOn.PlusDays(3) < Core.Invoicing.Seller.Default.Today(clock.GetCurrentInstant())
                    ? invoice.IssuedOn.PlusDays(3) : Core.Invoicing.Seller.Default.Today(clock.GetCurrentInstant())),
                amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), invoice.Currency, $"fault test {invoice.Number}", [invoice.Number!]));
        }

        Assert.True(chosen.Count > 20, $"only {chosen.Count} invoices paid {when}");
        return chosen.Count;
    }

    /// <summary>
    /// Confirmed amendments of the coming term in the book (every 50th subscription still renewing:
    /// one more of each product at 5 % off, the deadline overridden where it has passed), so the
    /// anniversaries the engine carries out renew amended lines, and must do so once.
    /// </summary>
    private static async Task AmendAsync(TestDatabase database)
    {
        var clock = new FakeClock(CliRun.Today);
        await using var db = database.Context();
        var chosen = await db.Subscriptions.AsNoTracking().Where(s => s.Status == SubscriptionStatus.Active && s.Id % 50 == 0).OrderBy(s => s.Id)
            .Select(s => new { s.Id, Lines = s.Lines.Select(l => new { l.Product!.Code, l.Quantity }).ToList() }).ToListAsync();
        var service = new Core.Amendments.AmendmentService(db, clock);
        var operatorConsole = new Core.Access.Actor.OperatorConsole();
        var confirmed = 0;
        foreach (var s in chosen)
        {
            try
            {
                var made = await service.ProposeAsync(operatorConsole, s.Id, new Core.Amendments.AmendmentRequest(
                    [.. s.Lines.Select(l => new Core.Amendments.AmendLine(l.Code, l.Quantity + 1, DiscountPercent: 5m))], "fault test", "fault test"));
                await service.ConfirmBySignedOrderAsync(operatorConsole, made.Id, $"SO-{s.Id}");
                confirmed++;
            }
            catch (Domain.DomainException)
            {
                // A subscription whose coming term cannot be amended any more (its anniversary is today): left as it is.
            }
        }

        Assert.True(confirmed > 50, $"only {confirmed} amendments confirmed");
    }

    private static string[] RunArgs(TestDatabase database) =>
        ["run", "--db", database.Setting, "--as-of", NodaTime.Text.InstantPattern.ExtendedIso.Format(AsOf), "--batch-size", "100", "--no-send"];

    /// <summary>
    /// Starts engines and kills them (SIGKILL) once they have carried out a random share of the
    /// work left, so every kill lands mid-run; returns how many rounds were cut with work done
    /// and work left, and how many rounds there were.
    /// </summary>
    private async Task<(int MidRun, int Rounds)> KillRepeatedlyAsync(TestDatabase database, int engines)
    {
        var random = new Random(20261126);
        var kills = 0;
        var midRun = 0;
        var rounds = 0;
        while (kills < Kills)
        {
            rounds++;
            var before = await PendingDueAsync(database);
            Assert.True(before > 0, $"the work ran out after {kills} kills");
            var roundsLeft = (Kills - kills + engines - 1) / engines;
            var share = Math.Max(1, random.Next(before / (roundsLeft + 1) / 2, before / (roundsLeft + 1) + 1));
            var processes = Enumerable.Range(0, engines).Select(_ => CliRun.Start(RunArgs(database))).ToList();
            if (rounds == 1)
            {
                // Finance records payments while the first engines run. No collection pass may have run yet (it
                // follows a finished engine run), so they count as they do in the clean run: before the chase.
                await PayAsync(database, Paid.While);
                await using var db = database.Context();
                Assert.Equal(0, await db.CollectionSteps.CountAsync());
            }

            var stopwatch = Stopwatch.StartNew();
            while (processes.Any(p => !p.HasExited) && await PendingDueAsync(database) > before - share && stopwatch.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(20);
            }

            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(); // SIGKILL: no cleanup, no finally, no flush
                    kills++;
                }

                await process.WaitForExitAsync();
                process.Dispose();
            }

            var after = await PendingDueAsync(database);
            if (after < before && after > 0)
            {
                midRun++;
            }
        }

        output.WriteLine($"{kills} kills in {rounds} rounds, {midRun} rounds cut mid-run, {await PendingDueAsync(database)} milestones still due");
        return (midRun, rounds);
    }

    private static async Task<int> PendingDueAsync(TestDatabase database)
    {
        await using var db = database.Context();
        return await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending && m.DueAt <= AsOf);
    }

    private static async Task AssertSameOutcomeAsync(TestDatabase expected, TestDatabase actual)
    {
        var want = await OutcomeAsync(expected);
        var got = await OutcomeAsync(actual);
        Assert.Equal(0, await PendingDueAsync(actual));
        foreach (var (name, rows) in want)
        {
            Assert.True(rows.Count > 0 || name == "notices", $"the reference run produced no {name}");
            Assert.Equal(rows.Count, got[name].Count);
            Assert.Equal(rows, got[name]);
        }

        // The book's amendments were renewed by their anniversaries (and compared above, row by row).
        Assert.Contains(want["amendments"], row => row.EndsWith(" Applied", StringComparison.Ordinal));

        await AssertNoReminderForPaidInvoicesAsync(actual);

        // Each carried-out milestone has exactly one audit entry: it was carried out once.
        await using var db = actual.Context();
        await AssertGaplessInvoiceNumbersAsync(db);
        var audited = await db.Audit.Where(a => a.Entity == "milestone").GroupBy(a => a.EntityId).Select(g => g.Count()).ToListAsync();
        var executed = await db.Milestones.CountAsync(m => m.Status != MilestoneStatus.Pending && m.Outcome != Core.Planning.MilestoneOutcomes.BeforeImport);
        Assert.Equal(executed, audited.Count);
        Assert.All(audited, count => Assert.Equal(1, count));
    }

    /// <summary>
    /// Payment reminders went only to invoices still owed: none for an invoice paid in full (before
    /// the run or while it ran), and some for invoices paid in part, which are still owed.
    /// </summary>
    private static async Task AssertNoReminderForPaidInvoicesAsync(TestDatabase database)
    {
        await using var db = database.Context();
        var paid = await db.PaymentAllocations.AsNoTracking().GroupBy(a => a.InvoiceId).Select(g => new { InvoiceId = g.Key, Paid = g.Sum(a => a.Amount) })
            .Join(db.Invoices, p => p.InvoiceId, i => i.Id, (p, i) => new { p.InvoiceId, p.Paid, i.Total }).ToListAsync();
        var reminded = (await db.CollectionSteps.AsNoTracking().Where(c => c.OutboxMessageId != null).Select(c => c.InvoiceId).ToListAsync()).ToHashSet();
        var paidInFull = paid.Where(p => p.Paid >= p.Total).Select(p => p.InvoiceId).ToList();
        Assert.NotEmpty(paidInFull);
        Assert.NotEmpty(reminded);
        Assert.DoesNotContain(paidInFull, reminded.Contains);
        Assert.Contains(paid.Where(p => p.Paid < p.Total), p => reminded.Contains(p.InvoiceId));
        var reminders = await db.Outbox.AsNoTracking().Where(m => m.Template == Core.Messaging.MessageKinds.PaymentReminder).Select(m => m.InvoiceId!.Value).ToListAsync();
        Assert.Equal(reminded.Order(), reminders.Order());
    }

    /// <summary>Each year's invoices are numbered 1..N: no number twice, none missing, none lost to a kill.</summary>
    private static async Task AssertGaplessInvoiceNumbersAsync(RenewalsDbContext db)
    {
        var numbers = await db.Invoices.Select(i => i.Number).ToListAsync();
        Assert.NotEmpty(numbers);
        var parsed = numbers.Select(n => Assert.IsType<InvoiceNumber>(InvoiceNumber.TryParse(n, out var number) ? number : null)).ToList();
        foreach (var year in parsed.GroupBy(n => n.Year))
        {
            Assert.Equal(Enumerable.Range(1, year.Count()), year.Select(n => n.Sequence).Order());
        }
    }

    /// <summary>Every row the engine writes, by natural key (ids of rows it creates depend on batch order).</summary>
    private static async Task<Dictionary<string, List<string>>> OutcomeAsync(TestDatabase database)
    {
        await using var db = database.Context();
        var milestones = await db.Milestones.AsNoTracking()
            .Select(m => new { m.Id, Key = m.SubscriptionId + "/" + m.TermNumber + "/" + (int)m.Kind + "/" + m.Variant, m.Status, m.Outcome })
            .ToListAsync();
        var key = milestones.ToDictionary(m => m.Id, m => m.Key);
        var invoices = await db.Invoices.AsNoTracking().Include(i => i.Lines).ToListAsync();
        // Every invoice here comes from a milestone: the engine issues them, reissues are an operator's.
        var invoiceKey = invoices.ToDictionary(i => i.Id, i => key[i.MilestoneId!.Value]);
        return new Dictionary<string, List<string>>
        {
            ["milestones"] = Sorted(milestones.Select(m => $"{m.Key} {m.Status} {m.Outcome}")),
            ["invoices"] = Sorted(invoices.Select(i =>
                $"{invoiceKey[i.Id]} {i.Kind} {i.PeriodStart}-{i.PeriodEnd} {i.Net} {i.Total} {i.BillToContactId} {i.PurchaseOrderNumber} lines={i.Lines.Count}")),
            ["messages"] = Sorted((await db.Outbox.AsNoTracking().ToListAsync()).Select(m =>
                $"{(m.MilestoneId is { } id ? key[id] : "-")} {m.Template} {m.ContactId} {m.Language} {(m.InvoiceId is { } inv ? invoiceKey[inv] : "-")} {m.Payload}")),
            ["tasks"] = Sorted((await db.AdvisorTasks.AsNoTracking().ToListAsync()).Select(t => $"{key[t.MilestoneId!.Value]} {t.Kind} {t.AdvisorId} {t.DueOn}")),
            ["terms"] = Sorted((await db.Terms.AsNoTracking().ToListAsync()).Select(t => $"{t.SubscriptionId}/{t.Number} {t.Start}-{t.End} {t.IsLocked}")),
            ["entitlements"] = Sorted((await db.Entitlements.AsNoTracking().ToListAsync()).Select(e =>
                $"{e.SubscriptionId}/{e.ProductId}/{e.TermNumber} {e.Quantity} {e.ValidFrom}-{e.ValidUntil} {e.AvailableInWebAccount}")),
            ["subscriptions"] = Sorted((await db.Subscriptions.AsNoTracking().ToListAsync()).Select(s => $"{s.Id} {s.Status} {s.CurrentTermNumber} {s.EndsOn}")),
            ["notices"] = Sorted((await db.CancellationNotices.AsNoTracking().ToListAsync()).Select(n => $"{n.SubscriptionId} {n.EffectiveEndDate}")),
            ["amendments"] = Sorted((await db.Amendments.AsNoTracking().ToListAsync()).Select(a => $"{a.SubscriptionId}/{a.TermNumber} {a.Status}")),
            ["lines"] = Sorted((await db.SubscriptionLines.AsNoTracking().ToListAsync()).Select(l => $"{l.SubscriptionId}/{l.ProductId} {l.Quantity} {l.YearlyUnitPrice}")),
            ["payments"] = Sorted((await db.PaymentAllocations.AsNoTracking().Join(db.Payments, a => a.PaymentId, p => p.Id, (a, p) => new { a.InvoiceId, a.Amount, p.ReceivedOn })
                .ToListAsync()).Select(a => $"{invoiceKey[a.InvoiceId]} {a.Amount} {a.ReceivedOn}")),
            ["collections"] = Sorted((await db.CollectionSteps.AsNoTracking().ToListAsync()).Select(c =>
                $"{invoiceKey[c.InvoiceId]} {c.Stage} {c.FallsOn} {c.OutboxMessageId is not null}")),
        };
    }

    private static List<string> Sorted(IEnumerable<string> rows) => [.. rows.Order(StringComparer.Ordinal)];
}
