using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Export;
using Renewals.Core.Import;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteImportTests() : ImportTests(DatabaseProvider.Sqlite);

public sealed class PostgresImportTests() : ImportTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The CSV book import and the exports: the malformed corpus (every error named, nothing
/// stored), running contracts planned in their current term with past dates skipped (dates
/// worked out by hand), the batched path and the service path giving the same milestone rows,
/// and an exported book importing again. The clock stands at 2026-12-01 12:00 UTC, already
/// 2 December in Auckland.
/// </summary>
public abstract class ImportTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr");

    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "ImportCorpus", name);

    /// <summary>The catalogue, advisor and partner the corpus names.</summary>
    private static async Task CatalogueAsync(TestDatabase database)
    {
        await using var db = database.Context();
        var design = new ProductFamily { Name = "Design" };
        design.Products.Add(new Product { Code = "DSN-PRO", Name = "Design Studio Pro", YearlyUnitPrice = 1200m, Currency = "EUR" });
        var analytics = new ProductFamily { Name = "Analytics" };
        analytics.Products.Add(new Product { Code = "ANL-CORE", Name = "Analytics Core", YearlyUnitPrice = 850m, Currency = "EUR" });
        db.ProductFamilies.AddRange(design, analytics);
        db.Advisors.Add(new Advisor { Name = "Camille Laurent", Email = "camille.laurent@vendor.example", Language = "fr" });
        var partner = new Partner { Name = "Northwind Resellers", Email = "renewals@northwind.example" };
        partner.Contracts.Add(new Data.Model.PartnerContract { NoticeDays = 90 });
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
    }

    private Task<ImportResult> ImportAsync(string file, bool dryRun = false) => ImportInto(Database, file, dryRun);

    private async Task<ImportResult> ImportInto(TestDatabase database, string file, bool dryRun = false)
    {
        await using var stream = File.OpenRead(file);
        return await new BookImport(database.Database, Clock).ImportAsync(stream, dryRun);
    }

    private async Task<(int Accounts, int Contacts, int Subscriptions, int Lines, int Terms, int Milestones, int Entitlements, int Audit)> CountsAsync()
    {
        await using var db = Database.Context();
        return (await db.Accounts.CountAsync(), await db.Contacts.CountAsync(), await db.Subscriptions.CountAsync(), await db.SubscriptionLines.CountAsync(),
            await db.Terms.CountAsync(), await db.Milestones.CountAsync(), await db.Entitlements.CountAsync(), await db.Audit.CountAsync());
    }

    private static List<string> Found(ImportResult result) =>
        [.. result.Errors.Select(e => $"{e.Line} {e.Column} {e.Code}")];

    public static TheoryData<string, string[]> MalformedCorpus() => new()
    {
        { "wrong-columns.csv", ["1 acount Import.ColumnUnknown", "1 colour Import.ColumnUnknown", "1 account Import.ColumnMissing", "1 start Import.ColumnMissing"] },
        { "bad-dates.csv", ["2 start Import.Date", "3 start Import.Date", "4 start Import.LeapDay", "6 start Import.Date"] },
        { "unknown-products.csv", [$"2 product {DomainErrors.ProductUnknown}", $"4 product {DomainErrors.ProductUnknown}"] },
        { "duplicates.csv", ["3 product Import.ProductRepeated", "4 time_zone Import.AccountDiffers", "5 account Import.SubscriptionDiffers"] },
        { "latin1.csv", ["2  Import.NotUtf8", "3  Import.NotUtf8"] },
        { "utf16.csv", ["1  Import.Utf16"] },
        {
            "bad-zone-language-years.csv",
            [$"2 time_zone {DomainErrors.TimeZoneUnknown}", $"3 language {DomainErrors.LanguageUnknown}", $"4 term_years {DomainErrors.InitialTermYears}",
                $"5 term_years {DomainErrors.InitialTermYears}"]
        },
        { "empty.csv", ["1  Import.FileEmpty"] },
        { "header-only.csv", ["1  Import.NoRows"] },
        { "field-count.csv", ["3  Import.FieldCount"] },
        { "unclosed-quote.csv", ["3  Import.FieldCount", "4  Import.Malformed"] },
        // Line 2's last field opens a quote that line 3 closes: one line of 22 fields that hides a subscription line.
        // Kiwi's address over three lines is allowed; Harbour's contact name over two is not.
        { "paired-quotes.csv", ["2 currency Import.FieldLineBreak", "7 primary_contact Import.FieldLineBreak"] },
    };

    [Theory]
    [MemberData(nameof(MalformedCorpus))]
    public async Task A_malformed_file_reports_every_error_with_its_line_and_column_and_stores_nothing(string file, string[] expected)
    {
        await CatalogueAsync(Database);
        var before = await CountsAsync();

        var result = await ImportAsync(Corpus(file));

        Assert.False(result.Stored);
        Assert.Equal(expected, Found(result));
        Assert.Equal(before, await CountsAsync());
        Assert.Equal((0, 0, 0), (before.Accounts, before.Subscriptions, before.Milestones));
    }

    [Fact]
    public async Task Errors_are_worded_in_the_readers_language_with_the_line_and_column()
    {
        await CatalogueAsync(Database);

        var dates = await ImportAsync(Corpus("bad-dates.csv"));
        var zones = await ImportAsync(Corpus("bad-zone-language-years.csv"));
        var latin1 = await ImportAsync(Corpus("latin1.csv"));

        Assert.Equal("line 4, column start: There is no 29 February in 2027: it is not a leap year.", dates.Errors[2].Describe(English));
        Assert.Equal("ligne 4, colonne start\u00A0: Il n'y a pas de 29 février en 2027\u00A0: ce n'est pas une année bissextile.", dates.Errors[2].Describe(French));
        Assert.Equal("line 2, column start: '2026-13-01' is not a date written yyyy-mm-dd.", dates.Errors[0].Describe(English));
        Assert.Equal("ligne 2, colonne time_zone\u00A0: Fuseau horaire «\u00A0Europe/Atlantis\u00A0» inconnu\u00A0: utilisez un identifiant IANA comme Europe/Paris.",
            zones.Errors[0].Describe(French));
        Assert.Equal("line 5, column term_years: The initial term must be 1, 2 or 3 years, not two.", zones.Errors[3].Describe(English));
        Assert.Equal("line 3: This line is not valid UTF-8 (a Latin-1 or Windows-1252 file?): save the file as UTF-8.", latin1.Errors[1].Describe(English));
    }

    [Fact]
    public async Task A_valid_29_February_2028_is_accepted_and_a_byte_order_mark_is_fine()
    {
        await CatalogueAsync(Database);

        var result = await ImportAsync(Corpus("good-with-bom.csv"));

        Assert.Equal((true, 4, 3, 3), (result.Stored, result.Rows, result.Accounts, result.Subscriptions));
        await using var db = Database.Context();
        var sale = await db.Subscriptions.Include(s => s.Terms).SingleAsync(s => s.Account!.Name == "Harbour Freight");
        Assert.Equal(new LocalDate(2028, 2, 29), sale.Start);
        // Not started yet: term 1 from its first day, renewing on 28 February 2029 (2028-02-29 plus one year).
        Assert.Equal((1, new LocalDate(2028, 2, 29), new LocalDate(2029, 2, 28)), (sale.Terms[0].Number, sale.Terms[0].Start, sale.Terms[0].End));
        var dates = (await MilestonesAsync(sale.Id)).Select(m => $"{m.Date:uuuu-MM-dd} {m.Kind} {m.Variant} {m.Status}").ToList();
        Assert.Equal(
        [
            "2028-02-29 DayOne 0 Pending", "2028-05-29 CheckIn 0 Pending", "2028-10-31 Reminder 120 Pending",
            "2028-12-30 CancellationDeadline 0 Pending", "2028-12-30 Reminder 60 Pending", "2029-02-28 Anniversary 0 Pending",
        ], dates.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Running_contracts_start_in_their_current_term_and_skip_what_is_past()
    {
        await CatalogueAsync(Database);

        var result = await ImportAsync(Corpus("good.csv"));

        Assert.True(result.Stored);
        await using var db = Database.Context();
        var durand = await db.Subscriptions.Include(s => s.Terms).Include(s => s.Lines).Include(s => s.Account!).ThenInclude(a => a.Contacts)
            .SingleAsync(s => s.Account!.Name == "Atelier Durand");
        // 2024-02-29 for 2 years: term 1 renews on 2026-02-28 (no 29 February in 2026); on 1 December 2026 in Paris term 2 runs to 2027-02-28.
        Assert.Equal((2, new LocalDate(2026, 2, 28), new LocalDate(2027, 2, 28)), (durand.CurrentTermNumber, durand.Terms[0].Start, durand.Terms[0].End));
        Assert.Equal(
        [
            "2026-10-31 Reminder 120 Skipped skipped:before-import", "2026-12-30 CancellationDeadline 0 Pending ",
            "2026-12-30 Reminder 60 Pending ", "2027-02-28 Anniversary 0 Pending ",
        ], (await MilestonesAsync(durand.Id)).Select(m => $"{m.Date:uuuu-MM-dd} {m.Kind} {m.Variant} {m.Status} {m.Outcome}").Order(StringComparer.Ordinal).ToList());
        Assert.Equal([("DSN-PRO", 10, 1200m), ("ANL-CORE", 3, 800m)],
            durand.Lines.OrderBy(l => l.Id).Select(l => (db.Products.Single(p => p.Id == l.ProductId).Code, l.Quantity, l.YearlyUnitPrice)).ToList());
        Assert.Equal(("12 rue des Lilas\n69003 Lyon", "FR40303265045", true), (durand.Account!.BillingAddress, durand.Account.VatNumber, durand.Account.RequiresPurchaseOrder));

        // Started 2025-12-02 for 1 year; at 12:00 UTC on 1 December it is already 2 December in Auckland: the renewal term has begun.
        var kiwi = await db.Subscriptions.Include(s => s.Terms).Include(s => s.Account!).ThenInclude(a => a.Contacts)
            .SingleAsync(s => s.Account!.Name == "Kiwi Analytics");
        Assert.Equal((2, new LocalDate(2026, 12, 2), new LocalDate(2027, 12, 2)), (kiwi.CurrentTermNumber, kiwi.Terms[0].Start, kiwi.Terms[0].End));
        Assert.NotNull(kiwi.PartnerContractId);
        // Northwind's contract asks 90 days of notice: the deadline is 2027-09-03, not the default 60 days' 2027-10-03.
        Assert.Equal(
        [
            "2027-08-04 Reminder 120 Pending", "2027-09-03 CancellationDeadline 0 Pending", "2027-10-03 Reminder 60 Pending", "2027-12-02 Anniversary 0 Pending",
        ], (await MilestonesAsync(kiwi.Id)).Select(m => $"{m.Date:uuuu-MM-dd} {m.Kind} {m.Variant} {m.Status}").Order(StringComparer.Ordinal).ToList());
        Assert.Equal([("Aroha Ngata", ContactRole.Primary), ("Sam Payables", ContactRole.AccountsPayable)],
            kiwi.Account!.Contacts.OrderBy(c => c.Id).Select(c => (c.Name, c.Role)).ToList());
        Assert.Equal(LicenceDelivery.AvailableInWebAccount, kiwi.LicenceDelivery);
        Assert.Equal(3, await db.Audit.CountAsync(a => a.Action == "subscription.imported"));
    }

    [Fact]
    public async Task The_batched_import_plans_the_same_milestone_rows_as_the_subscription_service()
    {
        await CatalogueAsync(Database);
        await ImportAsync(Corpus("good.csv"));
        await using var db = Database.Context();
        var kiwi = await db.Subscriptions.Include(s => s.Account).SingleAsync(s => s.Account!.Name == "Kiwi Analytics");
        var durand = await db.Subscriptions.Include(s => s.Account).SingleAsync(s => s.Account!.Name == "Atelier Durand");

        // The same contracts through SubscriptionService.ImportAsync, on accounts of their own in the same zones.
        var viaServiceKiwi = await new SubscriptionService(db, Clock).ImportAsync(new NewSubscription(
            (await Book.AccountAsync("Kiwi Twin", "Pacific/Auckland")).Id, new LocalDate(2025, 12, 2), 1, [new NewLine("ANL-CORE", 25)],
            PartnerContractId: kiwi.PartnerContractId));
        var viaServiceDurand = await new SubscriptionService(db, Clock).ImportAsync(new NewSubscription(
            (await Book.AccountAsync("Durand Twin", "Europe/Paris")).Id, new LocalDate(2024, 2, 29), 2, [new NewLine("DSN-PRO", 10), new NewLine("ANL-CORE", 3, 800m, "EUR")]));

        foreach (var (batched, service) in new[] { (kiwi.Id, viaServiceKiwi.Id), (durand.Id, viaServiceDurand.Id) })
        {
            Assert.Equal(Rows(await MilestonesAsync(service)), Rows(await MilestonesAsync(batched)));
        }

        static List<string> Rows(List<Milestone> milestones) =>
            [.. milestones.Select(m => $"{m.TermNumber} {m.Kind} {m.Variant} {m.Date} {m.DueAt} {m.Status} {m.Outcome} {m.CompletedAt} {m.RecommendedValidation}")];
    }

    [Fact]
    public async Task A_dry_run_checks_a_good_file_and_stores_nothing()
    {
        await CatalogueAsync(Database);
        var before = await CountsAsync();

        var result = await ImportAsync(Corpus("good.csv"), dryRun: true);

        Assert.Equal((false, true, 4, 3, 3), (result.Stored, result.IsValid, result.Rows, result.Accounts, result.Subscriptions));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task A_book_is_imported_once_a_second_import_names_every_account_and_stores_nothing()
    {
        await CatalogueAsync(Database);
        await ImportAsync(Corpus("good.csv"));
        var before = await CountsAsync();

        var again = await ImportAsync(Corpus("good.csv"));

        Assert.Equal(["2 account Import.AccountExists", "4 account Import.AccountExists", "5 account Import.AccountExists"], Found(again));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task The_pipeline_lists_the_renewals_of_the_next_12_months_with_their_risks()
    {
        await CatalogueAsync(Database);
        await ImportAsync(Corpus("good.csv"));

        var lines = await ExportAsync(Database, ExportKind.Pipeline);

        // Durand: 10 x 1200 + 3 x 800, needs a purchase order and has none. Kiwi renews on 2 December 2027, 12 months after its today.
        // Harbour Freight renews on 28 February 2029: beyond the 12 months.
        Assert.Equal(
        [
            "subscription,account,renewal_date,amount,currency,status,notice_received,po_missing,partner",
            "1,Atelier Durand,2027-02-28,14400.00,EUR,renewing,no,yes,",
            "2,Kiwi Analytics,2027-12-02,21250.00,EUR,renewing,no,no,Northwind Resellers",
        ], lines);
    }

    [Fact]
    public async Task An_exported_book_imports_again_with_the_same_contracts_and_key_dates()
    {
        await CatalogueAsync(Database);
        await ImportAsync(Corpus("good.csv"));
        var exported = await ExportAsync(Database, ExportKind.Subscriptions);
        var file = Path.Combine(Path.GetTempPath(), "renewals-export-" + Guid.NewGuid().ToString("N")[..10] + ".csv");
        await File.WriteAllLinesAsync(file, exported, new UTF8Encoding(false));
        await using var other = await TestDatabase.CreateAsync(Provider);
        await CatalogueAsync(other);

        var result = await ImportInto(other, file);
        File.Delete(file);

        Assert.True(result.Stored, string.Join("; ", result.Errors.Select(e => e.Describe(English))));
        Assert.Equal(exported, await ExportAsync(other, ExportKind.Subscriptions));
        Assert.Equal(await MilestoneTextAsync(Database), await MilestoneTextAsync(other));
        Assert.Equal("Atelier Durand,fr,Europe/Paris,yes,0.20,12 rue des Lilas | 69003 Lyon,FR40303265045,camille.laurent@vendor.example,,Claire Durand,"
            + "claire@durand.example,,,S1,2024-02-29,2,yearly,extend,DSN-PRO,10,1200.00,EUR", exported[1]);
    }

    [Fact]
    public async Task The_invoices_export_writes_each_numbered_invoice_with_the_last_day_it_covers()
    {
        var subscription = await Book.ExampleAsync();
        await RunOnAsync(Date("2027-01-15"));

        var lines = await ExportAsync(Database, ExportKind.Invoices);

        // Day one of the product.md example: 10 x 1000 for the first year (to 14 January 2028), 20 % VAT, due 30 days later.
        Assert.Equal(
        [
            "number,kind,issued_on,due_on,account,subscription,period_start,period_end,net,vat_rate,total,currency,purchase_order",
            $"INV-2027-000001,initial,2027-01-15,2027-02-14,Acme,{subscription.Id},2027-01-15,2028-01-14,10000.00,0.20,12000.00,EUR,",
        ], lines);
    }

    private static async Task<List<string>> MilestoneTextAsync(TestDatabase database)
    {
        await using var db = database.Context();
        return [.. (await db.Milestones.AsNoTracking().OrderBy(m => m.SubscriptionId).ThenBy(m => m.Date).ThenBy(m => m.Kind).ToListAsync())
            .Select(m => $"{m.SubscriptionId} {m.TermNumber} {m.Kind} {m.Date} {m.Status}")];
    }

    private async Task<List<string>> ExportAsync(TestDatabase database, ExportKind kind)
    {
        await using var db = database.Context();
        using var output = new MemoryStream();
        await new BookExport(db, Clock).WriteAsync(kind, output);
        return [.. Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
    }
}
