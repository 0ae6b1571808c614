using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary>
/// <c>renewals payments import FILE</c> and <c>payments list</c> on a SQLite file. Acme (10 seats
/// at 1,000.00 + 20% VAT: 12,000.00) and Dupont SA (3 at 2,500.00: 9,000.00) were invoiced on
/// 15 January 2027: INV-2027-000001 and INV-2027-000002.
/// </summary>
public sealed class PaymentsCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-payments-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate")).ExitCode);
        var book = new TestBook(RenewalsDatabase.FromSetting(DbFile), _clock);
        var start = new LocalDate(2027, 1, 15);
        await book.SellAsync((await book.AccountAsync("Acme")).Id, start, years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        await book.SellAsync((await book.AccountAsync("Dupont SA", language: "fr")).Id, start, years: 1, quantity: 3, yearlyUnitPrice: 2500m);
        Assert.Equal(0, (await Cli("run", "--as-of", "2027-01-15")).ExitCode);
        _clock.Reset(Instant.FromUtc(2027, 2, 20, 9, 0));
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", DbFile]);

    [Fact]
    public async Task A_statement_is_matched_the_rest_listed_and_importing_it_again_pays_nothing_twice()
    {
        var file = Path.Combine(_folder, "february.csv");
        await File.WriteAllTextAsync(file, """
            booked_on,amount,currency,reference,transaction_id
            2027-02-10,12000.00,EUR,Acme pays INV-2027-000001,TX-A
            2027-02-11,100.00,EUR,INV-2027-000002,TX-B
            """);

        var first = await Cli("payments", "import", file);
        var again = await Cli("payments", "import", file, "--format", "json");
        var list = await Cli("payments", "list");

        Assert.Equal((0, 0, 0), (first.ExitCode, again.ExitCode, list.ExitCode));
        Assert.Contains("Matched: 1; left for a person to decide: 1; already imported: 0.", first.Output, StringComparison.Ordinal);
        Assert.Contains("amount-mismatch", first.Output, StringComparison.Ordinal);
        Assert.Contains("\"matched\": 0", again.Output, StringComparison.Ordinal);
        Assert.Contains("\"alreadyImported\": 2", again.Output, StringComparison.Ordinal);
        Assert.Contains("INV-2027-000001 12000.00 EUR (paid)", list.Output, StringComparison.Ordinal);
        Assert.Contains("TX-B · 2027-02-11 · 100.00 EUR · INV-2027-000002 · amount-mismatch", list.Output, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal((1, 2), (await db.Payments.CountAsync(), await db.StatementLines.CountAsync()));
    }

    [Fact]
    public async Task A_bounced_payment_is_reversed_and_an_unmatched_line_dismissed_each_with_its_reason()
    {
        var file = Path.Combine(_folder, "february.csv");
        await File.WriteAllTextAsync(file, """
            booked_on,amount,currency,reference,transaction_id
            2027-02-10,12000.00,EUR,Acme pays INV-2027-000001,TX-A
            2027-02-11,42.00,EUR,Refund from our stationer,TX-R
            """);
        Assert.Equal(0, (await Cli("payments", "import", file)).ExitCode);
        long paymentId, lineId;
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            paymentId = await db.Payments.Select(p => p.Id).SingleAsync();
            lineId = await db.StatementLines.Where(l => l.TransactionId == "TX-R").Select(l => l.Id).SingleAsync();
        }

        var noReason = await Cli("payments", "reverse", "--payment", $"{paymentId}");
        var reversed = await Cli("payments", "reverse", "--payment", $"{paymentId}", "--reason", "Returned by the bank");
        var twice = await Cli("--lang", "fr", "payments", "reverse", "--payment", $"{paymentId}", "--reason", "again");
        var dismissed = await Cli("payments", "dismiss", "--line", $"{lineId}", "--reason", "A supplier's refund", "--format", "json");
        var list = await Cli("payments", "list");

        Assert.NotEqual(0, noReason.ExitCode);
        Assert.Equal(0, reversed.ExitCode);
        // 20 February: INV-2027-000001 was due on 14 February, so it is overdue again.
        Assert.Contains($"Payment {paymentId} of 12000.00 EUR reversed; the invoices now stand: INV-2027-000001 (overdue).", reversed.Output, StringComparison.Ordinal);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains($"Le paiement {paymentId} est déjà annulé.", twice.Error, StringComparison.Ordinal);
        Assert.Equal(0, dismissed.ExitCode);
        Assert.Contains("\"dismissed\": true", dismissed.Output, StringComparison.Ordinal);
        Assert.Contains("(reversed: Returned by the bank)", list.Output, StringComparison.Ordinal);
        Assert.Contains("Statement lines waiting for a person: 0", list.Output, StringComparison.Ordinal);
        await using var check = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(["payment.reversed", "statement-line.dismissed"],
            await check.Audit.Where(a => a.Action == "payment.reversed" || a.Action == "statement-line.dismissed").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task Run_chases_overdue_invoices_once_per_stage_as_the_web_host_does()
    {
        // Both invoices were due on 14 February: on the 20th they are noted overdue, the first reminder falls on the 21st (due + 7).
        var first = await Cli("run", "--no-send");
        var second = await Cli("run", "--no-send", "--as-of", "2027-02-21", "--format", "json");
        var again = await Cli("run", "--no-send", "--as-of", "2027-02-21");

        Assert.Equal((0, 0, 0), (first.ExitCode, second.ExitCode, again.ExitCode));
        Assert.Contains("Invoices newly overdue: 2; payment reminders queued: 0.", first.Output, StringComparison.Ordinal);
        Assert.Contains("\"newlyOverdue\": 0", second.Output, StringComparison.Ordinal);
        Assert.Contains("\"reminders\": 2", second.Output, StringComparison.Ordinal);
        Assert.Contains("Invoices newly overdue: 0; payment reminders queued: 0.", again.Output, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(2, await db.Outbox.CountAsync(m => m.Template == "payment-reminder"));
    }

    [Fact]
    public async Task A_bad_statement_is_refused_line_by_line_in_french_and_nothing_is_stored()
    {
        var file = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(file, "booked_on,amount,currency,reference,transaction_id\n2027-02-10,douze,EUR,INV-2027-000001,TX-A\n");

        var refused = await Cli("--lang", "fr", "payments", "import", file);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Ligne 2, amount : « douze » n'est pas un montant payable", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Le relevé a été refusé, rien n'a été enregistré. Erreurs à corriger : 1.", refused.Error, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal((0, 0), (await db.Payments.CountAsync(), await db.StatementLines.CountAsync()));
    }
}
