using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Advisors;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// Defects found by reviewing the running application as a new user would, each pinned by the
/// test that failed before its fix.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class ReviewRegressionTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";

    [Fact]
    public async Task Every_account_the_advisor_workspace_links_to_opens_even_from_a_task_of_the_unassigned_queue()
    {
        // A task in the unassigned queue on an account that is in nobody's book: the advisor sees the task, not the account.
        await using var db = app.Database.CreateContext();
        var outside = await db.Accounts.Where(a => a.AdvisorId == null).OrderBy(a => a.Id).Select(a => new { a.Id, a.Name }).FirstAsync();
        var task = new AdvisorTask
        {
            AccountId = outside.Id, Kind = AdvisorTaskKinds.Callback, DueOn = new LocalDate(2027, 3, 1), Status = AdvisorTaskStatus.Open,
            CreatedAt = Instant.FromUtc(2026, 11, 1, 9, 0),
        };
        db.AdvisorTasks.Add(task);
        await db.SaveChangesAsync();

        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        // The queue is paged (50 a page, by due date) and other tests add tasks: the callbacks, on one large page, hold this one.
        var workspace = await advisor.GetStringAsync($"/advisor?kind={AdvisorTaskKinds.Callback}&size=200");
        var taskPage = await advisor.GetStringAsync($"/advisor/tasks/{task.Id}");

        // The task is listed and its page opens, naming the account...
        Assert.Contains($"href=\"/advisor/tasks/{task.Id}\"", workspace, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(outside.Name), taskPage, StringComparison.Ordinal);

        // ...and no link on either page leads to a 404.
        var links = AccountLink().Matches(workspace + taskPage).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(links);
        Assert.DoesNotContain($"/advisor/accounts/{outside.Id}", links);
        foreach (var link in links)
        {
            using var answer = await advisor.GetAsync(link);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{link} answered {(int)answer.StatusCode}");
        }
    }

    [Fact]
    public async Task A_purchase_order_ending_before_it_starts_is_refused_with_the_dates_as_typed_and_nothing_stored()
    {
        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/purchase-orders");
        await page.FillAsync("#po-number", "PO-REVIEW-BACKWARDS");
        await page.FillAsync("#po-from", "2027-05-01");
        await page.FillAsync("#po-until", "2027-01-01");
        await page.ClickAsync("form.form button[type=submit]");

        // The reader typed 1 January as the last day: the message names that day, not the day after.
        var error = await page.Locator("p.error").InnerTextAsync();
        Assert.Equal("La période du bon de commande doit finir après son début (du 1er mai 2027 au 1er janvier 2027, elle est vide).", error);
        await using var db = app.Database.CreateContext();
        Assert.False(await db.PurchaseOrders.AnyAsync(p => p.Number == "PO-REVIEW-BACKWARDS"));
    }

    [Fact]
    public async Task A_purchase_order_for_a_subscription_that_is_no_number_is_refused_not_stored_for_the_whole_account()
    {
        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/purchase-orders");
        await page.FillAsync("#po-number", "PO-REVIEW-TAMPERED");
        // A form sent by hand (or a page out of date) naming something that is no subscription.
        await page.EvalOnSelectorAsync("#po-subscription", "s => { s.options[0].value = 'abc'; s.value = 'abc'; }");
        await page.ClickAsync("form.form button[type=submit]");

        Assert.Equal("L'abonnement abc n'existe pas.", await page.Locator("p.error").InnerTextAsync());
        await using var db = app.Database.CreateContext();
        Assert.False(await db.PurchaseOrders.AnyAsync(p => p.Number == "PO-REVIEW-TAMPERED"));
    }

    [Theory]
    [InlineData("fr", "Premier contact")]
    [InlineData("en", "Check-in")]
    public async Task A_check_in_task_is_named_in_the_readers_language_not_by_its_stored_code(string language, string expected)
    {
        // The check-in is stored as schedule-review-meeting: the words must be found under that kind.
        await using var db = app.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId == advisorId).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        var checkIn = new AdvisorTask
        {
            AdvisorId = advisorId, AccountId = account, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2027, 3, 2), Status = AdvisorTaskStatus.Open,
            CreatedAt = Instant.FromUtc(2026, 11, 1, 9, 0),
        };
        db.AdvisorTasks.Add(checkIn);
        await db.SaveChangesAsync();

        var page = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);
        // The check-ins alone (at most one per subscription), on one large page: the queue's first 50 tasks may not hold this one.
        await page.GotoAsync($"/advisor?kind={AdvisorTaskKinds.CheckIn}&size=200");
        Assert.Equal($"{expected} ({checkIn.Id})", await page.InnerTextAsync($"a[href='/advisor/tasks/{checkIn.Id}']"));
        Assert.DoesNotContain("TaskKind.", await page.InnerTextAsync("main"), StringComparison.Ordinal);

        await page.GotoAsync($"/advisor/tasks/{checkIn.Id}");
        Assert.Equal(expected, await page.InnerTextAsync("dl.facts dd >> nth=0"));
        Assert.DoesNotContain("TaskKind.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hand_edited_query_value_is_read_as_absent_never_a_server_error()
    {
        // Each malformed address next to the same address well formed: both must answer alike (a typed query parameter threw, 500).
        using var nobody = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: true) { BaseAddress = new Uri(app.BaseUrl) };
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var admin = await app.SignedInClientAsync("admin@example.com", "**/admin");
        (HttpClient Client, string Malformed, string WellFormed)[] cases =
        [
            (nobody, "/account/reset?user=abc&token=x", "/account/reset?user=0&token=x"),
            (nobody, "/account/reset?user=99999999999999999999&token=x", "/account/reset?user=0&token=x"),
            (nobody, "/account/invitation?user=abc&token=x", "/account/invitation?user=0&token=x"),
            (customer, "/portal/contacts?invited=maybe", "/portal/contacts"),
            (admin, "/admin/audit?page=abc", "/admin/audit?page=1"),
            (admin, "/admin/outbox?page=1.5", "/admin/outbox?page=1"),
        ];
        foreach (var (client, malformed, wellFormed) in cases)
        {
            using var expected = await client.GetAsync(wellFormed);
            using var answer = await client.GetAsync(malformed);
            Assert.True(expected.StatusCode == answer.StatusCode, $"{malformed} answered {(int)answer.StatusCode}, {wellFormed} {(int)expected.StatusCode}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    [Fact]
    public async Task Assigning_an_account_to_an_advisor_value_that_is_no_number_is_refused_and_keeps_the_advisor()
    {
        await using var db = app.Database.CreateContext();
        var demoAdvisor = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId != null && a.AdvisorId != demoAdvisor).OrderByDescending(a => a.Id)
            .Select(a => new { a.Id, a.AdvisorId }).FirstAsync();

        var page = await app.SignedInPageAsync("admin@example.com", "en-GB", "**/admin");
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = app.BaseUrl }]);
        await page.GotoAsync("/admin/advisors");
        await page.FillAsync("#account", account.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A form sent by hand naming something that is no advisor: it must not read as "no advisor" and clear the book.
        await page.EvalOnSelectorAsync("#advisor", "s => { s.options[0].value = 'abc'; s.value = 'abc'; }");
        await page.ClickAsync("form.assign button[type=submit]");

        Assert.Equal("There is no renewal advisor abc.", await page.Locator("p.error").InnerTextAsync());
        await using var after = app.Database.CreateContext();
        Assert.Equal(account.AdvisorId, await after.Accounts.Where(a => a.Id == account.Id).Select(a => a.AdvisorId).SingleAsync());
    }

    [GeneratedRegex(@"/advisor/accounts/\d+(?=[""/])")]
    private static partial Regex AccountLink();
}
