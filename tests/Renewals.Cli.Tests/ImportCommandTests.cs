using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

public sealed class SqliteImportCommandTests() : ImportCommandTests(DatabaseProvider.Sqlite);

public sealed class PostgresImportCommandTests() : ImportCommandTests(DatabaseProvider.PostgreSql);

/// <summary>
/// <c>renewals import</c> and <c>renewals export</c>: the documented sample imports; a bad file
/// prints every error on its own line in the user's language, exits 2 and stores nothing;
/// the exports write CSV to the console or a file.
/// </summary>
public abstract class ImportCommandTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Header =
        "account,language,time_zone,requires_po,vat_rate,billing_address,vat_number,advisor_email,partner,primary_contact,primary_email,"
        + "payables_contact,payables_email,subscription,start,term_years,billing,licence_delivery,product,quantity,yearly_unit_price,currency";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-import-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 12, 1, 12, 0));
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _database = await TestDatabase.CreateAsync(provider);
        // What docs/samples/book.csv names: the demo book's catalogue, two advisors and a partner.
        await using var db = Database.Context();
        var design = new ProductFamily { Name = "Design" };
        design.Products.Add(new Product { Code = "DSN-STD", Name = "Design Studio Standard", YearlyUnitPrice = 1200m, Currency = "EUR" });
        design.Products.Add(new Product { Code = "DSN-PRO", Name = "Design Studio Professional", YearlyUnitPrice = 2900m, Currency = "EUR" });
        design.Products.Add(new Product { Code = "SIM-ADV", Name = "Simulation Advanced", YearlyUnitPrice = 4100m, Currency = "EUR" });
        var analytics = new ProductFamily { Name = "Analytics" };
        analytics.Products.Add(new Product { Code = "ANL-CORE", Name = "Analytics Core", YearlyUnitPrice = 850m, Currency = "EUR" });
        analytics.Products.Add(new Product { Code = "ANL-IOT", Name = "Analytics IoT Connect", YearlyUnitPrice = 1600m, Currency = "EUR" });
        db.ProductFamilies.AddRange(design, analytics);
        db.Advisors.Add(new Advisor { Name = "Camille Laurent", Email = "camille.laurent@vendor.example", Language = "fr" });
        db.Advisors.Add(new Advisor { Name = "Emma Walsh", Email = "emma.walsh@vendor.example", Language = "en" });
        var fabrikam = new Partner { Name = "Fabrikam Solutions", Email = "contracts@fabrikam.example" };
        fabrikam.Contracts.Add(new Data.Model.PartnerContract { NoticeDays = 30 });
        db.Partners.Add(fabrikam);
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", Database.Setting]);

    private static string Sample()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Renewals.slnx")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found above " + AppContext.BaseDirectory);
        return Path.Combine(root, "docs", "samples", "book.csv");
    }

    private async Task<int> SubscriptionsAsync()
    {
        await using var db = Database.Context();
        return await db.Subscriptions.CountAsync() + await db.Accounts.CountAsync() + await db.Milestones.CountAsync();
    }

    private string WriteBook(string name, params string[] rows)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllLines(path, [Header, .. rows]);
        return path;
    }

    [Fact]
    public async Task The_documented_sample_imports_and_the_exports_write_it_back()
    {
        var check = await Cli("import", Sample(), "--dry-run");
        Assert.Equal(0, await SubscriptionsAsync());
        var import = await Cli("import", Sample());
        var pipelineFile = Path.Combine(_folder, "pipeline.csv");
        var pipeline = await Cli("export", "pipeline", "--out", pipelineFile);
        var subscriptions = await Cli("export", "subscriptions");

        Assert.Equal((0, 0, 0, 0), (check.ExitCode, import.ExitCode, pipeline.ExitCode, subscriptions.ExitCode));
        Assert.Equal("The file is right: 5 lines, 3 accounts, 4 subscriptions. Nothing was stored (--dry-run).", check.Output.Trim());
        Assert.StartsWith("Imported 5 lines: 3 accounts, 4 subscriptions, ", import.Output, StringComparison.Ordinal);
        Assert.Equal($"Written to {pipelineFile}.", pipeline.Output.Trim());
        var lines = await System.IO.File.ReadAllLinesAsync(pipelineFile);
        // Renewing within 12 months of 1 December 2026: Durand's 2024-02-29 contract (2 years, then yearly) on 2027-02-28,
        // its 2026-01-31 one on 2027-01-31, Kiwi's 2025-12-31 (3 years) not before 2028-12-31, Harbour's 2028 sale neither.
        Assert.Equal(
        [
            "subscription,account,renewal_date,amount,currency,status,notice_received,po_missing,partner",
            "1,Atelier Durand,2027-02-28,31400.00,EUR,renewing,no,yes,",
            "2,Atelier Durand,2027-01-31,8200.00,EUR,renewing,no,yes,",
        ], lines);
        var exported = subscriptions.Output.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, exported.Length);
        Assert.Equal(Header, exported[0]);
        Assert.Equal("Harbour Freight Ltd,en,Europe/London,no,0.20,1 Dock Road | London E16 1AA | United Kingdom,GB123456789,,Fabrikam Solutions,Sam Reed,"
            + "sam@harbour.example,,,S4,2028-02-29,1,yearly,extend,DSN-STD,5,1200.00,EUR", exported[5]);
    }

    [Fact]
    public async Task A_bad_file_prints_every_error_in_french_exits_2_and_stores_nothing()
    {
        var file = WriteBook("bad.csv",
            "Atelier Durand,fr,Europe/Paris,yes,0.20,1 rue de la Gare | 75010 Paris,,,,Claire Durand,claire@durand.example,,,D1,2027-02-29,2,yearly,extend,DSN-PRO,10,,",
            "Atelier Durand,fr,Europe/Paris,yes,0.20,1 rue de la Gare | 75010 Paris,,,,Claire Durand,claire@durand.example,,,D1,2027-02-29,2,yearly,extend,DSN-ULTRA,10,,",
            "Kiwi,en,Pacific/Auckland,maybe,0,1 Queen Street | Auckland,,nobody@vendor.example,,Aroha,aroha@kiwi.example,,,K1,2026-01-01,5,monthly,extend,ANL-CORE,0,,");

        var run = await Cli("import", file, "--lang", "fr");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Equal(
        [
            "erreur : ligne 2, colonne start : Il n'y a pas de 29 février en 2027 : ce n'est pas une année bissextile.",
            "erreur : ligne 3, colonne product : Le produit « DSN-ULTRA » n'existe pas.",
            "erreur : ligne 4, colonne requires_po : « maybe » n'est ni yes ni no.",
            "erreur : ligne 4, colonne advisor_email : Aucun conseiller n'a l'adresse e-mail nobody@vendor.example.",
            "erreur : ligne 4, colonne term_years : La durée initiale doit être de 1, 2 ou 3 ans, et non de 5.",
            "erreur : ligne 4, colonne billing : « monthly » ne fait pas partie des valeurs permises : yearly, upfront.",
            "erreur : ligne 4, colonne quantity : Une quantité doit valoir au moins 1, et non 0.",
            "erreur : le fichier comporte 7 erreurs ; rien n'a été enregistré.",
        ], run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, await SubscriptionsAsync());
    }

    [Fact]
    public async Task Errors_in_json_name_line_column_and_code_and_a_missing_file_is_refused()
    {
        var file = WriteBook("zone.csv", "Acme,en,Mars/Olympus,no,0.20,1 Main Street | Springfield,,,,Jane,jane@acme.example,,,A1,2026-01-15,1,,,DSN-PRO,1,,");

        var run = await Cli("import", file, "--format", "json");
        var missing = await Cli("import", Path.Combine(_folder, "nothing.csv"));

        Assert.Equal((2, 2), (run.ExitCode, missing.ExitCode));
        using var json = JsonDocument.Parse(run.Output);
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal((2, "time_zone", "Error.TimeZoneUnknown", "Unknown time zone 'Mars/Olympus': use an IANA id such as Europe/Paris."),
            (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetString(), error.GetProperty("code").GetString(), error.GetProperty("message").GetString()));
        Assert.False(json.RootElement.GetProperty("stored").GetBoolean());
        Assert.Equal($"error: there is no file {Path.Combine(_folder, "nothing.csv")}.", missing.Error.Trim());
        Assert.Equal(0, await SubscriptionsAsync());
    }
}
