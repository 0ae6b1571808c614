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

    private async Task<string> CountsAsync()
    {
        await using var db = Database.Context();
        return $"{await db.Accounts.CountAsync()}/{await db.Contacts.CountAsync()}/{await db.Subscriptions.CountAsync()}/"
            + $"{await db.SubscriptionLines.CountAsync()}/{await db.Terms.CountAsync()}/{await db.Milestones.CountAsync()}/"
            + $"{await db.Entitlements.CountAsync()}/{await db.Audit.CountAsync()}";
    }
}
