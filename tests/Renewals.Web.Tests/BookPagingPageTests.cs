using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The advisor's book, its task queue and the partner's customers, paged in a real browser:
/// the count says where the page stands, "next" and "previous" move by a page and keep the other
/// parameters (the page size, the task filter, the other list's page), and the paged pages have
/// no serious accessibility violation in either language. Pages of two rows (?size=2), so the
/// demo's books make several pages.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class BookPagingPageTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";
    private const string Partner = "partner@example.com";

    [Fact]
    public async Task The_advisor_moves_through_the_book_by_pages_and_back_with_the_size_and_the_task_filter_kept()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var names = (await db.Accounts.Where(a => a.AdvisorId == mine).Select(a => new { a.Name, a.Id }).ToListAsync())
            .OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Id).Select(a => a.Name).ToList();
        Assert.True(names.Count >= 3, $"the demo advisor's book holds {names.Count} accounts; the test needs two pages of two");

        var page = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await EnglishAsync(page);
        await page.GotoAsync("/advisor?size=2&kind=callback");
        Assert.Equal($"Accounts 1–2 of {names.Count}", await page.InnerTextAsync("section[aria-labelledby=book] .page-count"));
        Assert.Equal(names.Take(2), await page.Locator("table.book tbody tr td:first-child").AllInnerTextsAsync());
        Assert.Equal(0, await page.Locator("section[aria-labelledby=book] a.page-previous").CountAsync());

        await page.ClickAsync("section[aria-labelledby=book] a.page-next");
        await Assertions.Expect(page.Locator("section[aria-labelledby=book] .page-count")).ToHaveTextAsync($"Accounts 3–{Math.Min(4, names.Count)} of {names.Count}");
        Assert.Equal(names.Skip(2).Take(2), await page.Locator("table.book tbody tr td:first-child").AllInnerTextsAsync());
        // The size and the task filter went along.
        Assert.Contains("size=2", page.Url, StringComparison.Ordinal);
        Assert.Contains("kind=callback", page.Url, StringComparison.Ordinal);
        Assert.Equal("callback", await page.InputValueAsync("#kind"));
        await WebApp.ScreenshotAsync(page, "advisor-book-page-2");
        await AssertAccessibleAsync(page);

        await page.ClickAsync("section[aria-labelledby=book] a.page-previous");
        await Assertions.Expect(page.Locator("section[aria-labelledby=book] .page-count")).ToHaveTextAsync($"Accounts 1–2 of {names.Count}");
        Assert.Contains("book-before=", page.Url, StringComparison.Ordinal);
        Assert.Equal(names.Take(2), await page.Locator("table.book tbody tr td:first-child").AllInnerTextsAsync());

        // The French page says the same in its words, and passes axe too.
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=fr|uic=fr", Url = app.BaseUrl }]);
        await page.GotoAsync("/advisor?size=2");
        Assert.Equal($"Comptes 1 à 2 sur {names.Count}", await page.InnerTextAsync("section[aria-labelledby=book] .page-count"));
        Assert.Equal("Page suivante", await page.InnerTextAsync("section[aria-labelledby=book] a.page-next"));
        await AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task The_task_filter_keeps_the_book_page_and_the_queue_pages_within_the_kind()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId == mine).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        // Three purchase-order tasks of the advisor's, due on a day before any other open task, so they open the filtered queue.
        var due = (await db.AdvisorTasks.Where(t => t.Status == AdvisorTaskStatus.Open).Select(t => t.DueOn).ToListAsync()).DefaultIfEmpty(new NodaTime.LocalDate(2027, 1, 1)).Min().PlusDays(-1);
        var tasks = Enumerable.Range(0, 3).Select(_ => new AdvisorTask
        {
            AccountId = account, AdvisorId = mine, Kind = Renewals.Core.Advisors.AdvisorTaskKinds.PurchaseOrderMissing, DueOn = due, Status = AdvisorTaskStatus.Open,
        }).ToList();
        db.AdvisorTasks.AddRange(tasks);
        await db.SaveChangesAsync();
        var bookCount = await db.Accounts.CountAsync(a => a.AdvisorId == mine);
        var kindCount = await db.AdvisorTasks.CountAsync(t => (t.AdvisorId == mine || t.AdvisorId == null) && t.Status == AdvisorTaskStatus.Open && t.Kind == "purchase-order-missing");

        var page = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await EnglishAsync(page);
        await page.GotoAsync("/advisor?size=2");
        var bookAt = $"Accounts 3–{Math.Min(4, bookCount)} of {bookCount}";
        await page.ClickAsync("section[aria-labelledby=book] a.page-next");
        await Assertions.Expect(page.Locator("section[aria-labelledby=book] .page-count")).ToHaveTextAsync(bookAt);
        await page.SelectOptionAsync("#kind", "purchase-order-missing");
        await page.ClickAsync("form.filter button[type=submit]");
        // The queue holds only the kind, from its top; the book stayed on its page.
        await Assertions.Expect(page.Locator("section[aria-labelledby=tasks] .page-count")).ToHaveTextAsync($"Tasks 1–2 of {kindCount}");
        Assert.Contains("kind=purchase-order-missing", page.Url, StringComparison.Ordinal);
        Assert.Equal(bookAt, await page.InnerTextAsync("section[aria-labelledby=book] .page-count"));
        Assert.Equal([$"/advisor/tasks/{tasks[0].Id}", $"/advisor/tasks/{tasks[1].Id}"],
            await page.Locator("table.tasks tbody tr td:first-child a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));

        await page.ClickAsync("section[aria-labelledby=tasks] a.page-next");
        await Assertions.Expect(page.Locator("section[aria-labelledby=tasks] .page-count")).ToContainTextAsync("Tasks 3–");
        Assert.Contains("kind=purchase-order-missing", page.Url, StringComparison.Ordinal);
        Assert.Contains("task-after=", page.Url, StringComparison.Ordinal);
        Assert.Equal(bookAt, await page.InnerTextAsync("section[aria-labelledby=book] .page-count"));
        Assert.Equal($"/advisor/tasks/{tasks[2].Id}", await page.Locator("table.tasks tbody tr td:first-child a").First.GetAttributeAsync("href"));
        await AssertAccessibleAsync(page);

        // Closed again, so the other tests' queue is as they expect it.
        var made = tasks.Select(x => x.Id).ToList();
        await db.AdvisorTasks.Where(t => made.Contains(t.Id))
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, AdvisorTaskStatus.Done));
    }

    [Fact]
    public async Task The_partner_pages_through_its_customers_and_a_query_that_is_no_number_shows_the_first_page()
    {
        await using var db = app.Database.CreateContext();
        var ours = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var names = (await db.Accounts.Where(a => a.PartnerId == ours).Select(a => new { a.Name, a.Id }).ToListAsync())
            .OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Id).Select(a => a.Name).ToList();
        Assert.True(names.Count >= 2, $"the demo partner has {names.Count} customers; the test needs two pages of one");

        var page = await app.SignedInPageAsync(Partner, "en-GB", "**/partner");
        await EnglishAsync(page);
        await page.GotoAsync("/partner?size=1");
        Assert.Equal($"Customers 1–1 of {names.Count}", await page.InnerTextAsync(".page-count"));
        Assert.Equal([names[0]], await page.Locator("table.customers tbody tr td:first-child").AllInnerTextsAsync());
        await page.ClickAsync("a.page-next");
        await Assertions.Expect(page.Locator(".page-count")).ToHaveTextAsync($"Customers 2–2 of {names.Count}");
        Assert.Equal([names[1]], await page.Locator("table.customers tbody tr td:first-child").AllInnerTextsAsync());
        await AssertAccessibleAsync(page);
        await page.ClickAsync("a.page-previous");
        await Assertions.Expect(page.Locator(".page-count")).ToHaveTextAsync($"Customers 1–1 of {names.Count}");
        Assert.Equal([names[0]], await page.Locator("table.customers tbody tr td:first-child").AllInnerTextsAsync());

        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        var odd = await advisor.GetAsync("/advisor?book-after=abc&book-before=-1&task-after=1e9&size=-3&kind=nothing");
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        // The first pages (whatever the user's language): counts shown, no "previous page" link.
        var html = await odd.Content.ReadAsStringAsync();
        Assert.Contains("class=\"page-count\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("page-previous", html, StringComparison.Ordinal);
    }

    /// <summary>The language cookie the switch writes: a demo user's own language may be French.</summary>
    private Task EnglishAsync(IPage page) =>
        page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = app.BaseUrl }]);

    private static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
