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
/// An application of its own: the test runs the engine a year ahead over its whole book, which
/// the shared application's other tests must not see.
/// </summary>
public sealed class AmendmentWebApp : IAsyncLifetime
{
    public WebApp App { get; } = new(DatabaseProvider.Sqlite, "--Renewals:Demo:Subscriptions=40", "--Renewals:Demo:HistoryDays=60");

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// <summary>
/// Amending the coming term in a real browser: the advisor amends (bad input refused in English
/// and French with nothing stored), the customer confirms in the web account, the engine runs to
/// the anniversary and the renewal invoice's PDF carries the amended lines. Both pages pass axe.
/// </summary>
public sealed partial class AmendmentTests(AmendmentWebApp fixture) : IClassFixture<AmendmentWebApp>
{
    private const string Advisor = "advisor@example.com";

    private WebApp App => fixture.App;

    [Fact]
    public async Task The_advisor_amends_the_customer_confirms_and_the_renewal_invoice_shows_the_new_lines()
    {
        var (subscriptionId, start) = await SoldTodayAsync();
        var advisor = await App.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await advisor.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await advisor.GotoAsync($"/advisor/subscriptions/{subscriptionId}/amend");
        Assert.Equal($"Amend the coming term of subscription {subscriptionId}", await advisor.InnerTextAsync("h1"));

        // Bad input, in English then in French: a clear message, nothing stored.
        await advisor.FillAsync("#line-0-quantity", "twelve");
        await advisor.FillAsync("#amend-reason", "More designers");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.error")).ToHaveTextAsync("Line 1: 'twelve' is not a number.");
        await advisor.FillAsync("#line-0-quantity", "12");
        await advisor.FillAsync("#amend-reason", "");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.error")).ToHaveTextAsync("Say why the term is amended (1 to 500 characters).");
        await advisor.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=fr|uic=fr", Url = App.BaseUrl }]);
        await advisor.GotoAsync($"/advisor/subscriptions/{subscriptionId}/amend");
        await advisor.FillAsync("#line-0-quantity", "12");
        await advisor.FillAsync("#line-0-discount", "dix");
        await advisor.FillAsync("#amend-reason", "Plus de graphistes");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.error")).ToHaveTextAsync("Ligne 1\u00a0: «\u00a0dix\u00a0» n'est pas un nombre.");
        await advisor.FillAsync("#line-0-discount", "150");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.error")).ToHaveTextAsync("Une remise est un pourcentage compris entre 0 et moins de 100, et non 150.");
        Assert.Equal(0, await AmendmentsAsync(subscriptionId));
        await AxeAsync(advisor, "amend-fr");

        // The amendment itself: 12 seats at 10 % off, and 2 of a product the subscription did not have.
        await advisor.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await advisor.GotoAsync($"/advisor/subscriptions/{subscriptionId}/amend");
        await advisor.FillAsync("#line-0-quantity", "12");
        await advisor.FillAsync("#line-0-discount", "10");
        await advisor.SelectOptionAsync("#line-1-product", "AMD-EXTRA");
        await advisor.FillAsync("#line-1-quantity", "2");
        await advisor.FillAsync("#line-1-price", "500");
        await advisor.FillAsync("#amend-reason", "Team grows to 12 designers; loyalty discount");
        await advisor.ClickAsync("form.amend button[type=submit]");
        await Assertions.Expect(advisor.Locator("p.done")).ToHaveTextAsync(new Regex("^Amendment [0-9]+ is proposed: the customer can confirm it in the web account\\.$"));
        Assert.Equal(1, await AmendmentsAsync(subscriptionId));
        await AxeAsync(advisor, "amend-en");

        var customer = await App.SignedInPageAsync(WebApp.English);
        await customer.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = App.BaseUrl }]);
        await customer.GotoAsync("/portal/amendments");
        await AxeAsync(customer, "portal-amendments");
        await customer.ClickAsync($"button:has-text('Confirm the change to subscription {subscriptionId}')");
        await Assertions.Expect(customer.Locator("p.done")).ToHaveTextAsync($"Thank you: the change to subscription {subscriptionId} is confirmed.");

        // The subscription's page shows, under its key dates, what the coming term will hold.
        await customer.GotoAsync($"/portal/subscriptions/{subscriptionId}");
        var coming = customer.Locator("section.coming-term");
        Assert.Equal($"The coming term, from {English(start.PlusYears(1))} to {English(start.PlusYears(2).PlusDays(-1))}", await coming.Locator("h2").InnerTextAsync());
        Assert.StartsWith($"Confirmed: from {English(start.PlusYears(1))} the subscription renews with these lines", await coming.Locator("p.coming-status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(["12", "2"], (await coming.Locator("tbody td:nth-child(2)").AllInnerTextsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal("€11,800.00", await coming.Locator("tfoot td").InnerTextAsync());
        await AxeAsync(customer, "portal-subscription-coming-term");

        // The engine to the anniversary, as the clock would bring it.
        var anniversary = start.PlusYears(1);
        var clock = new FakeClock(anniversary.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb["Europe/London"]).ToInstant().Plus(Duration.FromHours(12)));
        await new RenewalEngine(App.Database, clock).RunAsync(clock.GetCurrentInstant());

        long invoiceId;
        await using (var db = App.Database.CreateContext())
        {
            var renewal = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.SubscriptionId == subscriptionId && i.Kind == InvoiceKind.Renewal);
            // 12 × 900.00 (1,000.00 less 10 %) = 10,800.00 and 2 × 500.00 = 1,000.00.
            Assert.Equal([("AMD-EXTRA", 2, 500.00m, 1_000.00m), ("DSN-PRO", 12, 900.00m, 10_800.00m)],
                renewal.Lines.Join(db.Products.AsNoTracking().ToList(), l => l.ProductId, p => p.Id, (l, p) => (p.Code, l.Quantity, l.UnitPrice, l.Amount))
                    .OrderBy(l => l.Code, StringComparer.Ordinal));
            Assert.Equal(11_800.00m, renewal.Net);
            invoiceId = renewal.Id;
        }

        await customer.GotoAsync("/portal/invoices");
        var download = await customer.RunAndWaitForDownloadAsync(() => customer.Locator($"a[href='/portal/invoices/{invoiceId}/pdf']").ClickAsync());
        var path = Path.Combine(App.Folder, "amended-renewal.pdf");
        await download.SaveAsAsync(path);
        using var pdf = PdfDocument.Open(path);
        var text = string.Join(" ", pdf.GetPages().Select(p => p.Text));
        Assert.Contains("AMD-EXTRA", text, StringComparison.Ordinal);
        Assert.Matches(TenThousandEightHundred(), text);
    }

    [Fact]
    public async Task The_api_proposes_reads_with_its_etag_and_confirms_with_a_signed_order_and_refuses_bad_input_in_both_languages()
    {
        var (subscriptionId, _) = await SoldTodayAsync();
        string secret;
        await using (var db = App.Database.CreateContext())
        {
            secret = (await new Renewals.Core.Api.ApiKeyService(db, SystemClock.Instance).MakeAsync(new Renewals.Core.Access.Actor.Admin("tests"), null, "amendments")).Secret;
        }

        using var en = Client(secret, "en");
        using var fr = Client(secret, "fr");
        var path = $"/api/v1/subscriptions/{subscriptionId}/amendments";

        using (var bad = await en.PostAsync(path, Json("""{"lines":[{"productCode":"DSN-PRO","quantity":12,"discountPercent":100}],"reason":"Discount"}""")))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
            Assert.Equal(("Error.AmendmentDiscount", "A discount is a percentage from 0 to less than 100, not 100."),
                ((string)problem["code"]!, (string)problem["errors"]!["lines"]![0]!));
        }

        using (var bad = await fr.PostAsync(path, Json("""{"lines":[{"productCode":"DSN-PRO","quantity":12}]}""")))
        {
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
            Assert.Equal("Indiquez pourquoi la période est modifiée (de 1 à 500 caractères).", (string)problem["errors"]!["reason"]![0]!);
        }

        Assert.Equal(0, await AmendmentsAsync(subscriptionId));

        using var created = await en.PostAsync(path, Json("""{"lines":[{"productCode":"DSN-PRO","quantity":15,"yearlyUnitPrice":950}],"reason":"CRM deal 4411"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var made = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(("proposed", "admin:apikey-", 15), ((string)made["status"]!, ((string)made["madeBy"]!)[..13], (int)made["lines"]![0]!["quantity"]!));
        var one = $"{path}/{(long)made["id"]!}";

        using var read = await en.GetAsync(one);
        var etag = read.Headers.ETag!.Tag;
        using var stale = new HttpRequestMessage(HttpMethod.Post, one + "/confirm") { Content = Json("""{"signedOrderReference":"SO-4411"}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"stale\"");
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, (await en.SendAsync(stale)).StatusCode);
        using var confirm = new HttpRequestMessage(HttpMethod.Post, one + "/confirm") { Content = Json("""{"signedOrderReference":"SO-4411"}""") };
        confirm.Headers.TryAddWithoutValidation("If-Match", etag);
        using var confirmed = await en.SendAsync(confirm);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await confirmed.Content.ReadAsStringAsync())!;
        Assert.Equal(("confirmed", "SO-4411", "signedOrder"), ((string)body["status"]!, (string)body["signedOrderReference"]!, (string)body["confirmedThrough"]!));
        using var again = await en.PostAsync(one + "/confirm", Json("""{"signedOrderReference":"SO-4411"}"""));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await en.GetAsync($"/api/v1/subscriptions/{subscriptionId}/amendments/999999")).StatusCode);
    }

    private HttpClient Client(string key, string language)
    {
        var client = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        client.DefaultRequestHeaders.AcceptLanguage.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue(language));
        return client;
    }

    /// <summary>"15 March 2027": a date as the English pages write it, spelt here independently of the application's formatter.</summary>
    private static string English(LocalDate date) => date.ToDateTimeUnspecified().ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A subscription the English customer buys today (10 × 1,000.00 € of DSN-PRO, a year), in the demo advisor's book.</summary>
    private async Task<(long Subscription, LocalDate Start)> SoldTodayAsync()
    {
        var account = await App.AccountOfAsync(WebApp.English);
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        var book = new TestBook(App.Database, clock);
        await book.ProductAsync("DSN-PRO");
        await book.ProductAsync("AMD-EXTRA");
        await using var db = App.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var row = await db.Accounts.SingleAsync(a => a.Id == account);
        row.AdvisorId = advisorId;
        await db.SaveChangesAsync();
        var today = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[row.TimeZoneId]).Date;
        var sold = await new SubscriptionService(db, clock).SellAsync(new NewSubscription(account, today, 1, [new NewLine("DSN-PRO", 10, 1000m, "EUR")]));
        return (sold.Id, today);
    }

    private async Task<int> AmendmentsAsync(long subscriptionId)
    {
        await using var db = App.Database.CreateContext();
        return await db.Amendments.CountAsync(a => a.SubscriptionId == subscriptionId);
    }

    private static async Task AxeAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, name + ": " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    [GeneratedRegex("10.?800[.,]00")]
    private static partial Regex TenThousandEightHundred();
}
