using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Accounts;
using Renewals.Core.Partners;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Tests;

public sealed class SqlitePartnerPortalTests() : PartnerPortalTests(DatabaseProvider.Sqlite);

public sealed class PostgresPartnerPortalTests() : PartnerPortalTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The partner portal: Northwind (90 days' notice, only the partner files) resells to Acme,
/// Contoso (30 days) to Fabrikam; Direct bought from the vendor. Acme's two subscriptions run
/// one year from 15 January 2027: they renew on 15 January 2028 and the partner's deadline is
/// 90 days before, 17 October 2027.
/// </summary>
public abstract class PartnerPortalTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task A_partner_sees_its_own_customers_with_the_deadline_under_its_contract_and_nobody_elses()
    {
        var p = await ArrangeAsync();
        await using var db = Database.Context();
        var portal = new PartnerPortalService(db, Clock, Invoicing.Seller.Default);

        var customers = await portal.CustomersAsync(new Actor.Partner(p.Northwind));

        var acme = Assert.Single(customers);
        Assert.Equal("Acme", acme.Name);
        Assert.Equal([p.First, p.Second], acme.Subscriptions.Select(s => s.Id));
        var first = acme.Subscriptions[0];
        Assert.Equal((new LocalDate(2028, 1, 15), new LocalDate(2027, 10, 17), 90, true, false),
            (first.RenewalDate, first.CancellationDeadline, first.NoticeDays, first.FiledByPartnerOnly, first.NoticeReceived));
        Assert.Equal(["Fabrikam"], (await portal.CustomersAsync(new Actor.Partner(p.Contoso))).Select(c => c.Name));
        Assert.Equal(new LocalDate(2027, 12, 2), (await portal.CustomersAsync(new Actor.Partner(p.Contoso)))[0].Subscriptions[0].CancellationDeadline);
        Assert.Null(await portal.CustomerAsync(new Actor.Partner(p.Contoso), p.Acme));
        Assert.Null(await portal.CustomerAsync(new Actor.Partner(p.Northwind), p.Direct));
    }

    [Fact]
    public async Task The_partner_files_on_its_deadline_day_on_time_the_day_after_late_and_never_for_a_customer_not_its_own()
    {
        var p = await ArrangeAsync();
        Clock.Reset(Instant.FromUtc(2027, 10, 18, 9, 0));
        await using var db = Database.Context();
        var portal = new PartnerPortalService(db, Clock, Invoicing.Seller.Default);
        var northwind = new Actor.Partner(p.Northwind);

        var onDeadline = await portal.FileNoticeAsync(northwind, p.First, At(2027, 10, 17), NoticeChannel.UploadedLetter, "Jane Primary", Hash);
        var dayAfter = await portal.FileNoticeAsync(northwind, p.Second, At(2027, 10, 18), NoticeChannel.UploadedLetter, "Jane Primary", Hash);
        var otherPartner = await Assert.ThrowsAsync<DomainException>(() =>
            portal.FileNoticeAsync(new Actor.Partner(p.Contoso), p.First, At(2027, 10, 17), NoticeChannel.UploadedLetter, "Jane Primary", Hash));
        var direct = await Assert.ThrowsAsync<DomainException>(() =>
            portal.FileNoticeAsync(northwind, p.DirectSubscription, At(2027, 10, 17), NoticeChannel.UploadedLetter, "Jane Primary", Hash));

        Assert.Equal((true, new LocalDate(2028, 1, 15), NoticeFiler.Partner), (onDeadline.IsOnTime, onDeadline.EffectiveEndDate, onDeadline.FiledBy));
        Assert.Equal((false, new LocalDate(2029, 1, 15)), (dayAfter.IsOnTime, dayAfter.EffectiveEndDate));
        // Another partner's customer, and a direct one, answer as a subscription that does not exist.
        Assert.Equal((DomainErrors.SubscriptionUnknown, $"There is no subscription {p.First}."), (otherPartner.Code, otherPartner.Describe(CultureInfo.GetCultureInfo("en"))));
        Assert.Equal(DomainErrors.SubscriptionUnknown, direct.Code);

        var notices = await portal.NoticesAsync(northwind);
        Assert.Equal([(p.First, OutboxStatus.Pending), (p.Second, OutboxStatus.Pending)], notices.Select(n => (n.Notice.SubscriptionId, n.Acknowledgement!.Value)));
        Assert.All(notices, n => Assert.Equal("Acme", n.Account));
        Assert.Empty(await portal.NoticesAsync(new Actor.Partner(p.Contoso)));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Action.StartsWith("cancellation.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([($"partner:{p.Northwind}", "cancellation.filed-on-time"), ($"partner:{p.Northwind}", "cancellation.filed-late")],
            audit.Select(a => (a.Actor, a.Action)));
        Assert.True((await portal.CustomersAsync(northwind))[0].Subscriptions[0].NoticeReceived);
    }

    private static Instant At(int year, int month, int day) => new LocalDate(year, month, day).AtStartOfDayInZone(DateTimeZoneProviders.Tzdb["Europe/Paris"]).ToInstant().Plus(Duration.FromHours(10));

    private sealed record Arranged(long Northwind, long Contoso, long Acme, long Direct, long First, long Second, long DirectSubscription);

    private async Task<Arranged> ArrangeAsync()
    {
        var northwindContract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: true, name: "Northwind");
        var contosoContract = await Book.PartnerContractAsync(noticeDays: 30, filedByPartnerOnly: false, name: "Contoso");
        long northwind, contoso, acme, fabrikam;
        await using (var db = Database.Context())
        {
            northwind = await db.PartnerContracts.Where(c => c.Id == northwindContract).Select(c => c.PartnerId).SingleAsync();
            contoso = await db.PartnerContracts.Where(c => c.Id == contosoContract).Select(c => c.PartnerId).SingleAsync();
            var accounts = new AccountService(db, Clock);
            acme = (await accounts.CreateAsync(new NewAccount("Acme", "en", "Europe/Paris", [new("Jane Primary", "jane@acme.example", ContactRole.Primary)], PartnerId: northwind, BillingAddress: "1 Acme Street\n75001 Paris"))).Id;
            fabrikam = (await accounts.CreateAsync(new NewAccount("Fabrikam", "fr", "Europe/Paris", [new("Léa Primaire", "lea@fabrikam.example", ContactRole.Primary)], PartnerId: contoso, BillingAddress: "2 rue Fabrikam\n69003 Lyon"))).Id;
        }

        var direct = await Book.AccountAsync("Direct");
        var first = await Book.SellAsync(acme, new LocalDate(2027, 1, 15), years: 1, partnerContractId: northwindContract);
        var second = await Book.SellAsync(acme, new LocalDate(2027, 1, 15), years: 1, partnerContractId: northwindContract);
        // Fabrikam renews on 1 January 2028; 30 days' notice puts its deadline on 2 December 2027.
        await Book.SellAsync(fabrikam, new LocalDate(2027, 1, 1), years: 1, partnerContractId: contosoContract);
        var directSubscription = await Book.SellAsync(direct.Id, new LocalDate(2027, 1, 15), years: 1);
        return new Arranged(northwind, contoso, acme, direct.Id, first.Id, second.Id, directSubscription.Id);
    }
}
