using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Core.Advisors;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// Callback requests end to end: a public request without sign-in becomes the advisor's task
/// and the advisor closes it; bad input is refused in French and English with nothing stored;
/// both forms pass axe; the public form is rate-limited per address (the N+1-th request gets a
/// clear 429 page and stores nothing). Every post waits past the form's minimum fill time.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class CallbackTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";

    /// <summary>Longer than the signed minimum fill time (3 seconds) a person needs.</summary>
    private const int FillTimeMilliseconds = 3200;

    [Fact]
    public async Task A_public_request_without_sign_in_becomes_the_advisors_task_and_the_advisor_closes_it()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        // A contact of one of this advisor's accounts whose address no other contact shares.
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.Account!.AdvisorId == mine).Select(c => new { c.Id, c.AccountId, c.Email, c.Name }).ToListAsync();
        var all = await db.Contacts.AsNoTracking().Select(c => c.Email).ToListAsync();
        var contact = contacts.First(c => all.Count(e => string.Equals(e, c.Email, StringComparison.OrdinalIgnoreCase)) == 1);
        // Other tests of the run (the log privacy test) may have asked for a call from the same contact before.
        var acknowledged = await db.Outbox.CountAsync(m => m.Template == "callback-acknowledgement" && m.ToEmail == contact.Email && m.Language == "en");

        var page = await app.AnonymousPageAsync("en-GB");
        await page.GotoAsync("/callback");
        await page.FillAsync("#cb-name", contact.Name);
        await page.FillAsync("#cb-company", "Their company");
        await page.FillAsync("#cb-email", contact.Email);
        await page.FillAsync("#cb-phone", "+33 1 40 20 30 40");
        await page.FillAsync("#cb-subject", "Quote for 12 more seats at renewal");
        await page.SelectOptionAsync("#cb-window", "afternoon");
        await page.WaitForTimeoutAsync(FillTimeMilliseconds);
        await page.ClickAsync("form.callback-form button[type=submit]");
        var received = await page.WaitForSelectorAsync("p.notice[role=status]");
        Assert.StartsWith("Thank you: your request is received. We will call you back by ", await received!.InnerTextAsync(), StringComparison.Ordinal);

        var request = await db.CallbackRequests.AsNoTracking().SingleAsync(r => r.Email == contact.Email && r.Subject == "Quote for 12 more seats at renewal");
        var task = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == request.AdvisorTaskId);
        Assert.Equal((AdvisorTaskKinds.Callback, (long?)mine, (long?)contact.AccountId, AdvisorTaskStatus.Open), (task.Kind, task.AdvisorId, task.AccountId, task.Status));
        Assert.Equal(("public", "afternoon", "en", (long?)contact.Id), (request.Source, request.PreferredWindow, request.Language, request.ContactId));
        Assert.Equal(acknowledged + 1, await db.Outbox.CountAsync(m => m.Template == "callback-acknowledgement" && m.ToEmail == contact.Email && m.Language == "en"));

        var advisor = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await advisor.GotoAsync("/advisor");
        await advisor.ClickAsync($"a[href='/advisor/tasks/{task.Id}']");
        await advisor.WaitForURLAsync($"**/advisor/tasks/{task.Id}");
        Assert.Equal("Quote for 12 more seats at renewal", await advisor.InnerTextAsync("dl.callback dd.subject"));
        Assert.Equal("+33 1 40 20 30 40", await advisor.InnerTextAsync("dl.callback a[href^='tel:']"));
        await AssertAccessibleAsync(advisor, "callback-task");
        await advisor.FillAsync("#outcome", "Called back; quote for 12 seats sent the same day.");
        await advisor.ClickAsync("form.form button[type=submit]");
        await advisor.WaitForSelectorAsync("dd.outcome");
        var closed = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == task.Id);
        Assert.Equal((AdvisorTaskStatus.Done, "Called back; quote for 12 seats sent the same day."), (closed.Status, closed.Outcome));
    }

    [Theory]
    [InlineData("en-GB", "'call me' is not a phone number we can call: use digits (at least 6), spaces and + . - ( ) only.")]
    [InlineData("fr-FR", "« call me » n'est pas un numéro que nous pouvons appeler : utilisez des chiffres (au moins 6), des espaces et les signes + . - ( ) uniquement.")]
    public async Task Bad_input_is_refused_with_a_clear_message_in_the_visitors_language_and_nothing_is_stored(string locale, string expected)
    {
        var email = $"refused.{locale}@nowhere.example";
        var page = await app.AnonymousPageAsync(locale);
        await page.GotoAsync("/callback");
        await page.FillAsync("#cb-name", "Robin Refused");
        await page.FillAsync("#cb-company", "Nowhere Ltd");
        await page.FillAsync("#cb-email", email);
        await page.FillAsync("#cb-phone", "call me");
        await page.FillAsync("#cb-subject", "Anything");
        await page.WaitForTimeoutAsync(FillTimeMilliseconds);
        await page.ClickAsync("form.callback-form button[type=submit]");
        var error = await page.WaitForSelectorAsync("p.error[role=alert]");

        Assert.Equal(expected, Spaces().Replace(await error!.InnerTextAsync(), " "));
        // What was typed stays in the form, to correct.
        Assert.Equal(email, await page.InputValueAsync("#cb-email"));
        await using var db = app.Database.CreateContext();
        Assert.Equal(0, await db.CallbackRequests.CountAsync(r => r.Email == email));
        Assert.Equal(0, await db.Outbox.CountAsync(m => m.ToEmail == email));
    }

    [Theory]
    [InlineData("en-GB", WebApp.English)]
    [InlineData("fr-FR", WebApp.French)]
    public async Task Both_forms_pass_axe_and_the_web_account_form_is_prefilled_from_the_signed_in_contact(string locale, string customer)
    {
        var anonymous = await app.AnonymousPageAsync(locale);
        await anonymous.GotoAsync("/callback");
        await AssertAccessibleAsync(anonymous, "callback-public-" + locale);

        var page = await app.SignedInPageAsync(customer, locale);
        await page.GotoAsync("/portal/callback");
        await AssertAccessibleAsync(page, "callback-portal-" + locale);
        await using var db = app.Database.CreateContext();
        var account = await app.AccountOfAsync(customer);
        var name = await db.Accounts.Where(a => a.Id == account).Select(a => a.Name).SingleAsync();
        Assert.Equal(name, await page.InputValueAsync("#cb-company"));
        Assert.Equal(customer, await page.InputValueAsync("#cb-email"));
    }

    [Fact]
    public async Task The_forms_reached_by_an_emailed_link_are_rate_limited_per_address_and_say_so_in_the_readers_language()
    {
        // The survey and the unsubscribe page (and its one-click POST) share one window per address:
        // a wrong token answers 404 until the window is used up, then 429 with a page that says why.
        using var client = app.ClientFrom(IPAddress.Parse("127.0.0.79"), "fr-FR");
        using var elsewhere = app.ClientFrom(IPAddress.Parse("127.0.0.80"), "fr-FR");
        async Task<HttpResponseMessage> PostAsync(HttpClient from, string path) =>
            await from.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));

        for (var i = 0; i < RenewalsWeb.LinkFormPostsPerWindow; i++)
        {
            var path = i % 2 == 0 ? $"/newsletter/unsubscribe/not-a-token-{i}" : $"/feedback/not-a-token-{i}";
            var answer = await PostAsync(client, path);
            Assert.True(answer.StatusCode is not HttpStatusCode.TooManyRequests and < HttpStatusCode.InternalServerError, $"{path}: {(int)answer.StatusCode}");
        }

        var refused = await PostAsync(client, "/newsletter/unsubscribe/not-a-token");
        var page = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(client, "/feedback/not-a-token")).StatusCode);
        Assert.Contains("<h1>Trop de demandes</h1>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/callback\"", page, StringComparison.Ordinal);
        // Another address has its own window.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PostAsync(elsewhere, "/newsletter/unsubscribe/not-a-token")).StatusCode);
    }

    [Fact]
    public async Task The_public_form_answers_429_with_a_clear_page_past_its_limit_from_one_address_and_stores_nothing_more()
    {
        // A loopback address of this test's own, so the other tests' requests do not share its window.
        using var client = app.ClientFrom(IPAddress.Parse("127.0.0.77"));
        var form = await client.GetStringAsync("/callback");
        var token = Field().Match(form) is { Success: true } t ? t.Groups["value"].Value : throw new InvalidOperationException("no antiforgery token");
        var stamp = Stamp().Match(form) is { Success: true } s ? s.Groups["value"].Value : throw new InvalidOperationException("no stamp");
        await Task.Delay(FillTimeMilliseconds);
        const string email = "flood@nowhere.example";

        async Task<HttpResponseMessage> PostAsync() => await client.PostAsync("/callback", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "callback",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Stamp"] = WebUtility.HtmlDecode(stamp),
            ["Input.Name"] = "Flo Flood",
            ["Input.Company"] = "Nowhere Ltd",
            ["Input.Email"] = email,
            ["Input.Phone"] = "0123456789",
            ["Input.Subject"] = "Again",
            ["Input.Window"] = "any",
            ["Input.Website"] = "",
        }));

        for (var i = 0; i < RenewalsWeb.CallbackRequestsPerWindow; i++)
        {
            var accepted = await PostAsync();
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var refused = await PostAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Too many requests</h1>", page, StringComparison.Ordinal);
        Assert.Contains("Nothing was recorded: wait a few minutes and try again.", page, StringComparison.Ordinal);
        await using var db = app.Database.CreateContext();
        Assert.Equal(RenewalsWeb.CallbackRequestsPerWindow, await db.CallbackRequests.CountAsync(r => r.Email == email));
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<value>[^\"]+)\"")]
    private static partial Regex Field();

    [GeneratedRegex("name=\"Input.Stamp\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex Stamp();

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
