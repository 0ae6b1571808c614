using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary>
/// Every operation at the command line, on a SQLite file: products, partners, accounts and
/// contacts, subscriptions, notices and tasks; JSON output, one-line errors in the user's
/// language with exit code 2 and nothing changed.
/// </summary>
public sealed class OperationsCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-ops-" + Guid.NewGuid().ToString("N")[..10]);

    // 12:00 UTC on 1 December 2026 is already 01:00 on 2 December in Auckland (UTC+13 in summer).
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 12, 1, 12, 0));

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate")).ExitCode);
        Assert.Equal(0, (await Cli("products", "add", "--code", "DSN-PRO", "--name", "Design Studio Pro", "--family", "Design", "--price", "1200.00")).ExitCode);
        Assert.Equal(0, (await Cli("products", "add", "--code", "ANL-CORE", "--name", "Analytics Core", "--family", "Analytics", "--price", "850", "--currency", "EUR")).ExitCode);
        Assert.Equal(0, (await Cli("accounts", "add", "--name", "Kiwi Analytics", "--time-zone", "Pacific/Auckland", "--contact-name", "Aroha Ngata",
            "--contact-email", "aroha@kiwi.example", "--payables-name", "Sam Payables", "--payables-email", "ap@kiwi.example",
            "--billing-address", "12 Queen Street", "--billing-address", "Auckland 1010", "--vat-number", "GB 123 456 789")).ExitCode);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", DbFile]);

    [Fact]
    public async Task A_running_contract_imported_shows_its_key_dates_with_their_status_and_what_the_sale_brought_new()
    {
        var add = await Cli("subscriptions", "add", "--account", "1", "--line", "DSN-PRO:10", "--line", "ANL-CORE:2:800.00",
            "--start", "2026-02-28", "--years", "1", "--import");
        var show = await Cli("subscriptions", "show", "1", "--format", "json");
        var account = await Cli("accounts", "show", "1", "--format", "json");

        Assert.Equal((0, 0, 0), (add.ExitCode, show.ExitCode, account.ExitCode));
        Assert.Contains("Subscription 1 of Kiwi Analytics imported: term 1 runs from 28 February 2026 to 27 February 2027 included and renews on 28 February 2027",
            add.Output, StringComparison.Ordinal);
        Assert.Contains("Recommended validation at the check-in: new products: Design Studio Pro, Analytics Core; new product families: Design, Analytics.",
            add.Output, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(show.Output);
        var root = json.RootElement;
        var dates = root.GetProperty("keyDates").EnumerateArray()
            .Select(k => $"{k.GetProperty("date").GetString()} {k.GetProperty("key").GetString()} {k.GetProperty("status").GetString()}").ToList();
        var expected = new[]
        {
            "2026-02-28 day-one skipped", "2026-05-29 check-in skipped", "2026-10-31 reminder-120 skipped",
            "2026-12-30 reminder-60 pending", "2026-12-30 cancellation-deadline pending", "2027-02-28 anniversary pending",
        };
        Assert.Equal(expected.Order(StringComparer.Ordinal), dates.Order(StringComparer.Ordinal));
        var lines = root.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("productCode").GetString(), l.GetProperty("yearlyUnitPrice").GetDecimal())).ToList();
        Assert.Equal(new (string?, decimal)[] { ("DSN-PRO", 1200.00m), ("ANL-CORE", 800.00m) }, lines);
        Assert.Equal("2027-02-27", root.GetProperty("terms")[0].GetProperty("lastDay").GetString());

        using var accountJson = JsonDocument.Parse(account.Output);
        Assert.Equal("12 Queen Street\nAuckland 1010", accountJson.RootElement.GetProperty("billingAddress").GetString());
        Assert.Equal("GB123456789", accountJson.RootElement.GetProperty("vatNumber").GetString());
    }

    [Fact]
    public async Task A_notice_with_its_letter_says_it_is_on_time_and_when_the_subscription_ends_and_one_dated_tomorrow_is_refused_leaving_nothing()
    {
        await Cli("subscriptions", "add", "--account", "1", "--line", "DSN-PRO:10", "--start", "2026-02-28", "--years", "1", "--import");
        var letter = Path.Combine(_folder, "scan.PDF");
        await File.WriteAllTextAsync(letter, "scanned letter\n");
        var letters = Path.Combine(_folder, "letters");

        var tomorrow = await Cli("--lang", "fr", "notices", "file", "--subscription", "1", "--received", "2026-12-03", "--letter", letter);
        var afterRefusal = Directory.Exists(letters) ? Directory.GetFiles(letters) : [];
        var filed = await Cli("notices", "file", "--subscription", "1", "--received", "2026-12-02", "--letter", letter);

        Assert.Equal(2, tomorrow.ExitCode);
        Assert.Equal("erreur : Une résiliation datée du 3 décembre 2026 ne peut pas encore être enregistrée : "
            + "nous ne sommes que le 2 décembre 2026 dans le fuseau horaire du client (Pacific/Auckland).", Nbsp(tomorrow.Error.TrimEnd()));
        Assert.Empty(afterRefusal);
        Assert.Equal(0, filed.ExitCode);
        Assert.Contains("Notice 1 for subscription 1, received on 2 December 2026 from the customer: on time. "
            + "The subscription ends on 28 February 2027 (its last day is 27 February 2027).", Flat(filed.Output), StringComparison.Ordinal);
        Assert.Equal(new[] { "4b1dd8e15a6a2c5f90fe714e4302183852fd09e32a6c59570e465893c7736826.pdf" }, Directory.GetFiles(letters).Select(Path.GetFileName));
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        var notice = await db.CancellationNotices.SingleAsync();
        Assert.Equal(("4b1dd8e15a6a2c5f90fe714e4302183852fd09e32a6c59570e465893c7736826.pdf", "4b1dd8e15a6a2c5f90fe714e4302183852fd09e32a6c59570e465893c7736826"),
            (notice.LetterFile, notice.DocumentSha256));
    }

    [Fact]
    public async Task Withdrawing_a_notice_confirms_it_and_an_unknown_notice_is_named_in_the_users_language()
    {
        await Cli("subscriptions", "add", "--account", "1", "--line", "DSN-PRO:10", "--start", "2026-02-28", "--years", "1", "--import");
        await Cli("notices", "file", "--subscription", "1", "--received", "2026-12-01");

        var withdraw = await Cli("notices", "withdraw", "1");
        var unknown = await Cli("--lang", "fr", "notices", "withdraw", "7");
        var list = await Cli("notices", "list", "--format", "json");

        Assert.Equal((0, 2), (withdraw.ExitCode, unknown.ExitCode));
        Assert.Contains("Notice 1 withdrawn: subscription 1 no longer ends on 28 February 2027; the customer is told in writing.", Flat(withdraw.Output), StringComparison.Ordinal);
        Assert.Equal("erreur : Il n'existe aucune résiliation numéro 7.", Nbsp(unknown.Error.TrimEnd()));
        using var json = JsonDocument.Parse(list.Output);
        var notice = Assert.Single(json.RootElement.GetProperty("notices").EnumerateArray());
        Assert.Equal(JsonValueKind.String, notice.GetProperty("withdrawnAt").ValueKind);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(new[] { "cancellation-acknowledgement", "cancellation-withdrawn" }, await db.Outbox.OrderBy(m => m.Id).Select(m => m.Template).ToListAsync());
    }

    [Theory]
    [InlineData("en", "error: unknown time zone 'Europe/Atlantis'", "accounts", "add", "--name", "X", "--time-zone", "Europe/Atlantis", "--contact-name", "A", "--contact-email", "a@x.example")]
    [InlineData("fr", "erreur : Le produit « NOPE » n'existe pas.", "subscriptions", "add", "--account", "1", "--line", "NOPE:3", "--start", "2027-01-15", "--years", "1")]
    [InlineData("en", "error: --line expects CODE:QUANTITY or CODE:QUANTITY:PRICE", "subscriptions", "add", "--account", "1", "--line", "DSN-PRO", "--start", "2027-01-15", "--years", "1")]
    [InlineData("en", "error: There is already a product with code DSN-PRO.", "products", "add", "--code", "DSN-PRO", "--name", "Again", "--family", "Design")]
    [InlineData("en", "error: --billing expects one of yearly, upfront; 'monthly' is not one.", "subscriptions", "add", "--account", "1", "--line", "DSN-PRO:1", "--start", "2027-01-15", "--years", "1", "--billing", "monthly")]
    [InlineData("en", "error: 'FR' is not a VAT number", "accounts", "add", "--name", "X", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example", "--vat-number", "FR", "--billing-address", "1 rue de la Paix")]
    [InlineData("en", "error: There is no renewal advisor 99.", "accounts", "add", "--name", "X", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example", "--advisor", "99", "--billing-address", "1 rue de la Paix")]
    [InlineData("fr", "erreur : Il n'existe aucun partenaire numéro 5.", "accounts", "add", "--name", "X", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example", "--partner", "5", "--billing-address", "1 rue de la Paix")]
    [InlineData("en", "error: There is no partner contract 9.", "subscriptions", "add", "--account", "1", "--line", "DSN-PRO:1", "--start", "2027-01-15", "--years", "1", "--partner-contract", "9")]
    [InlineData("en", "error: A new sale cannot start on 1 December 2026, before today (2 December 2026 in the customer's time zone): for a contract that is already running, add it with --import.", "subscriptions", "add", "--account", "1", "--line", "DSN-PRO:1", "--start", "2026-12-01", "--years", "1")]
    [InlineData("fr", "erreur : Un contrat importé est un contrat déjà en cours, or celui-ci commencerait le 3 décembre 2026, après aujourd'hui (le 2 décembre 2026 dans le fuseau horaire du client) : vendez-le sans --import.", "subscriptions", "add", "--account", "1", "--line", "DSN-PRO:1", "--start", "2026-12-03", "--years", "1", "--import")]
    [InlineData("en", "error: An account needs a name.", "accounts", "add", "--name", "", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example", "--billing-address", "1 rue de la Paix")]
    [InlineData("fr", "erreur : Un contact doit avoir un nom.", "contacts", "add", "--account", "1", "--name", " ", "--email", "lea@kiwi.example")]
    [InlineData("fr", "erreur : « XYZ » n'est pas une devise de la norme ISO 4217 (comme EUR, USD ou GBP).", "products", "add", "--code", "NEW-ONE", "--name", "New", "--family", "Design", "--price", "10", "--currency", "XYZ")]
    [InlineData("en", "error: There is no account 99.", "subscriptions", "list", "--account", "99")]
    [InlineData("en", "error: An account needs a billing address", "accounts", "add", "--name", "X", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example")]
    [InlineData("fr", "erreur : « NOT A VAT » n'est pas un numéro de TVA", "accounts", "add", "--name", "X", "--time-zone", "Europe/Paris", "--contact-name", "A", "--contact-email", "a@x.example", "--billing-address", "1 rue de la Paix", "--vat-number", "NOT A VAT")]
    public async Task Bad_input_is_refused_in_one_line_of_the_users_language_with_exit_code_2_and_nothing_changed(string language, string expected, params string[] args)
    {
        var before = await CountsAsync();

        var run = await Cli(["--lang", language, .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith(Nbsp(expected), Nbsp(run.Error), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Tasks_of_an_account_without_an_advisor_are_in_every_advisors_list_marked_unassigned()
    {
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            db.Advisors.Add(new Data.Model.Advisor { Name = "Emma Walsh", Email = "emma.walsh@vendor.example", Language = "en" });
            await db.SaveChangesAsync();
        }

        await Cli("subscriptions", "add", "--account", "1", "--line", "ANL-CORE:4", "--start", "2026-12-02", "--years", "1");
        await Cli("run", "--as-of", "2027-03-02T12:00:00Z", "--no-send");

        var mine = await Cli("tasks", "list", "--advisor", "1", "--format", "json");
        var table = await Cli("tasks", "list", "--advisor", "1");
        var both = await Cli("--lang", "fr", "tasks", "list", "--advisor", "1", "--unassigned");

        Assert.Equal((0, 0, 2), (mine.ExitCode, table.ExitCode, both.ExitCode));
        using var json = JsonDocument.Parse(mine.Output);
        var task = Assert.Single(json.RootElement.GetProperty("tasks").EnumerateArray());
        Assert.Equal(("schedule-review-meeting", true, JsonValueKind.Null, "2027-03-02"),
            (task.GetProperty("kind").GetString(), task.GetProperty("unassigned").GetBoolean(), task.GetProperty("advisorId").ValueKind, task.GetProperty("dueOn").GetString()));
        Assert.Contains("unassigned", table.Output, StringComparison.Ordinal);
        Assert.Contains("schedule", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("schedule-review-meeting", table.Output, StringComparison.Ordinal);
        Assert.Contains("new products: Analytics Core", Flat(table.Output), StringComparison.Ordinal);
        Assert.Equal("erreur : indiquez --advisor ou --unassigned, pas les deux.", Nbsp(both.Error.TrimEnd()));
    }

    [Fact]
    public async Task A_public_callback_nobody_matched_is_listed_in_the_unassigned_queue_with_its_details()
    {
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            await new Core.Engagement.CallbackService(db, _clock, Core.Invoicing.Seller.Default).RequestFromPublicAsync(new Core.Engagement.CallbackInput(
                "Sam Stone", "Initech", "sam@initech.example", "+44 20 7946 0000", "Renewal quote", "any", "en"));
        }

        var table = await Cli("tasks", "list", "--unassigned");
        var french = await Cli("--lang", "fr", "tasks", "list", "--unassigned");

        Assert.Equal((0, 0), (table.ExitCode, french.ExitCode));
        Assert.Contains("call the customer back", Flat(table.Output), StringComparison.Ordinal);
        Assert.Contains("Sam Stone (Initech)", Flat(table.Output), StringComparison.Ordinal);
        Assert.Contains("rappeler le client", Flat(french.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_advisor_added_at_the_command_line_can_be_named_by_a_new_account_and_is_listed_with_it()
    {
        var added = await Cli("--lang", "fr", "advisors", "add", "--name", "Camille Laurent", "--email", "camille@vendor.example", "--language", "fr");
        var account = await Cli("accounts", "add", "--name", "Dupont SA", "--time-zone", "Europe/Paris", "--contact-name", "Claire Dupont",
            "--contact-email", "claire@dupont.example", "--billing-address", "3 place Bellecour", "--billing-address", "69002 Lyon", "--advisor", "1");
        var list = await Cli("advisors", "list", "--format", "json");
        var badEmail = await Cli("advisors", "add", "--name", "X", "--email", "not-an-address");

        Assert.Equal((0, 0, 0, 2), (added.ExitCode, account.ExitCode, list.ExitCode, badEmail.ExitCode));
        Assert.Equal("Conseiller 1 ajouté : Camille Laurent <camille@vendor.example>, langue fr ; pour l'attribuer à un compte : accounts add --advisor 1.",
            Nbsp(Flat(added.Output).Trim()));
        Assert.Contains("Camille Laurent", account.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.Output);
        var advisor = Assert.Single(json.RootElement.GetProperty("advisors").EnumerateArray());
        Assert.Equal((1, "Camille Laurent", "camille@vendor.example", "fr", 1),
            (advisor.GetProperty("id").GetInt32(), advisor.GetProperty("name").GetString(), advisor.GetProperty("email").GetString(),
             advisor.GetProperty("language").GetString(), advisor.GetProperty("accounts").GetInt32()));
        Assert.Equal("error: 'not-an-address' is not an email address.", badEmail.Error.TrimEnd());
    }

    [Fact]
    public async Task A_purchase_order_period_is_written_with_its_first_and_last_day_in_words()
    {
        var both = await Cli("--lang", "fr", "po", "add", "--account", "1", "--number", "BC-1", "--from", "2028-06-01", "--until", "2029-06-01");
        var from = await Cli("po", "add", "--account", "1", "--number", "BC-2", "--from", "2028-02-29");
        var until = await Cli("--lang", "fr", "po", "add", "--account", "1", "--number", "BC-3", "--until", "2028-03-01");

        Assert.Equal((0, 0, 0), (both.ExitCode, from.ExitCode, until.ExitCode));
        Assert.StartsWith("Bon de commande BC-1 enregistré pour le compte 1, couvrant du 1er juin 2028 au 31 mai 2029 inclus.", Nbsp(Flat(both.Output).Trim()), StringComparison.Ordinal);
        Assert.StartsWith("Purchase order BC-2 registered for account 1, covering from 29 February 2028 onwards.", Flat(from.Output).Trim(), StringComparison.Ordinal);
        Assert.StartsWith("Bon de commande BC-3 enregistré pour le compte 1, couvrant jusqu'au 29 février 2028 inclus.", Nbsp(Flat(until.Output).Trim()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partners_and_contacts_are_added_and_listed()
    {
        var partner = await Cli("partners", "add", "--name", "Northwind Resellers", "--email", "renewals@northwind.example", "--notice-days", "90", "--partner-only");
        var list = await Cli("partners", "list", "--format", "json");
        var contact = await Cli("--lang", "fr", "contacts", "add", "--account", "1", "--name", "Léa Girard", "--email", "lea@kiwi.example");
        var secondPrimary = await Cli("contacts", "add", "--account", "1", "--name", "Other", "--email", "o@kiwi.example", "--role", "primary");

        Assert.Equal((0, 0, 0, 2), (partner.ExitCode, list.ExitCode, contact.ExitCode, secondPrimary.ExitCode));
        Assert.Contains("Partner contract 1 added for Northwind Resellers: 90 days' notice; only Northwind Resellers may file a cancellation.", partner.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.Output);
        var contract = Assert.Single(json.RootElement.GetProperty("contracts").EnumerateArray());
        Assert.Equal((90, true), (contract.GetProperty("noticeDays").GetInt32(), contract.GetProperty("filedByPartnerOnly").GetBoolean()));
        Assert.Equal("Contact 3 ajouté : Léa Girard <lea@kiwi.example>, autre contact, compte 1.", contact.Output.TrimEnd());
        Assert.StartsWith("error: Kiwi Analytics already has a contact in this role", secondPrimary.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_withdrawal_confirmation_is_a_message_kind_with_french_typography()
    {
        var run = await Cli("messages", "preview", "cancellation-withdrawn", "--lang", "fr");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Résiliation retirée : votre abonnement continue", run.Output, StringComparison.Ordinal);
        Assert.Contains("ne s'arrêtera donc pas après le 14 janvier 2030 : il se poursuit", Flat(run.Output), StringComparison.Ordinal);
    }

    /// <summary>Console tables and long lines wrap: compare text with its line breaks and runs of spaces folded.</summary>
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s*\n\s*|[ ]{2,}", " ");

    /// <summary>The domain's older French texts use plain spaces where new ones use non-breaking ones: compare the words.</summary>
    private static string Nbsp(string text) => text.Replace(' ', ' ');

    private async Task<string> CountsAsync()
    {
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        return $"{await db.Products.CountAsync()}/{await db.Accounts.CountAsync()}/{await db.Contacts.CountAsync()}/{await db.Subscriptions.CountAsync()}/"
            + $"{await db.Milestones.CountAsync()}/{await db.CancellationNotices.CountAsync()}/{await db.Outbox.CountAsync()}/{await db.Partners.CountAsync()}";
    }
}
