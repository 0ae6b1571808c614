using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Accounts;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class SqliteSellingTests() : SellingTests(DatabaseProvider.Sqlite);

public sealed class PostgresSellingTests() : SellingTests(DatabaseProvider.PostgreSql);

/// <summary>Selling and importing: every input is checked before anything is stored.</summary>
public abstract class SellingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_sale_stores_the_first_term_its_milestones_and_its_licences()
    {
        var subscription = await Book.ExampleAsync();

        await using var db = Database.Context();
        var term = await db.Terms.SingleAsync(t => t.SubscriptionId == subscription.Id);
        Assert.Equal((1, Date("2027-01-15"), Date("2030-01-15")), (term.Number, term.Start, term.End));
        Assert.Equal(8, await db.Milestones.CountAsync(m => m.SubscriptionId == subscription.Id));
        var licence = await db.Entitlements.SingleAsync(e => e.SubscriptionId == subscription.Id);
        Assert.Equal((10, Date("2027-01-15"), Date("2030-01-15")), (licence.Quantity, licence.ValidFrom, licence.ValidUntil));
        var dueAt = (await db.Milestones.SingleAsync(m => m.SubscriptionId == subscription.Id && m.Kind == Domain.Timeline.MilestoneKind.DayOne)).DueAt;
        Assert.Equal(Instant.FromUtc(2027, 1, 14, 23, 0), dueAt); // midnight in Paris
    }

    [Fact]
    public async Task An_account_in_an_unknown_time_zone_is_refused_and_nothing_is_stored()
    {
        var before = await CountsAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => Book.AccountAsync(zone: "Europe/Atlantis"));

        Assert.Equal(DomainErrors.TimeZoneUnknown, refused.Code);
        Assert.Equal("Fuseau horaire «\u00A0Europe/Atlantis\u00A0» inconnu\u00A0: utilisez un identifiant IANA comme Europe/Paris.",
            refused.Describe(new System.Globalization.CultureInfo("fr")));
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("de", "jane@acme.example", DomainErrors.LanguageUnknown)]
    [InlineData("fr", "not an address", DomainErrors.ContactEmailInvalid)]
    public async Task An_account_with_a_bad_language_or_email_is_refused(string language, string email, string code)
    {
        await using var db = Database.Context();
        var input = new NewAccount("Acme", language, "Europe/Paris", [new NewContact("Jane", email, ContactRole.Primary)]);

        var refused = await Assert.ThrowsAsync<DomainException>(() => new AccountService(db, Clock).CreateAsync(input));

        Assert.Equal(code, refused.Code);
        Assert.Equal(0, await db.Accounts.CountAsync());
    }

    [Theory]
    [InlineData("", null, "FR40303265045", DomainErrors.AccountNameRequired)]
    [InlineData("Acme", null, "FR40303265045", DomainErrors.BillingAddressRequired)]
    [InlineData("Acme", " \n ", null, DomainErrors.BillingAddressRequired)]
    [InlineData("Acme", "1 rue de la Paix", "NOT A VAT", DomainErrors.VatNumberInvalid)]
    [InlineData("Acme", "1 rue de la Paix", "GR094259216", DomainErrors.VatNumberInvalid)]
    public async Task An_account_without_a_name_or_a_billing_address_or_with_a_malformed_vat_number_is_refused(string name, string? address, string? vat, string code)
    {
        await using var db = Database.Context();
        var input = new NewAccount(name, "fr", "Europe/Paris", [new NewContact("Jane", "jane@acme.example", ContactRole.Primary)],
            BillingAddress: address, VatNumber: vat);

        var refused = await Assert.ThrowsAsync<DomainException>(() => new AccountService(db, Clock).CreateAsync(input));

        Assert.Equal(code, refused.Code);
        Assert.Equal(0, await db.Accounts.CountAsync());
    }

    [Theory]
    [InlineData("Acme", "\u0000")]
    [InlineData("Acme", "Jane\u0007")]
    [InlineData("Acme\tCorp", "Jane")]
    [InlineData("Acme\r\nCorp", "Jane")]
    public async Task A_name_holding_a_control_character_is_refused_in_the_readers_language_and_nothing_is_stored(string account, string contact)
    {
        await using var db = Database.Context();
        var input = new NewAccount(account, "fr", "Europe/Paris", [new NewContact(contact, "jane@acme.example", ContactRole.Primary)],
            BillingAddress: "1 rue de la Paix\n75002 Paris");

        var refused = await Assert.ThrowsAsync<DomainException>(() => new AccountService(db, Clock).CreateAsync(input));

        Assert.Equal(DomainErrors.NameUnprintable, refused.Code);
        Assert.Equal("Un nom ne peut pas contenir de caractère de contrôle (comme un caractère nul, une tabulation ou un saut de ligne)\u00A0: saisissez-le de nouveau.",
            refused.Describe(new System.Globalization.CultureInfo("fr")));
        Assert.Equal(0, await db.Accounts.CountAsync());
        Assert.Equal(0, await db.Contacts.CountAsync());
    }

    [Fact]
    public async Task An_advisor_is_added_and_listed_with_the_accounts_that_name_them_and_a_blank_name_is_refused()
    {
        await using var db = Database.Context();
        var advisors = new AdvisorService(db);

        var added = await advisors.AddAsync(new NewAdvisor(" Camille Laurent ", "camille@vendor.example", "fr"));
        await new AccountService(db, Clock).CreateAsync(new NewAccount("Acme", "fr", "Europe/Paris", [new NewContact("Jane", "jane@acme.example", ContactRole.Primary)],
            AdvisorId: added.Id, BillingAddress: "1 rue de la Paix\n75002 Paris"));
        var blank = await Assert.ThrowsAsync<DomainException>(() => advisors.AddAsync(new NewAdvisor(" ", "x@vendor.example", "fr")));

        Assert.Equal(DomainErrors.AdvisorNameRequired, blank.Code);
        var listed = Assert.Single(await advisors.ListAsync());
        Assert.Equal(new AdvisorView(added.Id, "Camille Laurent", "camille@vendor.example", "fr", 1), listed);
    }

    [Fact]
    public async Task An_account_without_contacts_is_refused()
    {
        await using var db = Database.Context();

        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            new AccountService(db, Clock).CreateAsync(new NewAccount("Acme", "en", "Europe/Paris", [])));

        Assert.Equal(DomainErrors.ContactsRequired, refused.Code);
    }

    [Fact]
    public async Task A_subscription_for_an_account_that_has_lost_its_contacts_is_refused_and_nothing_is_stored()
    {
        var account = await Book.AccountAsync();
        await Book.ProductAsync();
        await using (var db = Database.Context())
        {
            await db.Contacts.Where(c => c.AccountId == account.Id).ExecuteDeleteAsync();
        }

        var before = await CountsAsync();
        var refused = await Assert.ThrowsAsync<DomainException>(() => Book.SellAsync(account.Id, Date("2027-01-15")));

        Assert.Equal(DomainErrors.ContactsRequired, refused.Code);
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData(4, 10, 1000, "EUR", "DSN-PRO", DomainErrors.InitialTermYears)]
    [InlineData(3, 0, 1000, "EUR", "DSN-PRO", DomainErrors.LineQuantity)]
    [InlineData(3, 10, -1, "EUR", "DSN-PRO", DomainErrors.LinePrice)]
    [InlineData(3, 10, 1000, "EURO", "DSN-PRO", DomainErrors.LineCurrency)]
    [InlineData(3, 10, 1000, "EUR", "NOPE", DomainErrors.ProductUnknown)]
    public async Task A_bad_subscription_is_refused_with_the_rule_it_breaks_and_nothing_is_stored(
        int years, int quantity, int price, string currency, string product, string code)
    {
        var account = await Book.AccountAsync();
        await Book.ProductAsync();
        var before = await CountsAsync();
        await using var db = Database.Context();

        var refused = await Assert.ThrowsAsync<DomainException>(() => new SubscriptionService(db, Clock).SellAsync(
            new NewSubscription(account.Id, Date("2027-01-15"), years, [new NewLine(product, quantity, price, currency)])));

        Assert.Equal(code, refused.Code);
        Assert.Equal(before, await CountsAsync());
    }

    // The clock reads 12:00 UTC on 1 December 2026: already 2 December in Auckland, still 1 December in Paris and Honolulu.
    [Theory]
    [InlineData("Europe/Paris", "2026-11-30", false, DomainErrors.SaleStartInPast)]
    [InlineData("Pacific/Auckland", "2026-12-01", false, DomainErrors.SaleStartInPast)]
    [InlineData("Pacific/Honolulu", "2026-11-30", false, DomainErrors.SaleStartInPast)]
    [InlineData("Europe/Paris", "2026-12-02", true, DomainErrors.ImportStartInFuture)]
    [InlineData("Pacific/Honolulu", "2026-12-02", true, DomainErrors.ImportStartInFuture)]
    [InlineData("Pacific/Auckland", "2026-12-03", true, DomainErrors.ImportStartInFuture)]
    public async Task A_sale_before_the_accounts_today_or_an_import_after_it_is_refused_and_nothing_is_stored(string zone, string start, bool import, string code)
    {
        var account = await Book.AccountAsync(zone: zone);
        await Book.ProductAsync();
        var before = await CountsAsync();
        await using var db = Database.Context();
        var service = new SubscriptionService(db, Clock);
        var input = new NewSubscription(account.Id, Date(start), 1, [new NewLine("DSN-PRO", 1, 100, "EUR")]);

        var refused = await Assert.ThrowsAsync<DomainException>(() => import ? service.ImportAsync(input) : service.SellAsync(input));

        Assert.Equal(code, refused.Code);
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("Europe/Paris", "2026-12-01")]
    [InlineData("Pacific/Auckland", "2026-12-02")]
    public async Task A_sale_starting_on_the_accounts_today_is_accepted_and_so_is_an_import_that_started_that_day(string zone, string today)
    {
        var account = await Book.AccountAsync(zone: zone);
        await Book.ProductAsync();
        await using var db = Database.Context();
        var service = new SubscriptionService(db, Clock);

        var sold = await service.SellAsync(new NewSubscription(account.Id, Date(today), 1, [new NewLine("DSN-PRO", 1, 100, "EUR")]));
        var imported = await service.ImportAsync(new NewSubscription(account.Id, Date(today), 1, [new NewLine("DSN-PRO", 1, 100, "EUR")]));

        Assert.Equal((Date(today), Date(today)), (sold.Start, imported.Start));
    }

    [Theory]
    [InlineData("EUR", DomainErrors.LineProductRepeated)]
    [InlineData("USD", DomainErrors.LinesCurrencyMixed)]
    public async Task Lines_repeating_a_product_or_mixing_currencies_are_refused_and_nothing_is_stored(string secondCurrency, string code)
    {
        var account = await Book.AccountAsync();
        await Book.ProductAsync();
        await Book.ProductAsync("RND-FARM", "Design");
        var before = await CountsAsync();
        await using var db = Database.Context();
        var second = code == DomainErrors.LineProductRepeated ? "DSN-PRO" : "RND-FARM";

        var refused = await Assert.ThrowsAsync<DomainException>(() => new SubscriptionService(db, Clock).SellAsync(
            new NewSubscription(account.Id, Date("2027-01-15"), 1, [new NewLine("DSN-PRO", 5, 100, "EUR"), new NewLine(second, 2, 100, secondCurrency)])));

        Assert.Equal(code, refused.Code);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task A_subscription_for_an_unknown_account_is_refused()
    {
        await using var db = Database.Context();

        var refused = await Assert.ThrowsAsync<DomainException>(() => new SubscriptionService(db, Clock).SellAsync(
            new NewSubscription(999, Date("2027-01-15"), 1, [new NewLine("DSN-PRO", 1, 1, "EUR")])));

        Assert.Equal(DomainErrors.AccountUnknown, refused.Code);
    }

    [Fact]
    public async Task A_product_new_to_the_customer_in_a_family_it_already_has_is_flagged_and_named_alone()
    {
        var account = await Book.AccountAsync();
        await Book.ProductAsync("DSN-PRO", "Design");
        await Book.ProductAsync("DSN-STD", "Design");
        await Book.SellAsync(account.Id, Date("2027-01-15"), product: "DSN-PRO");

        var second = await Book.SellAsync(account.Id, Date("2027-03-01"), product: "DSN-STD");

        Assert.True(second.IsFirstInProductFamily);
        Assert.Equal("{\"products\":[\"Product DSN-STD\"],\"families\":[]}", second.NewToCustomer);
        Assert.True((await MilestonesAsync(second.Id)).Single(m => m.Kind == Domain.Timeline.MilestoneKind.CheckIn).RecommendedValidation);
    }

    [Fact]
    public async Task A_new_product_family_is_named_with_its_product_and_the_same_product_again_brings_nothing_new()
    {
        var account = await Book.AccountAsync();
        await Book.ProductAsync("DSN-PRO", "Design");
        await Book.ProductAsync("ANL-CORE", "Analytics");
        var first = await Book.SellAsync(account.Id, Date("2027-01-15"), product: "DSN-PRO");

        var again = await Book.SellAsync(account.Id, Date("2027-03-01"), product: "DSN-PRO");
        var family = await Book.SellAsync(account.Id, Date("2027-03-01"), product: "ANL-CORE");

        Assert.Equal("{\"products\":[\"Product DSN-PRO\"],\"families\":[\"Design\"]}", first.NewToCustomer);
        Assert.Equal((false, null), (again.IsFirstInProductFamily, again.NewToCustomer));
        Assert.False((await MilestonesAsync(again.Id)).Single(m => m.Kind == Domain.Timeline.MilestoneKind.CheckIn).RecommendedValidation);
        Assert.Equal("{\"products\":[\"Product ANL-CORE\"],\"families\":[\"Analytics\"]}", family.NewToCustomer);
    }

    [Fact]
    public async Task The_check_in_task_says_what_is_new_and_without_an_advisor_waits_in_the_unassigned_queue_every_advisor_sees()
    {
        var camille = await Book.AdvisorAsync("Camille Laurent");
        var noah = await Book.AdvisorAsync("Noah Patel", "en");
        var withAdvisor = await Book.AccountAsync("Acme", advisorId: camille);
        var without = await Book.AccountAsync("Globex");
        await Book.ProductAsync("ANL-CORE", "Analytics");
        await Book.SellAsync(withAdvisor.Id, Date("2027-01-15"));
        await Book.SellAsync(without.Id, Date("2027-01-15"), product: "ANL-CORE");

        await RunOnAsync(Date("2027-04-15")); // the check-in: 90 days after day 1

        await using var db = Database.Context();
        var tasks = new Core.Tasks.TaskService(db);
        var camilles = await tasks.ListAsync(camille);
        var noahs = await tasks.ListAsync(noah);
        var queue = Assert.Single(await tasks.ListAsync(unassignedOnly: true));
        Assert.Equal(new (string?, bool)[] { ("Acme", false), ("Globex", true) }, camilles.Select(t => (t.Account, t.Unassigned)).Order());
        Assert.Equal(("Globex", true, (long?)null), (queue.Account, queue.Unassigned, queue.AdvisorId));
        Assert.Equal(new[] { queue.Id }, noahs.Select(t => t.Id));
        Assert.Equal(new[] { "Product ANL-CORE" }, queue.NewToCustomer.Products);
        Assert.Equal(new[] { "Analytics" }, queue.NewToCustomer.Families);
        Assert.True(queue.RecommendedValidation);
        Assert.Equal("{\"products\":[\"Product ANL-CORE\"],\"families\":[\"Analytics\"]}",
            (await db.AdvisorTasks.SingleAsync(t => t.Id == queue.Id)).Details);
    }

    [Fact]
    public async Task A_line_without_a_price_takes_the_products_list_price_and_a_product_without_one_is_refused()
    {
        var account = await Book.AccountAsync();
        await using var db = Database.Context();
        var catalogue = new Catalog.ProductService(db);
        await catalogue.AddAsync(new Catalog.NewProduct("SIM-ADV", "Simulation Advanced", "Design", 4100m, "eur"));
        await catalogue.AddAsync(new Catalog.NewProduct("SIM-LAB", "Simulation Lab", "Design"));
        var service = new SubscriptionService(db, Clock);

        var sold = await service.SellAsync(new NewSubscription(account.Id, Date("2027-01-15"), 1, [new NewLine("SIM-ADV", 3)]));
        var before = await CountsAsync();
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            service.SellAsync(new NewSubscription(account.Id, Date("2027-01-15"), 1, [new NewLine("SIM-LAB", 3)])));

        var line = await db.SubscriptionLines.AsNoTracking().SingleAsync(l => l.SubscriptionId == sold.Id);
        Assert.Equal((4100m, "EUR"), (line.YearlyUnitPrice, line.Currency));
        Assert.Equal(DomainErrors.LinePriceMissing, refused.Code);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task A_product_code_already_in_the_catalogue_is_refused()
    {
        await using var db = Database.Context();
        var catalogue = new Catalog.ProductService(db);
        await catalogue.AddAsync(new Catalog.NewProduct("SIM-ADV", "Simulation Advanced", "Design"));

        var refused = await Assert.ThrowsAsync<DomainException>(() => catalogue.AddAsync(new Catalog.NewProduct("SIM-ADV", "Other", "Design")));

        Assert.Equal("Un produit porte déjà le code SIM-ADV.", refused.Describe(new System.Globalization.CultureInfo("fr")));
        Assert.Equal(1, await db.Products.CountAsync());
    }

    [Fact]
    public async Task An_account_with_its_billing_details_partner_and_contacts_reads_back_as_entered()
    {
        await using var db = Database.Context();
        var partner = await new Partners.PartnerService(db).AddAsync(new Partners.NewPartnerContract("Fabrikam Solutions", "contracts@fabrikam.example", 30, false));
        var accounts = new AccountService(db, Clock);
        var created = await accounts.CreateAsync(new NewAccount("Dupont SA", "fr", "Europe/Paris",
            [new NewContact("Claire Dupont", "claire@dupont.example", ContactRole.Primary)],
            PartnerId: partner.PartnerId, BillingAddress: " 3 place Bellecour \n\n69002 Lyon ", VatNumber: "fr 40 303.265.045"));
        await accounts.AddContactAsync(created.Id, new NewContact("Marc Payables", "ap@dupont.example", ContactRole.AccountsPayable));
        await new Catalog.ProductService(db).AddAsync(new Catalog.NewProduct("SIM-ADV", "Simulation Advanced", "Design", 4100m, "EUR"));

        var shown = await accounts.ShowAsync(created.Id);
        var listed = Assert.Single(await accounts.ListAsync());
        var contracts = await new Partners.PartnerService(db).ListAsync();
        var products = await new Catalog.ProductService(db).ListAsync();

        Assert.Equal(("3 place Bellecour\n69002 Lyon", "FR40303265045", "Fabrikam Solutions"), (shown.BillingAddress, shown.VatNumber, shown.Partner));
        Assert.Equal(new[] { ("Claire Dupont", ContactRole.Primary, "fr"), ("Marc Payables", ContactRole.AccountsPayable, "fr") },
            shown.Contacts.Select(c => (c.Name, c.Role, c.Language)));
        Assert.Equal(("Dupont SA", (string?)null, "Fabrikam Solutions", 0), (listed.Name, listed.Advisor, listed.Partner, listed.Subscriptions));
        Assert.Equal((30, false), (Assert.Single(contracts).NoticeDays, contracts[0].FiledByPartnerOnly));
        Assert.Equal(("SIM-ADV", "Design", 4100m, "EUR"), (Assert.Single(products).Code, products[0].Family, products[0].YearlyUnitPrice, products[0].Currency));
    }

    private async Task<string> CountsAsync()
    {
        await using var db = Database.Context();
        return $"{await db.Accounts.CountAsync()}/{await db.Contacts.CountAsync()}/{await db.Subscriptions.CountAsync()}/"
            + $"{await db.SubscriptionLines.CountAsync()}/{await db.Terms.CountAsync()}/{await db.Milestones.CountAsync()}/"
            + $"{await db.Entitlements.CountAsync()}/{await db.Audit.CountAsync()}";
    }
}
