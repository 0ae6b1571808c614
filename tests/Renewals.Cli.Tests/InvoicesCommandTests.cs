using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using UglyToad.PdfPig;

namespace Renewals.Cli.Tests;

/// <summary><c>renewals invoices list</c> and <c>renewals invoices pdf</c> over invoices the engine issued through <c>renewals run</c>.</summary>
public sealed partial class InvoicesCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-invoices-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);
    private long _acme;
    private long _dupont;

    private string DbFile => Path.Combine(_folder, "book.db");

    private string OutFolder => Path.Combine(_folder, "out");

    /// <summary>
    /// Acme (English, purchase order PO-5521) and Dupont SA (French, no purchase order), both
    /// sold on 15 January 2027; the engine runs on that day: INV-2027-000001 and -000002.
    /// </summary>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(OutFolder);
        Assert.Equal(0, (await Cli("db", "migrate", "--db", DbFile)).ExitCode);
        var book = new TestBook(RenewalsDatabase.FromSetting(DbFile), _clock);
        var start = new LocalDate(2027, 1, 15);

        var acme = await book.AccountAsync("Acme", requiresPurchaseOrder: true);
        _acme = acme.Id;
        await using (var db = book.Database.CreateContext())
        {
            db.PurchaseOrders.Add(new PurchaseOrder { AccountId = acme.Id, Number = "PO-5521", ValidFrom = start, RegisteredAt = _clock.GetCurrentInstant() });
            await db.SaveChangesAsync();
        }

        await book.SellAsync(acme.Id, start, years: 1, quantity: 10, yearlyUnitPrice: 1234.56m);
        var dupont = await book.AccountAsync("Dupont SA", language: "fr");
        _dupont = dupont.Id;
        await book.SellAsync(dupont.Id, start, years: 1, quantity: 3, yearlyUnitPrice: 2500m);

        Assert.Equal(0, (await Cli("run", "--db", DbFile, "--as-of", "2027-01-15")).ExitCode);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    private static string PdfText(string file)
    {
        using var document = PdfDocument.Open(file);
        return Blanks().Replace(string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)), " ");
    }

    private static string Normalise(string text) => Blanks().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();

    [Fact]
    public async Task Pdf_writes_the_invoice_to_the_file_given_and_a_pdf_reader_finds_its_number_purchase_order_amounts_and_bill_to()
    {
        var file = Path.Combine(OutFolder, "acme.pdf");

        var run = await Cli("invoices", "pdf", "INV-2027-000001", "--out", file, "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Invoice INV-2027-000001 written to {file}", run.Output);
        var text = PdfText(file);
        Assert.Contains("INV-2027-000001", text);
        Assert.Contains("Purchase order PO-5521", text);
        Assert.Contains("Paul Payables", text);
        Assert.Contains("Due on 14 February 2027", text);
        Assert.Contains("€1,234.56 €12,345.60", text);
        Assert.Contains("Total excl. VAT €12,345.60", text);
        Assert.Contains("VAT 20% €2,469.12", text);
        Assert.Contains("Total incl. VAT €14,814.72", text);
    }

    [Fact]
    public async Task A_french_contacts_invoice_is_written_in_french_whatever_the_operators_language()
    {
        var run = await Cli("invoices", "pdf", "inv-2027-000002", "--out", OutFolder, "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        var text = PdfText(Path.Combine(OutFolder, "INV-2027-000002.pdf"));
        Assert.Contains("FACTURE", text);
        Assert.Contains("Date d'échéance 14 février 2027", text);
        Assert.Contains("Bon de commande aucun", text);
        Assert.Contains("Total HT 7 500,00 €", text);
        Assert.Contains("TVA 20 % 1 500,00 €", text);
        Assert.Contains("Total TTC 9 000,00 €", text);
    }

    [Fact]
    public async Task Pdf_without_out_writes_NUMBER_pdf_in_the_current_folder()
    {
        var run = await CliRun.AsProcessIn(OutFolder, "invoices", "pdf", "INV-2027-000001", "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["INV-2027-000001.pdf"], Directory.GetFiles(OutFolder).Select(Path.GetFileName));
        Assert.Contains("INV-2027-000001", PdfText(Path.Combine(OutFolder, "INV-2027-000001.pdf")));
    }

    [Theory]
    [InlineData("en", "INV-2027-000099", "error: there is no invoice numbered INV-2027-000099 in SQLite")]
    [InlineData("fr", "INV-2027-000099", "erreur : il n'y a pas de facture numérotée INV-2027-000099 dans SQLite")]
    [InlineData("en", "2027-99", "error: '2027-99' is neither an invoice number (INV-yyyy-nnnnnn")]
    [InlineData("fr", "2027-99", "erreur : « 2027-99 » n'est ni un numéro de facture")]
    [InlineData("en", "CN-2027-000001", "error: there is no credit note numbered CN-2027-000001 in SQLite")]
    public async Task A_bad_or_unknown_number_is_refused_in_one_line_of_the_chosen_language_and_nothing_is_written(string language, string number, string expected)
    {
        var file = Path.Combine(OutFolder, "never.pdf");

        var run = await Cli("invoices", "pdf", number, "--out", file, "--db", DbFile, "--lang", language);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, run.Error);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(OutFolder));
    }

    [Fact]
    public async Task Pdf_into_a_missing_folder_is_refused_with_the_path()
    {
        var file = Path.Combine(_folder, "missing", "x.pdf");

        var run = await Cli("invoices", "pdf", "INV-2027-000001", "--out", file, "--db", DbFile);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot write {file}", run.Error);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Pdf_on_a_database_that_is_not_set_up_says_so_and_creates_nothing()
    {
        var missing = Path.Combine(_folder, "none.db");

        var run = await Cli("invoices", "pdf", "INV-2027-000001", "--out", OutFolder, "--db", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("renewals db migrate", run.Error);
        Assert.False(File.Exists(missing));
        Assert.Empty(Directory.GetFiles(OutFolder));
    }

    [Fact]
    public async Task List_shows_number_issue_date_account_total_and_purchase_order()
    {
        var run = await Cli("invoices", "list", "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        var rows = run.Output.Split('\n').Select(Normalise).ToList();
        Assert.Contains(rows, r => r.Contains($"INV-2027-000001 │ 2027-01-15 │ Acme (#{_acme}) │ €14,814.72 │ PO-5521", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains($"INV-2027-000002 │ 2027-01-15 │ Dupont SA (#{_dupont}) │ €9,000.00 │ none", StringComparison.Ordinal));
        Assert.Contains("Invoices: 2; credit notes: 0.", run.Output);
    }

    [Fact]
    public async Task List_of_one_account_in_french_shows_only_its_invoices_in_french_format()
    {
        var run = await Cli("invoices", "list", "--account", _dupont.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", DbFile, "--lang", "fr");

        Assert.Equal(0, run.ExitCode);
        var output = Normalise(run.Output);
        Assert.Contains("Numéro │ Émise le │ Compte │ Total TTC │ Bon de commande", output);
        Assert.Contains("INV-2027-000002 │ 2027-01-15 │ Dupont SA", output);
        Assert.Contains("9 000,00 € │ aucun", output);
        Assert.DoesNotContain("INV-2027-000001", output);
        Assert.Contains("Factures : 1 ; avoirs : 0.", output);
    }

    [Fact]
    public async Task List_as_json_is_one_document_with_each_invoice_its_kind_and_purchase_order()
    {
        var run = await Cli("invoices", "list", "--format", "json", "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal(
            [("INV-2027-000001", "invoice", "PO-5521", 14_814.72m), ("INV-2027-000002", "invoice", null, 9_000m)],
            json.RootElement.EnumerateArray().Select(e => (e.GetProperty("number").GetString(), e.GetProperty("kind").GetString(),
                e.GetProperty("purchaseOrderNumber").GetString(), e.GetProperty("total").GetDecimal())));
    }

    [Fact]
    public async Task List_of_an_unknown_account_is_refused()
    {
        var run = await Cli("invoices", "list", "--account", "424242", "--db", DbFile);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: there is no account with id 424242", run.Error);
    }

    [Fact]
    public async Task An_order_registered_later_names_the_invoice_to_reissue_and_the_reissue_shows_in_the_list_and_as_a_pdf()
    {
        _clock.Reset(Instant.FromUtc(2027, 2, 3, 9, 0));
        var dupont = _dupont.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var po = await Cli("po", "add", "--account", dupont, "--number", "BC-2027-44", "--db", DbFile);
        var reissue = await Cli("invoices", "reissue", "INV-2027-000002", "--format", "json", "--db", DbFile);
        var list = await Cli("invoices", "list", "--account", dupont, "--db", DbFile);
        var listJson = await Cli("invoices", "list", "--account", dupont, "--format", "json", "--db", DbFile);
        var pdf = await Cli("invoices", "pdf", "cn-2027-000001", "--out", OutFolder, "--db", DbFile);

        Assert.Equal((0, 0, 0, 0, 0), (po.ExitCode, reissue.ExitCode, list.ExitCode, listJson.ExitCode, pdf.ExitCode));
        // A credit note takes back what the invoice asked for: its total is negative in JSON as in the table.
        using (var listed = System.Text.Json.JsonDocument.Parse(listJson.Output))
        {
            var totals = listed.RootElement.EnumerateArray().Select(e => (e.GetProperty("number").GetString(), e.GetProperty("total").GetDecimal())).ToList();
            Assert.Contains(("CN-2027-000001", -9000m), totals);
            Assert.Contains(("INV-2027-000002", 9000m), totals);
            Assert.Contains(("INV-2027-000003", 9000m), totals);
        }

        var poOutput = Normalise(po.Output);
        Assert.Contains("Purchase order BC-2027-44 covers invoices already issued without one (1):", poOutput);
        Assert.Contains("INV-2027-000002 issued on 15 January 2027, for 15 January 2027 to 14 January 2028, €9,000.00", poOutput);
        Assert.Contains("renewals invoices reissue INV-2027-000002", poOutput);

        using var json = System.Text.Json.JsonDocument.Parse(reissue.Output);
        var root = json.RootElement;
        Assert.Equal(("INV-2027-000002", "CN-2027-000001", "INV-2027-000003", "BC-2027-44", "2027-02-03", 9000m, "EUR"),
            (root.GetProperty("cancelledInvoice").GetString(), root.GetProperty("creditNote").GetString(), root.GetProperty("newInvoice").GetString(),
             root.GetProperty("purchaseOrderNumber").GetString(), root.GetProperty("issuedOn").GetString(), root.GetProperty("total").GetDecimal(),
             root.GetProperty("currency").GetString()));

        var rows = list.Output.Split('\n').Select(Normalise).ToList();
        Assert.Contains(rows, r => r.Contains("INV-2027-000002 │ 2027-01-15 │ Dupont SA", StringComparison.Ordinal) && r.Contains("cancelled by CN-2027-000001", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("CN-2027-000001 │ 2027-02-03 │ Dupont SA", StringComparison.Ordinal) && r.Contains("-€9,000.00", StringComparison.Ordinal)
            && r.Contains("credit note: cancels INV-2027-000002", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("INV-2027-000003 │ 2027-02-03 │ Dupont SA", StringComparison.Ordinal) && r.Contains("BC-2027-44", StringComparison.Ordinal)
            && r.Contains("replaces INV-2027-000002", StringComparison.Ordinal));
        Assert.Contains("Invoices: 2; credit notes: 1.", list.Output);

        var orders = await Cli("po", "list", "--account", dupont, "--format", "json", "--db", DbFile);
        var again = await Cli("po", "add", "--account", dupont, "--number", "BC-2027-45", "--format", "json", "--db", DbFile);
        Assert.Equal((0, 0), (orders.ExitCode, again.ExitCode));
        using var ordersJson = System.Text.Json.JsonDocument.Parse(orders.Output);
        var order = Assert.Single(ordersJson.RootElement.EnumerateArray().ToList());
        Assert.Equal(("BC-2027-44", System.Text.Json.JsonValueKind.Null), (order.GetProperty("number").GetString(), order.GetProperty("validFrom").ValueKind));
        using var againJson = System.Text.Json.JsonDocument.Parse(again.Output);
        // The newer standing order does not take over invoices already put right with the first.
        Assert.Equal("BC-2027-45", againJson.RootElement.GetProperty("purchaseOrder").GetProperty("number").GetString());
        Assert.Empty(againJson.RootElement.GetProperty("reissuable").EnumerateArray());

        var text = PdfText(Path.Combine(OutFolder, "CN-2027-000001.pdf"));
        Assert.Contains("AVOIR", text);
        Assert.Contains("Annule la facture INV-2027-000002", text);
        Assert.Contains("Remplacée par INV-2027-000003", text);
        Assert.Contains("Total TTC 9 000,00 €", text);
    }

    [Theory]
    [InlineData("en", "INV-2027-000001", "error: Invoice INV-2027-000001 already carries purchase order PO-5521: there is nothing to put right.")]
    [InlineData("fr", "INV-2027-000002", "erreur : Aucun bon de commande enregistré ne couvre la facture INV-2027-000002 (du 15 janvier 2027 au 14 janvier 2028)")]
    [InlineData("en", "INV-2027-000042", "error: There is no issued invoice numbered INV-2027-000042.")]
    [InlineData("en", "2027-1", "error: '2027-1' is not an invoice number")]
    public async Task Reissue_refuses_in_one_line_with_exit_code_2_and_changes_nothing(string language, string number, string expected)
    {
        var before = await CountAsync();

        var run = await Cli("invoices", "reissue", number, "--db", DbFile, "--lang", language);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, Normalise(run.Error));
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task The_seller_comes_from_its_settings_and_half_set_settings_are_refused()
    {
        var seller = new Dictionary<string, string?>
        {
            ["RENEWALS_SELLER_NAME"] = "Logiciels Brunet SARL",
            ["RENEWALS_SELLER_ADDRESS"] = "3 quai Saint-Antoine | 69002 Lyon | France",
            ["RENEWALS_SELLER_VAT"] = "FR55123456789",
            ["RENEWALS_SELLER_EMAIL"] = "factures@brunet.example",
        };
        var file = Path.Combine(OutFolder, "brunet.pdf");

        var set = await CliRun.InProcess(_clock, seller, "invoices", "pdf", "INV-2027-000001", "--out", file, "--db", DbFile);
        seller.Remove("RENEWALS_SELLER_VAT");
        var half = await CliRun.InProcess(_clock, seller, "invoices", "pdf", "INV-2027-000001", "--out", Path.Combine(OutFolder, "never.pdf"), "--db", DbFile);

        Assert.Equal(0, set.ExitCode);
        var text = PdfText(file);
        Assert.Contains("Logiciels Brunet SARL", text);
        Assert.Contains("3 quai Saint-Antoine", text);
        Assert.Contains("VAT no. FR55123456789", text);
        Assert.DoesNotContain("Alderwood", text);
        Assert.Equal(2, half.ExitCode);
        Assert.StartsWith("error: the seller's settings are incomplete: RENEWALS_SELLER_VAT is not set", half.Error);
        Assert.False(File.Exists(Path.Combine(OutFolder, "never.pdf")));
    }

    private async Task<string> CountAsync()
    {
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        return $"{db.Invoices.Count()}|{db.CreditNotes.Count()}|{db.Outbox.Count()}|{db.Audit.Count()}";
    }
}
