using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Accounts;
using Renewals.Core.Api;
using Renewals.Core.Cancellations;
using Renewals.Core.Hosting;
using Renewals.Core.Invoicing;
using Renewals.Core.Licensing;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Tests;

public sealed class SqliteApiKeyScopeTests() : ApiKeyScopeTests(DatabaseProvider.Sqlite);

public sealed class PostgresApiKeyScopeTests() : ApiKeyScopeTests(DatabaseProvider.PostgreSql);

/// <summary>
/// What a key reaches through ApiService: a partner's key its own customers only (another's
/// answer "unknown", nothing changes), an admin's key everything, in pages that cover every
/// row once.
/// </summary>
public abstract class ApiKeyScopeTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task A_partner_reaches_its_own_customers_only_and_an_account_it_creates_is_its_own()
    {
        var northContract = await Book.PartnerContractAsync(name: "Northwind");
        var southContract = await Book.PartnerContractAsync(name: "Southwind");
        await using var db = Database.Context();
        var north = new Actor.Partner(await db.PartnerContracts.Where(c => c.Id == northContract).Select(c => c.PartnerId).SingleAsync());
        var south = new Actor.Partner(await db.PartnerContracts.Where(c => c.Id == southContract).Select(c => c.PartnerId).SingleAsync());
        var api = Api(db);

        // A body naming another partner does not move the account out of the caller's reach.
        var mine = await api.CreateAccountAsync(north, Account("North customer", south.Id));
        var theirs = await api.CreateAccountAsync(south, Account("South customer", null));
        var direct = await Book.AccountAsync("Direct");
        var theirSubscription = await Book.ImportAsync(theirs.Id, new LocalDate(2026, 6, 1), years: 1);
        var notice = await api.FileNoticeAsync(new Actor.Admin("alice"), theirSubscription.Id,
            new WrittenNotice(Instant.FromUtc(2026, 11, 30, 9, 0), NoticeChannel.Email, "Sam South", Hash, NoticeFiler.Customer));

        Assert.Equal((long?)north.Id, mine.PartnerId);
        Assert.Equal([mine.Id], (await api.AccountsAsync(north, 0, 10)).Items.Select(a => a.Id));
        Assert.Equal([mine.Id, theirs.Id, direct.Id], (await api.AccountsAsync(new Actor.Admin("alice"), 0, 10)).Items.Select(a => a.Id));
        Assert.Empty((await api.SubscriptionsAsync(north, 0, 10)).Items);
        var refusals = new[]
        {
            await Assert.ThrowsAsync<DomainException>(() => api.AccountAsync(north, theirs.Id)),
            await Assert.ThrowsAsync<DomainException>(() => api.AccountAsync(north, direct.Id)),
            await Assert.ThrowsAsync<DomainException>(() => api.AddContactAsync(north, theirs.Id, new NewContact("Eve", "eve@example.com", ContactRole.Other))),
            await Assert.ThrowsAsync<DomainException>(() => api.SubscriptionAsync(north, theirSubscription.Id, System.Globalization.CultureInfo.InvariantCulture)),
            await Assert.ThrowsAsync<DomainException>(() => api.WithdrawNoticeAsync(north, notice.Id)),
            await Assert.ThrowsAsync<DomainException>(() => api.RegisterPurchaseOrderAsync(north, new NewPurchaseOrder(theirs.Id, "PO-1"))),
        };

        Assert.Equal(
            [DomainErrors.AccountUnknown, DomainErrors.AccountUnknown, DomainErrors.AccountUnknown, DomainErrors.SubscriptionUnknown, DomainErrors.NoticeUnknown, DomainErrors.AccountUnknown],
            refusals.Select(r => r.Code));
        await using var check = Database.Context();
        Assert.Null(await check.CancellationNotices.Where(n => n.Id == notice.Id).Select(n => n.WithdrawnAt).SingleAsync());
        Assert.Equal(1, await check.Contacts.CountAsync(c => c.AccountId == theirs.Id));
        Assert.Equal(0, await check.PurchaseOrders.CountAsync());
        Assert.Equal([$"partner:{north.Id}", $"partner:{south.Id}"],
            await check.Audit.Where(a => a.Action == "account.created").OrderBy(a => a.Id).Select(a => a.Actor).ToListAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(100)]
    public async Task Pages_cover_every_account_once_whatever_their_size(int limit)
    {
        var ids = new List<long>();
        for (var i = 0; i < 11; i++)
        {
            ids.Add((await Book.AccountAsync($"Account {i}")).Id);
        }

        await using var db = Database.Context();
        var api = Api(db);
        var seen = new List<long>();
        long? after = 0;
        var pages = 0;
        while (after is { } from)
        {
            var page = await api.AccountsAsync(new Actor.Admin("alice"), from, limit);
            Assert.True(page.Items.Count <= limit);
            seen.AddRange(page.Items.Select(a => a.Id));
            after = page.NextAfter;
            pages++;
        }

        Assert.Equal(ids, seen);
        // 11 rows: 11 pages of 1, 4 of 3; one more row than the page is read, so a full last page already knows it is the last.
        Assert.Equal(limit switch { 1 => 11, 3 => 4, _ => 1 }, pages);
    }

    private ApiService Api(RenewalsDbContext db) =>
        new(db, Clock, new AccountService(db, Clock), new SubscriptionService(db, Clock), new SubscriptionQueries(db), new CancellationService(db, Clock),
            new PurchaseOrderService(db, Clock), new LicenceService(db, Clock), null!, Seller.Default);

    private static NewAccount Account(string name, long? partnerId) =>
        new(name, "en", "Europe/Paris", [new NewContact("Pat Primary", "pat@" + name.Replace(' ', '-').ToLowerInvariant() + ".example", ContactRole.Primary)],
            PartnerId: partnerId, BillingAddress: "1 Main Street\n75001 Paris");
}
