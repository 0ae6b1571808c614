using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Engine;
using Renewals.Core.Subscriptions;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using UglyToad.PdfPig;

namespace Renewals.Web.Tests;

/// <summary>
/// A two-year renewal in a real browser (issue 14): the administrator allows two years on the
/// policy page, the advisor amends with two years, the customer confirms, the portal shows the
/// coming term ending two years after the anniversary, and after the engine's anniversary the
/// renewal invoice covers both years at twice the yearly price. It runs the engine a year ahead,
/// so it has an application of its own (class fixtures are one per class).
/// </summary>
public sealed class RenewalLengthWebTests(AmendmentWebApp fixture) : IClassFixture<AmendmentWebApp>
{
    private const string Advisor = "advisor@example.com";
    private const string Admin = "admin@example.com";

    private WebApp App => fixture.App;

    [Fact]
    public async Task The_admin_allows_two_years_the_advisor_amends_with_two_the_customer_confirms_and_the_renewal_invoice_covers_two_years()
    {
        var (subscriptionId, policyId, start) = await SoldTodayAsync();

        var admin = await App.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await admin.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await admin.GotoAsync($"/admin/policies/{policyId}");
        Assert.Equal("1", await admin.InputValueAsync("#renewal-years"));
        await admin.FillAsync("#renewal-years", "1, two");
        await admin.ClickAsync("button.save");
        await Assertions.Expect(admin.Locator("p.error")).ToHaveTextAsync("'two' is not a number of years: write a whole number such as 2.");
        await admin.FillAsync("#renewal-years", "1, 4");
        await admin.ClickAsync("button.save");
        await Assertions.Expect(admin.Locator("p.error")).ToHaveTextAsync("A renewal lasts from 1 to 3 whole years, not 4.");
        Assert.Equal("1", await PolicyYearsAsync(policyId));
        await admin.FillAsync("#renewal-years", "1, 2");
        await admin.ClickAsync("button.save");
        await Assertions.Expect(admin.Locator("p.done")).ToBeVisibleAsync();
        Assert.Equal("1,2", await PolicyYearsAsync(policyId));
        await AxeAsync(admin, "admin-policy-renewal-years");

        var advisor = await App.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await advisor.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await advisor.GotoAsync($"/advisor/subscriptions/{subscriptionId}/amend");
        Assert.Equal(["1 × 12 months", "2 × 12 months"], await advisor.Locator("#renewal-years option").AllInnerTextsAsync());
        await advisor.FillAsync("#line-0-quantity", "10");
        await advisor.SelectOptionAsync("#renewal-years", "2");
        await advisor.FillAsync("#amend-reason", "Two-year commitment signed at the review");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.done")).ToHaveTextAsync(new Regex("^Amendment [0-9]+ is proposed"));
        // 10 × 1,000.00 a year for two years.
        await Assertions.Expect(advisor.Locator("section.card p.renewal-length"))
            .ToHaveTextAsync("The coming term lasts 2 years: its renewal invoice bills the yearly total 2 times, €20,000.00 before VAT.");
        await AxeAsync(advisor, "amend-two-years");

        var customer = await App.SignedInPageAsync(WebApp.English);
        await customer.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await customer.GotoAsync("/portal/amendments");
        await customer.ClickAsync($"button:has-text('Confirm the change to subscription {subscriptionId}')");
        await Assertions.Expect(customer.Locator("p.done")).ToHaveTextAsync($"Thank you: the change to subscription {subscriptionId} is confirmed.");

        // The coming term ends two years after the anniversary: its last day is the day before.
        var anniversary = start.PlusYears(1);
        await customer.GotoAsync($"/portal/subscriptions/{subscriptionId}");
        var coming = customer.Locator("section.coming-term");
        Assert.Equal($"The coming term, from {English(anniversary)} to {English(start.PlusYears(3).PlusDays(-1))}", await coming.Locator("h2").InnerTextAsync());
        Assert.Equal("The coming term lasts 2 years: its renewal invoice bills the yearly total 2 times, €20,000.00 before VAT.",
            await coming.Locator("p.renewal-length").InnerTextAsync());
        await AxeAsync(customer, "portal-subscription-two-years");

        // The API: the amendment and the subscription carry the length; a length the policy does not allow is refused, in French too.
        using (var api = await ApiClientAsync("fr"))
        {
            using var refused = await api.PostAsync($"/api/v1/subscriptions/{subscriptionId}/amendments", new StringContent(
                """{"lines":[{"productCode":"DSN-PRO","quantity":10}],"reason":"Trois ans","renewalYears":3}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("La politique de renouvellement de l'abonnement n'autorise pas un renouvellement de 3 ans\u00a0; durées autorisées, en années\u00a0: 1, 2.",
                (string)problem["errors"]!["renewalYears"]![0]!);
            var amendments = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/api/v1/subscriptions/{subscriptionId}/amendments"))!;
            var amendment = Assert.Single(amendments["items"]!.AsArray())!;
            Assert.Equal(("confirmed", 2, Iso(start.PlusYears(3))), ((string)amendment["status"]!, (int)amendment["renewalYears"]!, (string)amendment["termEnd"]!));
            var details = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/api/v1/subscriptions/{subscriptionId}"))!;
            Assert.Equal((2, 2, Iso(start.PlusYears(3))), ((int)details["comingTerm"]!["number"]!, (int)details["comingTerm"]!["years"]!, (string)details["comingTerm"]!["end"]!));
            var openApi = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync("/openapi/v1.json"))!;
            Assert.StartsWith("The coming term's length in whole years", (string)openApi["components"]!["schemas"]!["AmendmentBody"]!["properties"]!["renewalYears"]!["description"]!, StringComparison.Ordinal);
        }

        Assert.Equal(1, await AmendmentsAsync(subscriptionId));

        var clock = new FakeClock(anniversary.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb["Europe/London"]).ToInstant().Plus(Duration.FromHours(12)));
        await new RenewalEngine(App.Database, clock).RunAsync(clock.GetCurrentInstant());

        long invoiceId;
        await using (var db = App.Database.CreateContext())
        {
            var renewal = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.SubscriptionId == subscriptionId && i.Kind == InvoiceKind.Renewal);
            Assert.Equal((anniversary, start.PlusYears(3), 20_000.00m), (renewal.PeriodStart, renewal.PeriodEnd, renewal.Net));
            Assert.Equal([(10, 2_000.00m, 20_000.00m)], renewal.Lines.Select(l => (l.Quantity, l.UnitPrice, l.Amount)));
            invoiceId = renewal.Id;
        }

        await customer.GotoAsync("/portal/invoices");
        var download = await customer.RunAndWaitForDownloadAsync(() => customer.Locator($"a[href='/portal/invoices/{invoiceId}/pdf']").ClickAsync());
        var path = Path.Combine(App.Folder, "two-year-renewal.pdf");
        await download.SaveAsAsync(path);
        using var pdf = PdfDocument.Open(path);
        var text = string.Join(" ", pdf.GetPages().Select(p => p.Text));
        // The period printed runs to the last day of the second year.
        Assert.Matches(Spaced(English(start.PlusYears(3).PlusDays(-1))), text);
        Assert.Matches(new Regex("20.?000[.,]00"), text);
    }

    private async Task<HttpClient> ApiClientAsync(string language)
    {
        string secret;
        await using (var db = App.Database.CreateContext())
        {
            secret = (await new Renewals.Core.Api.ApiKeyService(db, SystemClock.Instance).MakeAsync(new Renewals.Core.Access.Actor.Admin("tests"), null, "lengths")).Secret;
        }

        var client = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        client.DefaultRequestHeaders.AcceptLanguage.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue(language));
        return client;
    }

    private async Task<int> AmendmentsAsync(long subscriptionId)
    {
        await using var db = App.Database.CreateContext();
        return await db.Amendments.CountAsync(a => a.SubscriptionId == subscriptionId);
    }

    private static string Iso(LocalDate date) => NodaTime.Text.LocalDatePattern.Iso.Format(date);

    /// <summary>"15 March 2027": a date as the English pages write it, spelt here independently of the application's formatter.</summary>
    private static string English(LocalDate date) => date.ToDateTimeUnspecified().ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The words of <paramref name="text"/> with any spacing between them, as a PDF's text comes out.</summary>
    private static Regex Spaced(string text) => new(string.Join("[\\s\\u00a0]*", text.Split(' ').Select(Regex.Escape)));

    /// <summary>A subscription the English customer buys today (10 × 1,000.00 € of DSN-PRO, a year), in the demo advisor's book, and its policy.</summary>
    private async Task<(long Subscription, long Policy, LocalDate Start)> SoldTodayAsync()
    {
        var account = await App.AccountOfAsync(WebApp.English);
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        var book = new TestBook(App.Database, clock);
        await book.ProductAsync("DSN-PRO");
        await using var db = App.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var row = await db.Accounts.SingleAsync(a => a.Id == account);
        row.AdvisorId = advisorId;
        await db.SaveChangesAsync();
        var today = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[row.TimeZoneId]).Date;
        var sold = await new SubscriptionService(db, clock).SellAsync(new NewSubscription(account, today, 1, [new NewLine("DSN-PRO", 10, 1000m, "EUR")]));
        var policy = await db.Subscriptions.Where(s => s.Id == sold.Id).Select(s => s.PolicyId).SingleAsync();
        return (sold.Id, policy, today);
    }

    private async Task<string> PolicyYearsAsync(long policyId)
    {
        await using var db = App.Database.CreateContext();
        return await db.Policies.Where(p => p.Id == policyId).Select(p => p.RenewalYears).SingleAsync();
    }

    private static async Task AxeAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, name + ": " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
