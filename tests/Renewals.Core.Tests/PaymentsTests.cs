using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Messaging;
using Renewals.Core.Payments;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Payments;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqlitePaymentsTests() : PaymentsTests(DatabaseProvider.Sqlite);

public sealed class PostgresPaymentsTests() : PaymentsTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Payments and collections over a real database. Two one-year subscriptions of Acme start on
/// 15 January 2027 in Paris: 10 seats at 1,000.00 (invoice 1: 10,000.00 + 20% VAT = 12,000.00) and
/// 2 seats (invoice 2: 2,400.00), both due 30 days later, on 14 February 2027. Reminders fall 7,
/// 21 and 45 days after that: 21 February, 7 March and 31 March. Amounts and dates worked out by hand.
/// </summary>
public abstract partial class PaymentsTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Finance = new Actor.Finance("fiona");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");

    [Fact]
    public async Task A_payment_covering_two_invoices_settles_both_and_announces_each_one_paid()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        await WebhookEndpointAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 1, 9, 0));

        var payment = await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-01", "14400.00", "eur", "ACME wire 0042", [first, second])));

        Assert.Equal([(first, 12_000.00m, InvoiceStatus.Paid), (second, 2_400.00m, InvoiceStatus.Paid)],
            payment.Allocations.Select(a => (a.InvoiceNumber, a.Amount, a.StatusAfter)));
        await using var db = Database.Context();
        var stored = await db.Payments.AsNoTracking().SingleAsync();
        Assert.Equal((new LocalDate(2027, 2, 1), 14_400.00m, "EUR", "ACME wire 0042", PaymentSources.Manual, "finance:fiona"),
            (stored.ReceivedOn, stored.Amount, stored.Currency, stored.Reference, stored.Source, stored.RecordedBy));
        var paid = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EventType == "invoice.paid").OrderBy(d => d.Id).ToListAsync();
        Assert.Equal(2, paid.Count);
        Assert.Contains($"\"number\":\"{first}\"", paid[0].Payload, StringComparison.Ordinal);
        Assert.Contains("\"paid_on\":\"2027-02-01\"", paid[0].Payload, StringComparison.Ordinal);
        var audit = Assert.Single(await db.Audit.AsNoTracking().Where(a => a.Action == "payment.recorded").ToListAsync());
        Assert.Equal(("finance:fiona", stored.Id), (audit.Actor, audit.EntityId));
        Assert.All(await PaymentsAsync(s => s.InvoicesAsync(Finance)), i => Assert.Equal((InvoiceStatus.Paid, 0m), (i.Status, i.Balance)));
    }

    [Fact]
    public async Task A_part_payment_leaves_the_rest_owed_part_paid_on_the_due_day_and_overdue_the_day_after()
    {
        var (_, first, _) = await TwoInvoicesAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 10, 9, 0));
        var payment = await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-10", "2000,00", "EUR", "Acme partial", [first])));
        Assert.Equal([(first, 2_000.00m, InvoiceStatus.PartPaid)], payment.Allocations.Select(a => (a.InvoiceNumber, a.Amount, a.StatusAfter)));

        // 14 February 23:59 in Paris is 22:59Z: the due day itself.
        Clock.Reset(Instant.FromUtc(2027, 2, 14, 22, 59));
        var onDueDay = (await PaymentsAsync(s => s.InvoicesAsync(Finance))).Single(i => i.Number == first);
        Assert.Equal((InvoiceStatus.PartPaid, 2_000.00m, 10_000.00m), (onDueDay.Status, onDueDay.Paid, onDueDay.Balance));
        // 15 February 00:00 in Paris is 23:00Z on the 14th: the day after.
        Clock.Reset(Instant.FromUtc(2027, 2, 14, 23, 0));
        var dayAfter = (await PaymentsAsync(s => s.InvoicesAsync(Finance))).Single(i => i.Number == first);
        Assert.Equal((InvoiceStatus.Overdue, 10_000.00m), (dayAfter.Status, dayAfter.Balance));
    }

    [Fact]
    public async Task A_payment_that_breaks_a_rule_is_refused_in_english_and_french_and_nothing_is_stored()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 1, 9, 0));
        var cases = new (PaymentInput Input, string English, string French)[]
        {
            (new("2027-02-01", "14400.01", "EUR", "too much", [first, second]),
                "The payment of 14400.01 EUR is more than the invoices named still owe (14400.00 EUR): name the other invoices it pays, or record the right amount.",
                "Le paiement de 14400.01 EUR dépasse ce que les factures indiquées doivent encore (14400.00 EUR) : indiquez les autres factures qu'il règle, ou saisissez le bon montant."),
            (new("2027-02-01", "100", "USD", "dollars", [first]),
                $"Invoice {first} is in EUR, the payment in USD: a payment settles invoices of its own currency only.",
                $"La facture {first} est en EUR, le paiement en USD : un paiement ne règle que des factures de sa propre devise."),
            (new("2027-02-02", "100", "EUR", "tomorrow", [first]),
                "A payment cannot be received on 2 February 2027: that day has not come yet.",
                "Un paiement ne peut pas être reçu le 2 février 2027 : ce jour n'est pas encore arrivé."),
            (new("2027-02-01", "-5", "EUR", "negative", [first]),
                "'-5' is not an amount that can be paid: write a number above zero with at most two decimals, such as 1200.50.",
                "« -5 » n'est pas un montant payable : écrivez un nombre supérieur à zéro avec deux décimales au plus, comme 1200.50."),
            (new("2027-02-01", "100", "EUR", "unknown", ["INV-2099-000001"]),
                "There is no invoice numbered 'INV-2099-000001'.",
                "Aucune facture ne porte le numéro « INV-2099-000001 »."),
        };
        foreach (var (input, english, french) in cases)
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.RecordAsync(Finance, input)));
            Assert.Equal(english, refused.Describe(English));
            Assert.Equal(french, Spaces().Replace(refused.Describe(French), " "));
        }

        Assert.Equal(DomainErrors.FinanceOnly,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.RecordAsync(new Actor.Advisor(1), cases[1].Input)))).Code);
        await using var db = Database.Context();
        Assert.Equal((0, 0), (await db.Payments.CountAsync(), await db.PaymentAllocations.CountAsync()));
    }

    [Fact]
    public async Task A_statement_is_matched_by_number_and_amount_the_rest_is_listed_and_importing_it_again_pays_nothing_twice()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 12, 9, 0));
        var csv = $"""
            booked_on,amount,currency,reference,transaction_id
            2027-02-10,12000.00,EUR,Payment {first.ToLowerInvariant()} thank you,TX-1
            2027-02-10,999.00,EUR,{second},TX-2
            2027-02-11,50.00,EUR,INV-2099-000001,TX-3
            2027-02-11,12000.00,EUR,"{first} again, sorry",TX-4
            2027-02-12,10.00,EUR,no number here,TX-5
            """;

        var result = await ImportAsync(csv);

        Assert.Equal(
            [(2, StatementOutcome.Matched, (string?)null), (3, StatementOutcome.Unmatched, "amount-mismatch"), (4, StatementOutcome.Unmatched, "unknown-number"),
             (5, StatementOutcome.Unmatched, "already-paid"), (6, StatementOutcome.Unmatched, "no-invoice-number")],
            result.Lines.Select(l => (l.Line, l.Outcome, l.Reason)));
        var unmatched = await PaymentsAsync(s => s.UnmatchedAsync(Finance));
        Assert.Equal(["TX-2", "TX-3", "TX-4", "TX-5"], unmatched.Select(u => u.TransactionId));

        var again = await ImportAsync(csv);
        Assert.Equal((0, 0, 5), (again.Matched, again.Unmatched, again.AlreadyImported));
        await using (var db = Database.Context())
        {
            var allocations = await db.PaymentAllocations.AsNoTracking().ToListAsync();
            Assert.Equal([12_000.00m], allocations.Select(a => a.Amount));
            Assert.Equal(5, await db.StatementLines.CountAsync());
        }

        // A person decides: the 999.00 is a part payment of the second invoice.
        var byHand = await PaymentsAsync(s => s.AllocateLineAsync(Finance, unmatched[0].Id, [second]));
        Assert.Equal([(second, 999.00m, InvoiceStatus.PartPaid)], byHand.Allocations.Select(a => (a.InvoiceNumber, a.Amount, a.StatusAfter)));
        Assert.Equal(["TX-3", "TX-4", "TX-5"], (await PaymentsAsync(s => s.UnmatchedAsync(Finance))).Select(u => u.TransactionId));
        var statuses = (await PaymentsAsync(s => s.InvoicesAsync(Finance))).ToDictionary(i => i.Number, i => (i.Status, i.Balance));
        Assert.Equal((InvoiceStatus.Paid, 0m), statuses[first]);
        Assert.Equal((InvoiceStatus.PartPaid, 1_401.00m), statuses[second]);
        Assert.Equal(DomainErrors.StatementLineAlreadySettled,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.AllocateLineAsync(Finance, unmatched[0].Id, [second])))).Code);
    }

    [Fact]
    public async Task A_bad_statement_is_refused_with_each_line_named_in_english_and_french_and_nothing_is_stored()
    {
        var (_, first, _) = await TwoInvoicesAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 12, 9, 0));
        var csv = $"""
            booked_on,amount,currency,reference,transaction_id
            2027-02-10,12000.00,EUR,{first},TX-1
            10/02/2027,12 000,EURO,{first},
            2027-02-11,5.00,EUR,{first},TX-1
            """;

        var refused = await Assert.ThrowsAsync<StatementRefusedException>(() => ImportAsync(csv));

        Assert.Equal(
            [
                "Line 3, booked_on: '10/02/2027' is not a date: write it as year-month-day, such as 2027-03-15.",
                "Line 3, amount: '12 000' is not an amount that can be paid: write a number above zero with at most two decimals, such as 1200.50.",
                "Line 3, currency: 'EURO' is not a currency code (three letters, such as EUR).",
                "Line 3, transaction_id: give the bank's transaction id (at most 100 characters): it is how a statement imported twice pays nothing twice",
                "Line 4: the transaction 'TX-1' is already on line 2 of this file.",
            ],
            refused.Errors.Select(e => e.Describe(English)));
        Assert.Equal(
            "Ligne 3, booked_on : « 10/02/2027 » n'est pas une date : écrivez-la sous la forme AAAA-MM-JJ.",
            Spaces().Replace(refused.Errors[0].Describe(French), " "));
        var header = await Assert.ThrowsAsync<StatementRefusedException>(() => ImportAsync("date,amount\n2027-02-10,5"));
        Assert.Equal("The first line must name the columns booked_on,amount,currency,reference,transaction_id.", Assert.Single(header.Errors).Describe(English));
        await using var db = Database.Context();
        Assert.Equal((0, 0, 0), (await db.StatementLines.CountAsync(), await db.Payments.CountAsync(), await db.Audit.CountAsync(a => a.Action == "statement.imported")));
    }

    [Fact]
    public async Task A_quote_out_of_place_that_shifts_the_columns_refuses_the_statement_even_when_the_quotes_pair_up()
    {
        // The quote opened on line 2 is closed on line 4, so the file parses: lines 2 to 4 read as one
        // record of six fields whose reference spans three lines. Found by the generated statements.
        Clock.Reset(Instant.FromUtc(2027, 2, 12, 9, 0));
        var csv = """
            booked_on,amount,currency,reference,transaction_id
            2026-11-20,120.00,EUR,"Payment INV-2026-000001,TX-1
            2026-11-21,undefined,EUR,Unknown payer,
            2026-11-22,10,",Order 77,TX-3
            2026-11-23,10,EUR,Order 78,TX-4,
            """;

        var refused = await Assert.ThrowsAsync<StatementRefusedException>(() => ImportAsync(csv));

        Assert.Equal(
            [
                "Line 2 does not have the 5 fields the first line names (it has 6): a comma or a quote out of place?",
                "Line 5 does not have the 5 fields the first line names (it has 6): a comma or a quote out of place?",
            ],
            refused.Errors.Select(e => e.Describe(English)));
        Assert.Equal(
            "La ligne 2 n'a pas les 5 champs que nomme la première ligne (elle en a 6) : une virgule ou un guillemet mal placé ?",
            Spaces().Replace(refused.Errors[0].Describe(French), " "));
        await using var db = Database.Context();
        Assert.Equal((0, 0, 0), (await db.StatementLines.CountAsync(), await db.Payments.CountAsync(), await db.Audit.CountAsync()));
    }

    [Fact]
    public async Task A_field_that_spans_lines_refuses_the_statement_even_when_the_line_keeps_its_five_fields()
    {
        // Line 2's reference opens a quote that line 3 closes: lines 2 and 3 read as one record of
        // exactly five fields, which would hide line 3's refund of -5. Line 5's reference only starts
        // with a line break, which trimming the field would erase. Found by the generated statements.
        Clock.Reset(Instant.FromUtc(2027, 2, 12, 9, 0));
        var csv = """
            booked_on,amount,currency,reference,transaction_id
            2026-11-20,120.00,EUR,"Payment INV-2026-000001,TX-1
            2026-11-21,-5,EUR,Unknown payer",TX-2
            2026-11-22,10,EUR,Order 77,TX-3
            2026-11-23,10,EUR,"
            Order 78",TX-4
            """;

        var refused = await Assert.ThrowsAsync<StatementRefusedException>(() => ImportAsync(csv));

        Assert.Equal(
            [
                "Line 2, reference: the field runs over more than one line: a quote opened here closes only on a later line, and the lines between would be read as part of this field",
                "Line 5, reference: the field runs over more than one line: a quote opened here closes only on a later line, and the lines between would be read as part of this field",
            ],
            refused.Errors.Select(e => e.Describe(English)));
        Assert.Equal(
            "Ligne 2, reference : le champ s'étend sur plusieurs lignes : un guillemet ouvert ici ne se referme que sur une ligne suivante, et les lignes intermédiaires seraient lues comme faisant partie de ce champ",
            Spaces().Replace(refused.Errors[0].Describe(French), " "));
        await using var db = Database.Context();
        Assert.Equal((0, 0, 0), (await db.StatementLines.CountAsync(), await db.Payments.CountAsync(), await db.Audit.CountAsync()));
    }

    [Fact]
    public async Task Reminders_go_once_per_stage_to_the_bill_to_contact_in_the_contacts_own_language_over_smtp()
    {
        var (account, first, second) = await TwoInvoicesAsync();
        await WebhookEndpointAsync();
        await using (var db = Database.Context())
        {
            // The account speaks English; its accounts payable contact reads French.
            var ap = await db.Contacts.SingleAsync(c => c.AccountId == account.Id && c.Role == ContactRole.AccountsPayable);
            ap.Language = "fr";
            await db.SaveChangesAsync();
        }

        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 12, 0)); // the invoices themselves
        // The second invoice is paid on time; the first is not.
        Clock.Reset(Instant.FromUtc(2027, 2, 10, 9, 0));
        await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-10", "2400", "EUR", "Acme", [second])));

        // 20 February: 6 days late, noted overdue (once), no reminder yet.
        Assert.Equal(new CollectionResult(1, 0), await PassAsync(Instant.FromUtc(2027, 2, 20, 8, 0)));
        // 21 February, 00:30 in Paris: the first stage.
        Assert.Equal(new CollectionResult(0, 1), await PassAsync(Instant.FromUtc(2027, 2, 20, 23, 30)));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 2, 21, 9, 0)));
        var mails = await DeliverAsync(Instant.FromUtc(2027, 2, 21, 9, 1));
        var mail = Assert.Single(mails);
        Assert.Equal(("ap@acme.example", MessageKinds.PaymentReminder), (Assert.Single(mail.To.Mailboxes).Address, mail.Headers["X-Renewals-Template"]));
        Assert.Equal($"Relance 1 : facture {first} échue le 14 février 2027, pour Acme", Spaces().Replace(mail.Subject ?? "", " "));
        var text = Spaces().Replace(mail.TextBody ?? "", " ");
        Assert.Contains("Bonjour Paul Payables,", text, StringComparison.Ordinal);
        Assert.Contains($"la facture {first} du 15 janvier 2027 (12 000,00 € TTC) était à régler le 14 février 2027 et nous n'en avons pas encore reçu le paiement.", text, StringComparison.Ordinal);

        // 7 March: the second stage, once; 31 March: the third.
        Assert.Equal(new CollectionResult(0, 1), await PassAsync(Instant.FromUtc(2027, 3, 7, 8, 0)));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 3, 20, 8, 0)));
        Assert.Equal(new CollectionResult(0, 1), await PassAsync(Instant.FromUtc(2027, 3, 31, 8, 0)));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 6, 1, 8, 0)));
        await using var check = Database.Context();
        var steps = await check.CollectionSteps.AsNoTracking().OrderBy(s => s.Stage).ToListAsync();
        Assert.Equal([(0, new LocalDate(2027, 2, 15)), (1, new LocalDate(2027, 2, 21)), (2, new LocalDate(2027, 3, 7)), (3, new LocalDate(2027, 3, 31))],
            steps.Select(s => (s.Stage, s.FallsOn)));
        Assert.Single(await check.WebhookDeliveries.AsNoTracking().Where(d => d.EventType == "invoice.overdue").ToListAsync());
        Assert.Equal(3, await check.Outbox.CountAsync(m => m.Template == MessageKinds.PaymentReminder));
    }

    [Fact]
    public async Task An_english_bill_to_contact_is_reminded_in_english()
    {
        var (_, first, _) = await TwoInvoicesAsync();
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 12, 0));
        await PassAsync(Instant.FromUtc(2027, 2, 21, 8, 0));
        var mail = (await DeliverAsync(Instant.FromUtc(2027, 2, 21, 8, 1))).First(m => m.Subject!.Contains(first, StringComparison.Ordinal));
        Assert.Equal($"Reminder 1: invoice {first} was due on 14 February 2027, for Acme", mail.Subject);
        Assert.Contains($"Our records show that invoice {first} of 15 January 2027 (€12,000.00) was due on 14 February 2027 and has not been paid yet.",
            Spaces().Replace(mail.TextBody ?? "", " "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_passes_at_once_in_small_batches_note_and_remind_each_invoice_exactly_once()
    {
        var account = await Book.AccountAsync("Acme");
        foreach (var seats in new[] { 1, 2, 3, 4, 5 })
        {
            await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1, quantity: seats, yearlyUnitPrice: 1000m);
        }

        await RunOnAsync(new LocalDate(2027, 1, 15));
        await WebhookEndpointAsync();
        // 21 February 00:30 in Paris: the five invoices (due 14 February) are late and the 7-day reminder has fallen.
        Clock.Reset(Instant.FromUtc(2027, 2, 20, 23, 30));
        var batches = Options.Create(new CollectionOptions { BatchSize = 2 });

        var results = await Task.WhenAll(
            new CollectionPass(Database.Database, Clock, batches, Invoicing.Seller.Default).RunAsync(),
            new CollectionPass(Database.Database, Clock, batches, Invoicing.Seller.Default).RunAsync());

        Assert.Equal((5, 5), (results.Sum(r => r.NewlyOverdue), results.Sum(r => r.Reminders)));
        await using var db = Database.Context();
        var steps = await db.CollectionSteps.AsNoTracking().ToListAsync();
        Assert.Equal(5, steps.Select(s => s.InvoiceId).Distinct().Count());
        Assert.All(steps.GroupBy(s => s.InvoiceId), g => Assert.Equal([0, 1], g.Select(s => s.Stage).Order()));
        var reminders = await db.Outbox.AsNoTracking().Where(m => m.Template == MessageKinds.PaymentReminder).ToListAsync();
        Assert.Equal(5, reminders.Count);
        Assert.Equal(reminders.Select(m => m.Id).Order(), steps.Where(s => s.Stage == 1).Select(s => s.OutboxMessageId!.Value).Order());
        Assert.Equal(5, await db.WebhookDeliveries.CountAsync(d => d.EventType == "invoice.overdue"));
        Assert.Equal(5, await db.Audit.CountAsync(a => a.Action == "invoice.reminder-queued"));
    }

    [Fact]
    public async Task A_pass_that_collides_with_another_writes_only_what_the_other_left()
    {
        var account = await Book.AccountAsync("Acme");
        foreach (var seats in new[] { 1, 2, 3, 4, 5, 6, 7 })
        {
            await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1, quantity: seats, yearlyUnitPrice: 1000m);
        }

        await RunOnAsync(new LocalDate(2027, 1, 15));
        Clock.Reset(Instant.FromUtc(2027, 2, 20, 23, 30));
        var batches = Options.Create(new CollectionOptions { BatchSize = 3 });

        // Both passes read the same seven late invoices while the steps cannot be written, then
        // write the same batches of three: one of them finds each of its batches written first.
        CollectionResult[] results;
        await using (var holder = Database.Context())
        {
            await holder.Database.OpenConnectionAsync();
            await using var hold = await holder.Database.BeginTransactionAsync();
            if (Provider == DatabaseProvider.PostgreSql)
            {
                await holder.Database.ExecuteSqlRawAsync("LOCK TABLE collection_steps IN SHARE ROW EXCLUSIVE MODE");
            }
            else
            {
                // A write statement (of nothing) takes the database's one write lock, whatever BEGIN took.
                await holder.Database.ExecuteSqlRawAsync("DELETE FROM audit WHERE 0");
            }

            // On threads of their own: SQLite's provider waits for a lock synchronously, inside the call.
            var passes = Task.WhenAll(
                Task.Run(() => new CollectionPass(Database.Database, Clock, batches, Invoicing.Seller.Default).RunAsync()),
                Task.Run(() => new CollectionPass(Database.Database, Clock, batches, Invoicing.Seller.Default).RunAsync()));
            await BothWaitingAsync();
            await hold.RollbackAsync();
            results = await passes;
        }

        Assert.Equal((7, 7), (results.Sum(r => r.NewlyOverdue), results.Sum(r => r.Reminders)));
        await using var db = Database.Context();
        var steps = await db.CollectionSteps.AsNoTracking().ToListAsync();
        Assert.All(steps.GroupBy(s => s.InvoiceId), g => Assert.Equal([0, 1], g.Select(s => s.Stage).Order()));
        Assert.Equal(7, steps.Select(s => s.InvoiceId).Distinct().Count());
        Assert.Equal(7, await db.Outbox.CountAsync(m => m.Template == MessageKinds.PaymentReminder));
        Assert.Equal(7, await db.Audit.CountAsync(a => a.Action == "invoice.overdue"));
    }

    /// <summary>
    /// Waits until both passes wait for the held lock: PostgreSQL says which sessions wait; SQLite
    /// (whose writers wait inside the busy handler, unseen) gets time to read and reach it.
    /// </summary>
    private async Task BothWaitingAsync()
    {
        if (Provider != DatabaseProvider.PostgreSql)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            return;
        }

        await using var db = Database.Context();
        for (var tries = 0; tries < 600; tries++)
        {
            var waiting = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync();
            if (waiting == 2)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the two passes never both waited for the held lock");
    }

    [Fact]
    public async Task A_reminder_due_the_day_the_payment_arrives_is_not_sent()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 12, 0));

        // The first invoice: paid on 21 February before the day's pass: no reminder is written.
        Clock.Reset(Instant.FromUtc(2027, 2, 20, 23, 10)); // 21 February 00:10 in Paris
        await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-21", "12000", "EUR", "Acme", [first])));
        // The second: its reminder is queued at 00:30, then the payment arrives at 10:00 the same day.
        Assert.Equal(new CollectionResult(1, 1), await PassAsync(Instant.FromUtc(2027, 2, 20, 23, 30)));
        Clock.Reset(Instant.FromUtc(2027, 2, 21, 9, 0));
        await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-21", "2400", "EUR", "Acme", [second])));

        Assert.Empty(await DeliverAsync(Instant.FromUtc(2027, 2, 21, 9, 5)));
        await using var db = Database.Context();
        var queued = Assert.Single(await db.Outbox.AsNoTracking().Where(m => m.Template == MessageKinds.PaymentReminder).ToListAsync());
        Assert.Equal(OutboxStatus.Discarded, queued.Status);
        Assert.StartsWith("discarded: the invoice is paid", queued.LastError, StringComparison.Ordinal);
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 3, 31, 8, 0)));
    }

    [Fact]
    public async Task A_dispute_stops_the_chase_and_discards_a_queued_reminder_until_it_is_cleared()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 12, 0));
        Clock.Reset(Instant.FromUtc(2027, 2, 1, 9, 0));
        await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-01", "2400", "EUR", "Acme", [second])));
        await PassAsync(Instant.FromUtc(2027, 2, 21, 8, 0));
        Clock.Reset(Instant.FromUtc(2027, 2, 21, 8, 30));
        await PaymentsAsync(async s => { await s.DisputeAsync(Finance, first.ToLowerInvariant(), "Seats counted twice, says Acme"); return 0; });

        Assert.Empty(await DeliverAsync(Instant.FromUtc(2027, 2, 21, 9, 0)));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 3, 8, 8, 0)));
        var listed = (await PaymentsAsync(s => s.InvoicesAsync(Finance, InvoiceStatus.Disputed))).Single();
        Assert.Equal((first, "Seats counted twice, says Acme"), (listed.Number, listed.DisputeReason));

        Clock.Reset(Instant.FromUtc(2027, 3, 8, 9, 0));
        await PaymentsAsync(async s => { await s.ClearDisputeAsync(Finance, first, "Count checked: 10 seats"); return 0; });
        Assert.Equal(new CollectionResult(0, 1), await PassAsync(Instant.FromUtc(2027, 3, 8, 10, 0)));
        await using var db = Database.Context();
        Assert.Equal(["invoice.disputed", "invoice.dispute-cleared"],
            await db.Audit.AsNoTracking().Where(a => a.Action.StartsWith("invoice.dis")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task A_bounced_payment_is_reversed_once_with_its_reason_and_the_invoices_it_paid_are_owed_and_chased_again()
    {
        var (_, first, second) = await TwoInvoicesAsync();
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 12, 0));
        Clock.Reset(Instant.FromUtc(2027, 2, 10, 9, 0));
        var payment = await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-10", "14400.00", "EUR", "ACME wire 0042", [first, second])));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 2, 22, 8, 0)));

        // 1 March in Paris: the bank returns the transfer. No reason, nothing changes.
        Clock.Reset(Instant.FromUtc(2027, 3, 1, 9, 0));
        var noReason = await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.ReverseAsync(Finance, payment.Id, "  ")));
        Assert.Equal("Say why the payment is reversed, such as a bounced transfer (at most 500 characters).", noReason.Describe(English));
        Assert.Equal("Dites pourquoi le paiement est annulé, par exemple un virement rejeté (500 caractères au plus).", noReason.Describe(French));
        Assert.All(await PaymentsAsync(s => s.InvoicesAsync(Finance)), i => Assert.Equal(InvoiceStatus.Paid, i.Status));
        Assert.Equal(DomainErrors.FinanceOnly,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.ReverseAsync(new Actor.Advisor(1), payment.Id, "bounced")))).Code);

        var reversed = await PaymentsAsync(s => s.ReverseAsync(Finance, payment.Id, "Returned by the bank: account closed"));

        Assert.Equal([(first, InvoiceStatus.Overdue), (second, InvoiceStatus.Overdue)], reversed.Allocations.Select(a => (a.InvoiceNumber, a.StatusAfter)));
        Assert.Equal((Instant.FromUtc(2027, 3, 1, 9, 0), "finance:fiona", "Returned by the bank: account closed"),
            (reversed.Reversal!.At, reversed.Reversal.By, reversed.Reversal.Reason));
        var owed = (await PaymentsAsync(s => s.InvoicesAsync(Finance))).ToDictionary(i => i.Number, i => (i.Status, i.Paid, i.Balance));
        Assert.Equal((InvoiceStatus.Overdue, 0m, 12_000.00m), owed[first]);
        Assert.Equal((InvoiceStatus.Overdue, 0m, 2_400.00m), owed[second]);
        Assert.Equal(DomainErrors.PaymentAlreadyReversed,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.ReverseAsync(Finance, payment.Id, "again")))).Code);
        Assert.Equal(DomainErrors.PaymentUnknown,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.ReverseAsync(Finance, payment.Id + 99, "no such")))).Code);

        // Collection resumes: both noted overdue, and the first stage (21 February) already fell, so one reminder each, once.
        Assert.Equal(new CollectionResult(2, 2), await PassAsync(Instant.FromUtc(2027, 3, 1, 10, 0)));
        Assert.Equal(new CollectionResult(0, 0), await PassAsync(Instant.FromUtc(2027, 3, 1, 11, 0)));
        Assert.Equal(2, (await DeliverAsync(Instant.FromUtc(2027, 3, 1, 11, 5))).Count);

        // Paid again by another transfer: the reversed one counts for nothing, the new one settles it.
        Clock.Reset(Instant.FromUtc(2027, 3, 2, 9, 0));
        var again = await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-03-02", "12000.00", "EUR", "ACME wire 0043", [first])));
        Assert.Equal([(first, 12_000.00m, InvoiceStatus.Paid)], again.Allocations.Select(a => (a.InvoiceNumber, a.Amount, a.StatusAfter)));
        await using var db = Database.Context();
        var audit = Assert.Single(await db.Audit.AsNoTracking().Where(a => a.Action == "payment.reversed").ToListAsync());
        Assert.Equal(("finance:fiona", payment.Id, $"14400.00 EUR of 2027-02-10 ({first}, {second}): Returned by the bank: account closed"),
            (audit.Actor, audit.EntityId, audit.Details));
    }

    [Fact]
    public async Task An_unmatched_line_is_set_aside_with_its_reason_and_waits_no_more()
    {
        var (_, first, _) = await TwoInvoicesAsync();
        Clock.Reset(Instant.FromUtc(2027, 2, 12, 9, 0));
        await ImportAsync($"""
            booked_on,amount,currency,reference,transaction_id
            2027-02-11,42.00,EUR,Refund from our stationer,TX-R
            2027-02-11,5.00,EUR,{first} bank fee,TX-F
            """);
        var waiting = await PaymentsAsync(s => s.UnmatchedAsync(Finance));
        Assert.Equal(["TX-R", "TX-F"], waiting.Select(u => u.TransactionId));

        var noReason = await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(async s => { await s.DismissLineAsync(Finance, waiting[0].Id, ""); return 0; }));
        Assert.Equal("Say why the statement line is set aside, such as a refund from a supplier (at most 500 characters).", noReason.Describe(English));
        await PaymentsAsync(async s => { await s.DismissLineAsync(Finance, waiting[0].Id, "A supplier's refund, not a customer's payment"); return 0; });

        Assert.Equal(["TX-F"], (await PaymentsAsync(s => s.UnmatchedAsync(Finance))).Select(u => u.TransactionId));
        var notWaiting = await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(s => s.AllocateLineAsync(Finance, waiting[0].Id, [first])));
        Assert.Equal($"Statement line {waiting[0].Id} is no longer waiting for a decision: it was allocated or set aside.", notWaiting.Describe(English));
        Assert.Equal(DomainErrors.StatementLineNotWaiting,
            (await Assert.ThrowsAsync<DomainException>(() => PaymentsAsync(async s => { await s.DismissLineAsync(Finance, waiting[0].Id, "twice"); return 0; }))).Code);
        await using var db = Database.Context();
        var line = await db.StatementLines.AsNoTracking().SingleAsync(l => l.Id == waiting[0].Id);
        Assert.Equal((StatementLineState.Dismissed, "finance:fiona", "A supplier's refund, not a customer's payment", (long?)null),
            (line.State, line.DismissedBy, line.DismissReason, line.PaymentId));
        var audit = Assert.Single(await db.Audit.AsNoTracking().Where(a => a.Action == "statement-line.dismissed").ToListAsync());
        Assert.Equal(("finance:fiona", line.Id, "TX-R 42.00 EUR: A supplier's refund, not a customer's payment"), (audit.Actor, audit.EntityId, audit.Details));
        Assert.Equal(0, await db.Payments.CountAsync());
    }

    [Fact]
    public async Task The_advisor_book_flags_an_overdue_invoice_until_it_is_paid()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1);
        await RunOnAsync(new LocalDate(2027, 1, 15));
        var number = (await InvoicesAsync(subscription.Id)).Single().Number!;

        Clock.Reset(Instant.FromUtc(2027, 2, 14, 12, 0));
        Assert.False((await FactsAsync(advisor)).Risks.InvoiceOverdue);
        Clock.Reset(Instant.FromUtc(2027, 2, 15, 12, 0));
        Assert.Equal(new RiskFlags(false, false, false, InvoiceOverdue: true), (await FactsAsync(advisor)).Risks);
        await PaymentsAsync(s => s.RecordAsync(Finance, new PaymentInput("2027-02-15", "12000", "EUR", "late", [number])));
        Assert.False((await FactsAsync(advisor)).Risks.InvoiceOverdue);
    }

    private async Task<SubscriptionFacts> FactsAsync(long advisor)
    {
        await using var db = Database.Context();
        return Assert.Single(await BookFacts.ReadAsync(db, Clock, new Actor.Advisor(advisor), null, Invoicing.Seller.Default));
    }

    /// <summary>Acme's two invoices of 15 January 2027 (12,000.00 and 2,400.00, due 14 February): their numbers.</summary>
    private async Task<(Account Account, string First, string Second)> TwoInvoicesAsync()
    {
        var account = await Book.AccountAsync("Acme");
        var big = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        var small = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1, quantity: 2, yearlyUnitPrice: 1000m);
        await RunOnAsync(new LocalDate(2027, 1, 15));
        var first = (await InvoicesAsync(big.Id)).Single();
        var second = (await InvoicesAsync(small.Id)).Single();
        Assert.Equal((12_000.00m, 2_400.00m, new LocalDate(2027, 2, 14)), (first.Total, second.Total, first.DueOn));
        return (account, first.Number!, second.Number!);
    }

    private async Task WebhookEndpointAsync()
    {
        await using var db = Database.Context();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Url = "https://erp.example/hooks", Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", EventTypes = "invoice.paid,invoice.overdue", Enabled = true,
            CreatedAt = Clock.GetCurrentInstant(),
        });
        await db.SaveChangesAsync();
    }

    private async Task<T> PaymentsAsync<T>(Func<PaymentService, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(new PaymentService(db, Clock, Invoicing.Seller.Default));
    }

    private async Task<StatementResult> ImportAsync(string csv)
    {
        await using var db = Database.Context();
        return await new StatementImport(db, Clock, Invoicing.Seller.Default).ImportAsync(Finance, "february.csv", Encoding.UTF8.GetBytes(csv));
    }

    private Task<CollectionResult> PassAsync(Instant at)
    {
        Clock.Reset(at);
        return new CollectionPass(Database.Database, Clock, Options.Create(new CollectionOptions()), Invoicing.Seller.Default).RunAsync();
    }

    private async Task<IReadOnlyList<MimeMessage>> DeliverAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        return [.. server.Received.Where(m => m.Headers["X-Renewals-Template"] == MessageKinds.PaymentReminder)];
    }

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
