using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The advisor workspace and the partner portal: who reaches which route (over plain HTTP with
/// the sign-in cookies), and the advisor's and the partner's own pages in a real browser.
/// A signed-in user outside an area, and another advisor's or partner's id, answer 404: the
/// same answer as a page that does not exist, so nothing tells what exists.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class WorkspaceTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";
    private const string Partner = "partner@example.com";

    [Fact]
    public async Task Demo_advisor_and_partner_are_bound_to_an_advisor_and_a_partner_with_accounts()
    {
        await using var db = app.Database.CreateContext();
        var advisor = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId).SingleAsync();
        var partner = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId).SingleAsync();
        Assert.NotNull(advisor);
        Assert.NotNull(partner);
        Assert.True(await db.Accounts.CountAsync(a => a.AdvisorId == advisor) > 0);
        Assert.True(await db.Accounts.CountAsync(a => a.PartnerId == partner) > 0);
    }

    [Fact]
    public async Task Customer_gets_404_on_every_advisor_and_partner_route()
    {
        var routes = await AdvisorRoutesAsync();
        routes.AddRange(await PartnerRoutesAsync());
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        foreach (var route in routes)
        {
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
        }
    }

    [Fact]
    public async Task Partner_gets_404_on_advisor_routes_and_advisor_on_partner_routes()
    {
        using var partner = await app.SignedInClientAsync(Partner, "**/partner");
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        foreach (var route in await AdvisorRoutesAsync())
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await advisor.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await partner.GetAsync(route)).StatusCode));
        }

        foreach (var route in await PartnerRoutesAsync())
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await partner.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
        }
    }

    [Fact]
    public async Task Nobody_signed_in_is_sent_to_sign_in()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var route in new[] { "/advisor", "/advisor/pipeline", "/advisor/preview", "/partner" })
        {
            var answer = await anonymous.GetAsync(route);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.StartsWith("/signin", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Another_advisors_task_and_account_and_another_partners_customer_answer_404()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var ourPartner = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var theirAccount = await db.Accounts.Where(a => a.AdvisorId != null && a.AdvisorId != mine).Select(a => a.Id).FirstAsync();
        var theirTask = await TaskAsync(db, theirAccount, advisor: db.Accounts.Where(a => a.Id == theirAccount).Select(a => a.AdvisorId).Single());
        var notOurCustomer = await db.Accounts.Where(a => a.PartnerId != ourPartner).Select(a => a.Id).FirstAsync();

        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        Assert.Equal(HttpStatusCode.NotFound, (await advisor.GetAsync($"/advisor/accounts/{theirAccount}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await advisor.GetAsync($"/advisor/tasks/{theirTask}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await advisor.GetAsync("/advisor/tasks/999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await advisor.GetAsync("/advisor/pipeline/1999-01")).StatusCode);
        using var partner = await app.SignedInClientAsync(Partner, "**/partner");
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/partner/customers/{notOurCustomer}")).StatusCode);
    }

    [Fact]
    public async Task Advisor_takes_a_task_from_the_queue_and_closes_it_and_the_partner_sees_its_customers()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId == mine).Select(a => a.Id).FirstAsync();
        var task = await TaskAsync(db, account, advisor: null);

        var page = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        // The queue is paged (50 a page) and other tests add tasks: the callbacks, on one large page, hold this one.
        await page.GotoAsync("/advisor?kind=callback&size=200");
        await page.ClickAsync($"a[href='/advisor/tasks/{task}']");
        await page.WaitForURLAsync($"**/advisor/tasks/{task}");
        await page.ClickAsync("form.take button[type=submit]");
        await page.WaitForSelectorAsync("form.form #outcome");
        Assert.Equal(mine, await db.AdvisorTasks.Where(t => t.Id == task).Select(t => t.AdvisorId).SingleAsync());

        await page.FillAsync("#outcome", "Called the customer; review booked for next week.");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("dd.outcome");
        await WebApp.ScreenshotAsync(page, "advisor-task-closed");
        var closed = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == task);
        Assert.Equal(AdvisorTaskStatus.Done, closed.Status);
        Assert.Equal("Called the customer; review booked for next week.", closed.Outcome);

        var ourPartner = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var customers = await db.Accounts.Where(a => a.PartnerId == ourPartner).Select(a => a.Name).ToListAsync();
        var partnerPage = await app.SignedInPageAsync(Partner, "en-GB", "**/partner");
        await partnerPage.GotoAsync("/partner");
        var shown = await partnerPage.Locator("table.customers tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(customers.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Partner_files_a_notice_with_its_pdf_for_its_customer_and_a_file_that_is_no_pdf_stores_nothing()
    {
        await using var db = app.Database.CreateContext();
        var ours = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var subscription = await db.Subscriptions
            .Where(s => s.Account!.PartnerId == ours && s.PartnerContractId != null && s.Status == SubscriptionStatus.Active && !db.CancellationNotices.Any(n => n.SubscriptionId == s.Id && n.WithdrawnAt == null))
            .OrderByDescending(s => s.Id).Select(s => new { s.Id, s.AccountId }).FirstAsync();
        int Count() => db.CancellationNotices.Count(n => n.SubscriptionId == subscription.Id);
        var before = Count();

        var page = await app.SignedInPageAsync(Partner, "en-GB", "**/partner");
        await page.GotoAsync($"/partner/customers/{subscription.AccountId}");
        await page.SelectOptionAsync("#subscription", subscription.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#signed-by", "Northwind Resellers");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = "not a pdf at all"u8.ToArray() });
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("This file is not a PDF: upload the signed letter as a PDF.", await page.InnerTextAsync("p.error"));
        Assert.Equal(before, Count());

        await page.SelectOptionAsync("#subscription", subscription.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#signed-by", "Northwind Resellers");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% partner letter\n%%EOF\n"u8.ToArray() });
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await WebApp.ScreenshotAsync(page, "partner-notice-filed");
        var notice = await db.CancellationNotices.AsNoTracking().SingleAsync(n => n.SubscriptionId == subscription.Id && n.WithdrawnAt == null);
        Assert.Equal(Renewals.Domain.Cancellations.NoticeFiler.Partner, notice.FiledBy);
        Assert.Equal("Northwind Resellers", notice.SignedBy);
        Assert.NotNull(notice.LetterFile);

        await page.GotoAsync("/partner");
        Assert.Equal(1, await page.Locator("table.notices tbody tr", new PageLocatorOptions { HasText = $"Subscription {subscription.Id}" }).CountAsync());
    }

    [Fact]
    public async Task Every_new_page_has_no_serious_accessibility_violation_in_both_languages()
    {
        foreach (var language in new[] { "en", "fr" })
        {
            var advisor = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
            await ChooseLanguageAsync(advisor, language);
            foreach (var route in await AdvisorRoutesAsync())
            {
                await advisor.GotoAsync(route);
                await AssertAccessibleAsync(advisor, language + route.Replace('/', '-'));
            }

            var partner = await app.SignedInPageAsync(Partner, "en-GB", "**/partner");
            await ChooseLanguageAsync(partner, language);
            foreach (var route in await PartnerRoutesAsync())
            {
                await partner.GotoAsync(route);
                await AssertAccessibleAsync(partner, language + route.Replace('/', '-'));
            }
        }
    }

    /// <summary>Every advisor route, with ids the demo advisor owns (so a 404 elsewhere is about who asks, not what is asked).</summary>
    private async Task<List<string>> AdvisorRoutesAsync()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId == mine).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        var task = await TaskAsync(db, account, mine);
        // The first month of the pipeline, as the page links it (the application's clock decides which it is).
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        var month = System.Text.RegularExpressions.Regex.Match(await advisor.GetStringAsync("/advisor/pipeline"), "/advisor/pipeline/([0-9]{4}-[0-9]{2})").Groups[1].Value;
        Assert.NotEmpty(month);
        return ["/advisor", "/advisor/pipeline", $"/advisor/pipeline/{month}", "/advisor/preview", $"/advisor/accounts/{account}", $"/advisor/tasks/{task}"];
    }

    private async Task<List<string>> PartnerRoutesAsync()
    {
        await using var db = app.Database.CreateContext();
        var ours = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var customer = await db.Accounts.Where(a => a.PartnerId == ours).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        return ["/partner", $"/partner/customers/{customer}"];
    }

    /// <summary>An open callback task on the account, held by <paramref name="advisor"/> (null: in the queue), written for the test.</summary>
    private static async Task<long> TaskAsync(Renewals.Data.RenewalsDbContext db, long account, long? advisor)
    {
        var task = new AdvisorTask
        {
            AccountId = account, AdvisorId = advisor, Kind = Renewals.Core.Advisors.AdvisorTaskKinds.Callback, DueOn = new NodaTime.LocalDate(2027, 2, 28), Status = AdvisorTaskStatus.Open,
        };
        db.AdvisorTasks.Add(task);
        await db.SaveChangesAsync();
        return task.Id;
    }

    /// <summary>The language cookie the switch writes (ASP.NET Core's culture cookie), so each area is checked in both languages.</summary>
    private Task ChooseLanguageAsync(IPage page, string language) =>
        page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
