using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Accounts;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Testing;

/// <summary>
/// Builds the data a test needs through the product's own use cases, with a fake clock
/// the test moves. Defaults give the product.md example: a direct customer in Paris.
/// </summary>
public sealed class TestBook(RenewalsDatabase database, FakeClock clock)
{
    public FakeClock Clock => clock;

    public RenewalsDatabase Database => database;

    public static FakeClock ClockAt(int year, int month, int day, int hour = 12) =>
        new(Instant.FromUtc(year, month, day, hour, 0));

    public async Task<long> AdvisorAsync(string name = "Camille Laurent", string language = "fr")
    {
        await using var db = database.CreateContext();
        var advisor = new Advisor { Name = name, Email = name.ToLowerInvariant().Replace(' ', '.') + "@vendor.example", Language = language };
        db.Advisors.Add(advisor);
        await db.SaveChangesAsync();
        return advisor.Id;
    }

    /// <summary>A product (and its family) by code; created on first use.</summary>
    public async Task<string> ProductAsync(string code = "DSN-PRO", string family = "Design")
    {
        await using var db = database.CreateContext();
        if (!await db.Products.AnyAsync(p => p.Code == code))
        {
            var productFamily = await db.ProductFamilies.SingleOrDefaultAsync(f => f.Name == family) ?? new ProductFamily { Name = family };
            productFamily.Products.Add(new Product { Code = code, Name = $"Product {code}" });
            if (productFamily.Id == 0)
            {
                db.ProductFamilies.Add(productFamily);
            }

            await db.SaveChangesAsync();
        }

        return code;
    }

    public async Task<long> PolicyAsync(string name, string reminderDays = "120,60", int checkInDays = 90, int noticeDays = 60)
    {
        await using var db = database.CreateContext();
        var policy = new Data.Model.RenewalPolicy { Name = name, ReminderDays = reminderDays, CheckInDays = checkInDays, NoticeDays = noticeDays };
        db.Policies.Add(policy);
        await db.SaveChangesAsync();
        return policy.Id;
    }

    public async Task<long> PartnerContractAsync(int noticeDays = 90, bool filedByPartnerOnly = false, string name = "Northwind Resellers")
    {
        await using var db = database.CreateContext();
        var partner = new Partner { Name = name, Email = "renewals@northwind.example" };
        var contract = new Data.Model.PartnerContract { NoticeDays = noticeDays, CancellationFiledByPartnerOnly = filedByPartnerOnly };
        partner.Contracts.Add(contract);
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return contract.Id;
    }

    public async Task<Account> AccountAsync(
        string name = "Acme", string zone = "Europe/Paris", string language = "en", bool withAccountsPayable = true,
        bool requiresPurchaseOrder = false, long? advisorId = null, decimal vatRate = 0.20m)
    {
        await using var db = database.CreateContext();
        List<NewContact> contacts = [new("Jane Primary", $"jane@{Slug(name)}.example", ContactRole.Primary)];
        if (withAccountsPayable)
        {
            contacts.Add(new("Paul Payables", $"ap@{Slug(name)}.example", ContactRole.AccountsPayable));
        }

        return await new AccountService(db, clock).CreateAsync(
            new NewAccount(name, language, zone, contacts, requiresPurchaseOrder, vatRate, advisorId, BillingAddress: $"1 {name} Street\n75001 Paris"));
    }

    /// <summary>A sale as the tests replay it: its start may be past (the engine then catches up), so it goes through the backdated path.</summary>
    public async Task<Subscription> SellAsync(
        long accountId, LocalDate start, int years = 3, BillingMode billing = BillingMode.Yearly, long? partnerContractId = null,
        LicenceDelivery delivery = LicenceDelivery.ExtendAutomatically, int quantity = 10, decimal yearlyUnitPrice = 1000m, string product = "DSN-PRO",
        long? policyId = null)
    {
        await ProductAsync(product);
        await using var db = database.CreateContext();
        return await new SubscriptionService(db, clock).SellBackdatedAsync(new NewSubscription(
            accountId, start, years, [new NewLine(product, quantity, yearlyUnitPrice, "EUR")], billing, delivery, policyId, partnerContractId));
    }

    public async Task<Subscription> ImportAsync(long accountId, LocalDate start, int years = 3)
    {
        await ProductAsync();
        await using var db = database.CreateContext();
        return await new SubscriptionService(db, clock).ImportAsync(new NewSubscription(
            accountId, start, years, [new NewLine("DSN-PRO", 5, 1000m, "EUR")]));
    }

    /// <summary>The product.md example: 3 years from 2027-01-15, direct, Paris.</summary>
    public async Task<Subscription> ExampleAsync(string language = "en")
    {
        var account = await AccountAsync(language: language);
        return await SellAsync(account.Id, new LocalDate(2027, 1, 15));
    }

    private static string Slug(string name) => new([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
}
