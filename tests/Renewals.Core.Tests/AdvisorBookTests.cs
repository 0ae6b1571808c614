using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Cancellations;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Tests;

public sealed class SqliteAdvisorBookTests() : AdvisorBookTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdvisorBookTests() : AdvisorBookTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The advisor's book, the renewal pipeline and the 90-day preview, read from stored rows.
/// Every sale is made on 1 December 2026; the clock then moves to 1 November 2027 (12:00 UTC),
/// so the pipeline's window is November 2027 to October 2028 and every term is the first.
/// </summary>
public abstract class AdvisorBookTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task The_pipeline_counts_each_months_renewals_with_amounts_per_currency_and_those_at_risk_from_the_stored_lines()
    {
        var book = await ArrangeAsync();

        await using var db = Database.Context();
        var months = await new RenewalPipelineService(db, Clock, Invoicing.Seller.Default).MonthsAsync(new Actor.Advisor(book.AdvisorA));

        Assert.Equal(12, months.Count);
        Assert.Equal(new YearMonth(2027, 11), months[0].Month);
        Assert.Equal(new YearMonth(2028, 10), months[11].Month);
        // December 2027: 10 x 1,000 + 3 x 1,200 EUR; 4 x 2,500 + 1 x 2,500 USD, both USD ones without a purchase order.
        var december = months[1];
        Assert.Equal((4, 2), (december.Count, december.AtRiskCount));
        Assert.Equal([new MoneyAmount("EUR", 13600m), new MoneyAmount("USD", 12500m)], december.Amounts);
        Assert.Equal([new MoneyAmount("USD", 12500m)], december.AtRiskAmounts);
        // By renewal day (15, 20, 31, 31 December), then by subscription.
        Assert.Equal([book.S1, book.S5, book.S2, book.S6], december.Renewals.Select(r => r.SubscriptionId));
        // January 2028: 2,500 USD on the 1st (61 days away: no purchase-order risk yet), 5,000 EUR on the 15th with a notice.
        var january = months[2];
        Assert.Equal((2, 1), (january.Count, january.AtRiskCount));
        Assert.Equal([new MoneyAmount("EUR", 5000m), new MoneyAmount("USD", 2500m)], january.Amounts);
        Assert.Equal([new MoneyAmount("EUR", 5000m)], january.AtRiskAmounts);
        Assert.Equal([(book.S6b, new LocalDate(2028, 1, 1)), (book.S7, new LocalDate(2028, 1, 15))],
            january.Renewals.Select(r => (r.SubscriptionId, r.RenewalDate)));
        // The window's last day renews; 1 December 2028 (two-year term) is the day after the window and does not.
        var october = months[11];
        Assert.Equal((1, 0), (october.Count, october.AtRiskCount));
        Assert.Equal([new MoneyAmount("EUR", 1000m)], october.Amounts);
        Assert.Equal(new LocalDate(2028, 10, 31), Assert.Single(october.Renewals).RenewalDate);
        Assert.Equal(0, months[0].Count + months.Skip(3).Take(8).Sum(m => m.Count));
        Assert.Empty(months[0].Amounts);
        // Advisor B's account is not in A's pipeline; the administrator sees it too (100 x 1,000 EUR in December).
        var all = await new RenewalPipelineService(db, Clock, Invoicing.Seller.Default).MonthsAsync(new Actor.Admin("root"));
        Assert.Equal([new MoneyAmount("EUR", 113600m), new MoneyAmount("USD", 12500m)], all[1].Amounts);
        Assert.Equal([book.S1, book.S2], (await new RenewalPipelineService(db, Clock, Invoicing.Seller.Default).MonthAsync(new Actor.Advisor(book.AdvisorA), new YearMonth(2027, 12)))
            .Where(r => r.Currency == "EUR").Select(r => r.SubscriptionId));
    }

    [Fact]
    public async Task The_book_shows_only_the_advisors_accounts_with_next_key_dates_and_each_risk_flag_at_its_edge()
    {
        var book = await ArrangeAsync();
        await using (var db = Database.Context())
        {
            // Check-ins: s1's was due yesterday and is still open; s2's is due today (not late yet).
            db.AdvisorTasks.AddRange(
                new AdvisorTask { AdvisorId = book.AdvisorA, AccountId = book.Acme, SubscriptionId = book.S1, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2027, 10, 31) },
                new AdvisorTask { AdvisorId = book.AdvisorA, AccountId = book.Acme, SubscriptionId = book.S2, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2027, 11, 1) });
            await db.SaveChangesAsync();
        }

        IReadOnlyList<BookAccount> accounts;
        await using (var db = Database.Context())
        {
            accounts = await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).ListAsync(new Actor.Advisor(book.AdvisorA));
        }

        Assert.Equal(["Acme", "Globex", "Initech"], accounts.Select(a => a.Name));
        var subscriptions = accounts.SelectMany(a => a.Subscriptions).ToDictionary(s => s.Id);
        Assert.Equal(new RiskFlags(false, false, true), subscriptions[book.S1].Risks);
        Assert.Equal(RiskFlags.None, subscriptions[book.S2].Risks);
        Assert.Equal(new RiskFlags(false, true, false), subscriptions[book.S5].Risks); // 49 days before renewal
        Assert.Equal(new RiskFlags(false, true, false), subscriptions[book.S6].Risks); // 60 days: the edge is in
        Assert.Equal(RiskFlags.None, subscriptions[book.S6b].Risks); // 61 days
        Assert.Equal(new RiskFlags(true, false, false), subscriptions[book.S7].Risks);
        // Everything of s1's first term before today is past; its anniversary is next.
        Assert.Equal((new LocalDate(2027, 12, 15), MilestoneKind.Anniversary), (subscriptions[book.S1].NextKeyDate, subscriptions[book.S1].NextKeyKind));
        Assert.Equal((new LocalDate(2027, 12, 15), 10000m, "EUR"), (subscriptions[book.S1].RenewalDate, subscriptions[book.S1].RenewalAmount, subscriptions[book.S1].Currency));
        Assert.Equal(new RiskFlags(false, true, false), accounts.Single(a => a.Name == "Globex").Risks);

        // A standing purchase order registered today covers the renewal invoices of s5: its risk is gone, s6's stays.
        await using (var db = Database.Context())
        {
            db.PurchaseOrders.Add(new PurchaseOrder { AccountId = book.Globex, SubscriptionId = book.S5, Number = "PO-4410", RegisteredAt = Clock.GetCurrentInstant() });
            await db.SaveChangesAsync();
            var after = (await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).ListAsync(new Actor.Advisor(book.AdvisorA))).SelectMany(a => a.Subscriptions).ToDictionary(s => s.Id);
            Assert.Equal(RiskFlags.None, after[book.S5].Risks);
            Assert.Equal(new RiskFlags(false, true, false), after[book.S6].Risks);

            // Another advisor's account answers null, as one that does not exist.
            Assert.Null(await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).FindAsync(new Actor.Advisor(book.AdvisorA), book.Umbrella));
            Assert.NotNull(await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).FindAsync(new Actor.Advisor(book.AdvisorB), book.Umbrella));
            Assert.Empty(await new AdvisorBookService(db, Clock, Invoicing.Seller.Default).ListAsync(new Actor.Partner(4242)));
        }
    }

    [Fact]
    public async Task The_preview_lists_the_pending_milestones_of_the_next_90_days_of_the_book_by_day_and_changes_nothing()
    {
        var book = await ArrangeAsync();
        await using var db = Database.Context();
        var pendingBefore = await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending);

        var days = await new BookPreviewService(db, Clock).NextDaysAsync(new Actor.Advisor(book.AdvisorB));

        // Umbrella (Paris, 1 year from 15 December 2026): its first term's steps before 1 November 2027 are overdue and run today;
        // its anniversary on 15 December 2027 is inside the 90 days (to 29 January 2028).
        Assert.Equal([new LocalDate(2027, 11, 1), new LocalDate(2027, 12, 15)], days.Select(d => d.Date));
        Assert.All(days[0].Steps, s => Assert.True(s.Overdue));
        Assert.Equal([MilestoneKind.DayOne, MilestoneKind.CheckIn, MilestoneKind.Reminder, MilestoneKind.Reminder, MilestoneKind.CancellationDeadline],
            days[0].Steps.OrderBy(s => s.Date).ThenBy(s => s.Kind).Select(s => s.Kind));
        var anniversary = Assert.Single(days[1].Steps);
        Assert.Equal((MilestoneKind.Anniversary, book.S8, "Umbrella", false), (anniversary.Kind, anniversary.SubscriptionId, anniversary.Account, anniversary.Overdue));
        Assert.Equal(pendingBefore, await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending));

        // Day 89 is in, day 90 is out: s3's check-in (31 October 2027 + 90 days = 29 January 2028) is the last day shown;
        // nothing of advisor B's account shows in A's preview.
        var a = await new BookPreviewService(db, Clock).NextDaysAsync(new Actor.Advisor(book.AdvisorA));
        Assert.DoesNotContain(a.SelectMany(d => d.Steps), s => s.AccountId == book.Umbrella);
        Assert.Contains(a.SelectMany(d => d.Steps), s => s.SubscriptionId == book.S7 && s.Kind == MilestoneKind.Anniversary);
        Assert.Equal(new LocalDate(2028, 1, 29), a[^1].Date);
        Assert.Equal((MilestoneKind.CheckIn, book.S3), (Assert.Single(a[^1].Steps).Kind, a[^1].Steps[0].SubscriptionId));
        var over89 = await new BookPreviewService(db, Clock).NextDaysAsync(new Actor.Advisor(book.AdvisorA), days: 89);
        Assert.True(over89[^1].Date < new LocalDate(2028, 1, 29));
        var over45 = await new BookPreviewService(db, Clock).NextDaysAsync(new Actor.Advisor(book.AdvisorA), days: 45);
        Assert.Equal(new LocalDate(2027, 12, 15), over45[^1].Date);
    }

    private sealed record Arranged(
        long AdvisorA, long AdvisorB, long Acme, long Globex, long Umbrella, long S1, long S2, long S3, long S4, long S5, long S6, long S6b, long S7, long S8);

    private async Task<Arranged> ArrangeAsync()
    {
        var advisorA = await Book.AdvisorAsync("Camille Laurent");
        var advisorB = await Book.AdvisorAsync("Hugo Martin");
        var acme = await Book.AccountAsync("Acme", advisorId: advisorA);
        var globex = await Book.AccountAsync("Globex", zone: "America/New_York", requiresPurchaseOrder: true, advisorId: advisorA);
        var initech = await Book.AccountAsync("Initech", advisorId: advisorA);
        var umbrella = await Book.AccountAsync("Umbrella", advisorId: advisorB);
        var s1 = await Book.SellAsync(acme.Id, new LocalDate(2026, 12, 15), years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        var s2 = await Book.SellAsync(acme.Id, new LocalDate(2026, 12, 31), years: 1, quantity: 3, yearlyUnitPrice: 1200m);
        var s3 = await Book.SellAsync(acme.Id, new LocalDate(2027, 10, 31), years: 1, quantity: 2, yearlyUnitPrice: 500m);
        var s4 = await Book.SellAsync(acme.Id, new LocalDate(2026, 12, 1), years: 2, quantity: 7, yearlyUnitPrice: 900m);
        var s5 = await SellUsdAsync(globex.Id, new LocalDate(2026, 12, 20), 4);
        var s6 = await SellUsdAsync(globex.Id, new LocalDate(2026, 12, 31), 1);
        var s6b = await SellUsdAsync(globex.Id, new LocalDate(2027, 1, 1), 1);
        var s7 = await Book.SellAsync(initech.Id, new LocalDate(2027, 1, 15), years: 1, quantity: 5, yearlyUnitPrice: 1000m);
        var s8 = await Book.SellAsync(umbrella.Id, new LocalDate(2026, 12, 15), years: 1, quantity: 100, yearlyUnitPrice: 1000m);
        Clock.Reset(Instant.FromUtc(2027, 11, 1, 12, 0));
        await using (var db = Database.Context())
        {
            // On time: the deadline of a renewal on 15 January 2028 with 60 days' notice is 16 November 2027.
            await new CancellationService(db, Clock).FileAsync(s7.Id,
                new WrittenNotice(Instant.FromUtc(2027, 10, 30, 9, 0), NoticeChannel.PostalLetter, "Jane Primary", Hash, NoticeFiler.Customer), "advisor");
        }

        return new Arranged(advisorA, advisorB, acme.Id, globex.Id, umbrella.Id, s1.Id, s2.Id, s3.Id, s4.Id, s5, s6, s6b, s7.Id, s8.Id);
    }

    private async Task<long> SellUsdAsync(long accountId, LocalDate start, int quantity)
    {
        await Book.ProductAsync("DSN-US");
        await using var db = Database.Context();
        return (await new SubscriptionService(db, Clock).SellAsync(new NewSubscription(accountId, start, 1, [new NewLine("DSN-US", quantity, 2500m, "USD")]))).Id;
    }
}
