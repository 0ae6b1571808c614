using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Cancellations;
using Renewals.Core.Partners;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Tests;

public sealed class SqliteBookPagingTests() : BookPagingTests(DatabaseProvider.Sqlite);

public sealed class PostgresBookPagingTests() : BookPagingTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The advisor's book, the task queue and the partner's customers, one page at a time (keyset
/// paging): the order is stable (name then id; due date then id), a page knows its place in the
/// list, and its edges hold (exactly one page, an empty list, the last page, a filter). Pages of
/// three rows, so a handful of rows makes several pages. Names differ only in digits, so both
/// databases' collations order them the same way.
/// </summary>
public abstract class BookPagingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task The_book_pages_by_name_then_id_and_each_page_knows_its_place()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var other = await Book.AdvisorAsync("Hugo Martin");
        // Inserted out of order; two accounts share the name "Account 03" (the id decides between them).
        var a04 = await AccountAsync("Account 04", advisor);
        var a03a = await AccountAsync("Account 03", advisor);
        var a01 = await AccountAsync("Account 01", advisor);
        var a06 = await AccountAsync("Account 06", advisor);
        var a03b = await AccountAsync("Account 03", advisor);
        var a02 = await AccountAsync("Account 02", advisor);
        var a05 = await AccountAsync("Account 05", advisor);
        var theirs = await AccountAsync("Account 00", other);
        var me = new Actor.Advisor(advisor);

        await using var db = Database.Context();
        var book = new AdvisorBookService(db, Clock, Invoicing.Seller.Default);
        var first = await book.PageAsync(me, new PageAt(Size: 3));
        Assert.Equal([a01, a02, a03a], first.Items.Select(a => a.Id));
        Assert.Equal((1, 3, 7, false, true), (first.From, first.To, first.Total, first.HasPrevious, first.HasNext));
        Assert.Equal((null, a03a), (first.PreviousBefore, first.NextAfter));

        var second = await book.PageAsync(me, new PageAt(After: a03a, Size: 3));
        Assert.Equal([a03b, a04, a05], second.Items.Select(a => a.Id));
        Assert.Equal((4, 6, 7), (second.From, second.To, second.Total));
        Assert.Equal((a03b, a05), (second.PreviousBefore, second.NextAfter));

        // The last page: one account, no next page.
        var last = await book.PageAsync(me, new PageAt(After: a05, Size: 3));
        Assert.Equal([a06], last.Items.Select(a => a.Id));
        Assert.Equal((7, 7, 7, true, false, null), (last.From, last.To, last.Total, last.HasPrevious, last.HasNext, last.NextAfter));

        // Back: before the last page's first row, then before the second page's first row (the first page again).
        Assert.Equal([a03b, a04, a05], (await book.PageAsync(me, new PageAt(Before: a06, Size: 3))).Items.Select(a => a.Id));
        var back = await book.PageAsync(me, new PageAt(Before: a03b, Size: 3));
        Assert.Equal([a01, a02, a03a], back.Items.Select(a => a.Id));
        Assert.Equal((1, false), (back.From, back.HasPrevious));

        // A previous page shorter than a page (before the second row) is the first page, whole.
        Assert.Equal([a01, a02, a03a], (await book.PageAsync(me, new PageAt(Before: a02, Size: 3))).Items.Select(a => a.Id));

        // Another advisor's account as the anchor tells nothing: the top of the book.
        var foreign = await book.PageAsync(me, new PageAt(After: theirs, Size: 3));
        Assert.Equal([a01, a02, a03a], foreign.Items.Select(a => a.Id));
        Assert.Equal(0, foreign.Skipped);

        // The other advisor's book holds one account; a page larger than the book is exactly one page.
        var theirBook = await book.PageAsync(new Actor.Advisor(other), new PageAt(Size: 3));
        Assert.Equal([theirs], theirBook.Items.Select(a => a.Id));
        Assert.Equal((1, 1, 1, false, false), (theirBook.From, theirBook.To, theirBook.Total, theirBook.HasPrevious, theirBook.HasNext));
    }

    [Fact]
    public async Task A_book_of_exactly_one_page_has_no_links_and_an_empty_book_shows_nothing()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var empty = await Book.AdvisorAsync("Hugo Martin");
        var b = await AccountAsync("Account B", advisor);
        var a = await AccountAsync("Account A", advisor);
        var c = await AccountAsync("Account C", advisor);

        await using var db = Database.Context();
        var book = new AdvisorBookService(db, Clock, Invoicing.Seller.Default);
        var one = await book.PageAsync(new Actor.Advisor(advisor), new PageAt(Size: 3));
        Assert.Equal([a, b, c], one.Items.Select(x => x.Id));
        Assert.Equal((1, 3, 3, false, false, null, null), (one.From, one.To, one.Total, one.HasPrevious, one.HasNext, one.PreviousBefore, one.NextAfter));

        var none = await book.PageAsync(new Actor.Advisor(empty), new PageAt(Size: 3));
        Assert.Empty(none.Items);
        Assert.Equal((0, 0, 0, false, false), (none.From, none.To, none.Total, none.HasPrevious, none.HasNext));
        // A partner sees no advisor's book.
        Assert.Equal(0, (await book.PageAsync(new Actor.Partner(4242), PageAt.Top)).Total);
    }

    [Fact]
    public async Task A_page_reads_the_facts_and_risks_of_its_own_accounts()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var acme = await Book.AccountAsync("Account 1 Acme", advisorId: advisor);
        var globex = await Book.AccountAsync("Account 2 Globex", advisorId: advisor);
        var initech = await Book.AccountAsync("Account 3 Initech", advisorId: advisor);
        await Book.SellAsync(acme.Id, new LocalDate(2026, 12, 15), years: 1);
        await Book.SellAsync(acme.Id, new LocalDate(2027, 3, 1), years: 1);
        var noticed = await Book.SellAsync(initech.Id, new LocalDate(2027, 1, 15), years: 1);
        Clock.Reset(Instant.FromUtc(2027, 11, 1, 12, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).FileAsync(noticed.Id,
                new WrittenNotice(Instant.FromUtc(2027, 10, 30, 9, 0), NoticeChannel.PostalLetter, "Jane Primary", Hash, NoticeFiler.Customer), "advisor");
        }

        await using (var db = Database.Context())
        {
            var book = new AdvisorBookService(db, Clock, Invoicing.Seller.Default);
            var first = await book.PageAsync(new Actor.Advisor(advisor), new PageAt(Size: 2));
            Assert.Equal([(acme.Id, 2, false), (globex.Id, 0, false)], first.Items.Select(a => (a.Id, a.Subscriptions.Count, a.Risks.NoticeReceived)));
            var second = await book.PageAsync(new Actor.Advisor(advisor), new PageAt(After: globex.Id, Size: 2));
            var only = Assert.Single(second.Items);
            Assert.Equal((initech.Id, 1, true), (only.Id, only.Subscriptions.Count, only.Risks.NoticeReceived));
            // The renewal of the first term: 15 January 2028, the same day FindAsync reads for that account alone.
            Assert.Equal(new LocalDate(2028, 1, 15), only.Subscriptions[0].RenewalDate);
            Assert.Equal(new LocalDate(2028, 1, 15), (await book.FindAsync(new Actor.Advisor(advisor), initech.Id))!.Subscriptions[0].RenewalDate);
            Assert.Equal(new HashSet<long> { acme.Id, initech.Id }, await book.HeldAsync(new Actor.Advisor(advisor), [acme.Id, initech.Id, 999_999]));
        }
    }

    [Fact]
    public async Task The_queue_pages_by_due_date_then_id_with_its_kind_filter_kept()
    {
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var other = await Book.AdvisorAsync("Hugo Martin");
        var account = await AccountAsync("Account 01", advisor);
        long c1, c2, c3, c4, c5, checkIn, theirs, closed;
        await using (var db = Database.Context())
        {
            AdvisorTask Task(long? owner, string kind, int day, AdvisorTaskStatus status = AdvisorTaskStatus.Open) =>
                new() { AdvisorId = owner, AccountId = account, Kind = kind, DueOn = new LocalDate(2027, 3, day), Status = status };
            // Callbacks due 5, 3, 3 (queue), 9, 1 March; a check-in due 2 March; another advisor's callback; a closed one of mine.
            var tasks = new[]
            {
                Task(advisor, AdvisorTaskKinds.Callback, 5), Task(advisor, AdvisorTaskKinds.Callback, 3), Task(null, AdvisorTaskKinds.Callback, 3),
                Task(advisor, AdvisorTaskKinds.Callback, 9), Task(null, AdvisorTaskKinds.Callback, 1), Task(advisor, AdvisorTaskKinds.CheckIn, 2),
                Task(other, AdvisorTaskKinds.Callback, 4), Task(advisor, AdvisorTaskKinds.Callback, 6, AdvisorTaskStatus.Done),
            };
            foreach (var t in tasks)
            {
                db.AdvisorTasks.Add(t);
                await db.SaveChangesAsync(); // one at a time, so the ids follow the list
            }

            (c1, c2, c3, c4, c5, checkIn, theirs, closed) = (tasks[0].Id, tasks[1].Id, tasks[2].Id, tasks[3].Id, tasks[4].Id, tasks[5].Id, tasks[6].Id, tasks[7].Id);
        }

        var me = new Actor.Advisor(advisor);
        await using var read = Database.Context();
        var service = new AdvisorTaskService(read, Clock);
        // Every kind: 1 (c5), 2 (check-in), 3 (c2, then c3: same day, by id), 5 (c1), 9 (c4).
        var all = await service.PageAsync(me, new PageAt(Size: 3));
        Assert.Equal([c5, checkIn, c2], all.Items.Select(t => t.Id));
        Assert.Equal((1, 3, 6), (all.From, all.To, all.Total));
        var allNext = await service.PageAsync(me, new PageAt(After: c2, Size: 3));
        Assert.Equal([c3, c1, c4], allNext.Items.Select(t => t.Id));
        Assert.Equal((4, 6, false), (allNext.From, allNext.To, allNext.HasNext));

        // Callbacks only: the check-in leaves the list, and the pages count without it.
        var first = await service.PageAsync(me, new PageAt(Size: 2), kind: AdvisorTaskKinds.Callback);
        Assert.Equal([c5, c2], first.Items.Select(t => t.Id));
        Assert.Equal((1, 2, 5, c2), (first.From, first.To, first.Total, first.NextAfter));
        var second = await service.PageAsync(me, new PageAt(After: c2, Size: 2), kind: AdvisorTaskKinds.Callback);
        Assert.Equal([c3, c1], second.Items.Select(t => t.Id));
        Assert.Equal((3, 4, c3, c1), (second.From, second.To, second.PreviousBefore, second.NextAfter));
        var last = await service.PageAsync(me, new PageAt(After: c1, Size: 2), kind: AdvisorTaskKinds.Callback);
        Assert.Equal([c4], last.Items.Select(t => t.Id));
        Assert.Equal((5, 5, false), (last.From, last.To, last.HasNext));
        Assert.Equal([c5, c2], (await service.PageAsync(me, new PageAt(Before: c3, Size: 2), kind: AdvisorTaskKinds.Callback)).Items.Select(t => t.Id));

        // An anchor outside the filtered list (the check-in, another advisor's task, a closed one) starts at the top.
        foreach (var outside in new[] { checkIn, theirs, closed })
        {
            Assert.Equal([c5, c2], (await service.PageAsync(me, new PageAt(After: outside, Size: 2), kind: AdvisorTaskKinds.Callback)).Items.Select(t => t.Id));
        }

        // With the closed ones: the closed callback (6 March) takes its place between c1 (5) and c4 (9).
        var withClosed = await service.PageAsync(me, new PageAt(After: c1, Size: 2), includeClosed: true, kind: AdvisorTaskKinds.Callback);
        Assert.Equal([closed, c4], withClosed.Items.Select(t => t.Id));
        Assert.Equal((5, 6, 6), (withClosed.From, withClosed.To, withClosed.Total));
        Assert.Equal(0, (await service.PageAsync(new Actor.Partner(4242), PageAt.Top)).Total);
    }

    [Fact]
    public async Task The_partners_customers_page_by_name_and_another_partners_customer_is_not_among_them()
    {
        var ours = await PartnerAsync("Northwind Resellers");
        var theirs = await PartnerAsync("Contoso Channel");
        var c = await AccountAsync("Customer C", null, ours);
        var a = await AccountAsync("Customer A", null, ours);
        var b = await AccountAsync("Customer B", null, ours);
        var notOurs = await AccountAsync("Customer 0", null, theirs);

        await using var db = Database.Context();
        var portal = new PartnerPortalService(db, Clock, Invoicing.Seller.Default);
        var first = await portal.CustomersPageAsync(new Actor.Partner(ours), new PageAt(Size: 2));
        Assert.Equal([a, b], first.Items.Select(x => x.AccountId));
        Assert.Equal((1, 2, 3, b), (first.From, first.To, first.Total, first.NextAfter));
        var last = await portal.CustomersPageAsync(new Actor.Partner(ours), new PageAt(After: b, Size: 2));
        Assert.Equal([c], last.Items.Select(x => x.AccountId));
        Assert.Equal((3, 3, false, c), (last.From, last.To, last.HasNext, last.PreviousBefore));
        Assert.Null(await portal.CustomerAsync(new Actor.Partner(ours), notOurs));
        Assert.Equal("Customer B", (await portal.CustomerAsync(new Actor.Partner(ours), b))!.Name);
    }

    private async Task<long> AccountAsync(string name, long? advisor, long? partner = null)
    {
        await using var db = Database.Context();
        var account = new Account { Name = name, Language = "en", TimeZoneId = "Europe/Paris", AdvisorId = advisor, PartnerId = partner };
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }

    private async Task<long> PartnerAsync(string name)
    {
        await using var db = Database.Context();
        var partner = new Partner { Name = name, Email = $"renewals@{name.Split(' ')[0].ToLowerInvariant()}.example" };
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return partner.Id;
    }
}
