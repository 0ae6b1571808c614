using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;

namespace Renewals.Web.Tests;

/// <summary>
/// Payments and collections in the browser: finance imports a bank statement and the advisor's
/// "invoice overdue" flag clears; the lines it cannot match wait for a person; bad input is
/// refused in English and French with nothing stored; every /finance route answers finance and
/// administrators, 404 to everyone else signed in; every page passes axe in both languages.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class PaymentsTests(WebApp app)
{
    private const string Finance = "finance@example.com";
    private const string Advisor = "advisor@example.com";
    private const string Admin = "admin@example.com";

    /// <summary>Every /finance route, in one place.</summary>
    private static readonly string[] FinanceRoutes = ["/finance", "/finance/statements"];

    [Fact]
    public async Task Finance_imports_a_statement_and_the_advisors_overdue_flag_clears()
    {
        var (accountId, number, total) = await OneOverdueInvoiceOfTheAdvisorAsync();
        var advisor = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await Language(advisor, "en");
        await advisor.GotoAsync($"/advisor/accounts/{accountId}");
        Assert.Equal("invoice overdue", await advisor.InnerTextAsync("dd li.invoice-overdue"));
        Assert.Equal("overdue", await advisor.InnerTextAsync($"table.account-invoices tr[id='invoice-{number}'] td.status"));

        var finance = await app.SignedInPageAsync(Finance, "en-GB", "**/finance");
        await Language(finance, "en");
        await finance.GotoAsync("/finance?status=overdue");
        Assert.Equal("overdue", await finance.InnerTextAsync($"tr[id='invoice-{number}'] td.status"));
        await finance.GotoAsync("/finance/statements");
        var amount = total.ToString("0.00", CultureInfo.InvariantCulture);
        var statement = $"""
            booked_on,amount,currency,reference,transaction_id
            {Today():yyyy-MM-dd},{amount},EUR,Transfer for {number} thank you,PW-{number}
            {Today():yyyy-MM-dd},17.00,EUR,INV-1999-000001,PW-UNKNOWN-{number}
            """;
        await finance.SetInputFilesAsync("#statement", new FilePayload { Name = "statement.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(statement) });
        await finance.ClickAsync("form.statement button[type=submit]");
        var done = await finance.WaitForSelectorAsync("p.done[role=status]");
        Assert.Equal("Statement imported. Matched: 1; left for you to decide: 1; already imported: 0.", await done!.InnerTextAsync());
        Assert.Equal(["matched", "for you to decide · an invoice number nobody issued"], await finance.Locator("table.statement-result td.outcome").AllInnerTextsAsync());
        Assert.Contains($"PW-UNKNOWN-{number}", await finance.InnerTextAsync("table.unmatched"), StringComparison.Ordinal);
        await AssertAccessibleAsync(finance, "finance-statements-en");

        await using (var db = app.Database.CreateContext())
        {
            var invoiceId = await db.Invoices.Where(i => i.Number == number).Select(i => i.Id).SingleAsync();
            var allocation = await db.PaymentAllocations.AsNoTracking().SingleAsync(a => a.InvoiceId == invoiceId);
            Assert.Equal(total, allocation.Amount);
        }

        await advisor.GotoAsync($"/advisor/accounts/{accountId}");
        Assert.Equal(0, await advisor.Locator("li.invoice-overdue").CountAsync());
        Assert.Equal("paid", await advisor.InnerTextAsync($"table.account-invoices tr[id='invoice-{number}'] td.status"));
        await AssertAccessibleAsync(advisor, "advisor-account-invoices-en");
        await finance.GotoAsync("/finance?status=paid");
        Assert.Equal("paid", await finance.InnerTextAsync($"tr[id='invoice-{number}'] td.status"));
        await AssertAccessibleAsync(finance, "finance-invoices-en");

        // The same statement again pays nothing twice.
        await finance.GotoAsync("/finance/statements");
        await finance.SetInputFilesAsync("#statement", new FilePayload { Name = "statement.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(statement) });
        await finance.ClickAsync("form.statement button[type=submit]");
        Assert.Equal("Statement imported. Matched: 0; left for you to decide: 0; already imported: 2.",
            await (await finance.WaitForSelectorAsync("p.done[role=status]"))!.InnerTextAsync());
    }

    [Fact]
    public async Task Finance_reverses_a_bounced_payment_the_invoice_is_overdue_again_and_an_unmatched_line_is_set_aside()
    {
        var (number, total) = await OverdueInvoiceOutsideTheAdvisorsBookAsync();
        var finance = await app.SignedInPageAsync(Finance, "en-GB", "**/finance");
        await Language(finance, "en");
        await finance.GotoAsync("/finance");
        var amount = total.ToString("0.00", CultureInfo.InvariantCulture);
        await finance.FillAsync("#amount", amount);
        await finance.FillAsync("#reference", "Cheque " + number);
        await finance.FillAsync("#invoices", number);
        await finance.ClickAsync("form.record button[type=submit]");
        await finance.WaitForSelectorAsync("p.done[role=status]");
        long paymentId;
        await using (var db = app.Database.CreateContext())
        {
            paymentId = await db.Payments.Where(p => p.Reference == "Cheque " + number).Select(p => p.Id).SingleAsync();
        }

        // A reason is required: nothing changes without one.
        await finance.ClickAsync($"tr#payment-{paymentId} button");
        Assert.Equal("Say why the payment is reversed, such as a bounced transfer (at most 500 characters).",
            await (await finance.WaitForSelectorAsync("p.error[role=alert]"))!.InnerTextAsync());
        await finance.FillAsync($"#reverse-reason-{paymentId}", "Cheque returned unpaid");
        await finance.ClickAsync($"tr#payment-{paymentId} button");
        var done = await finance.WaitForSelectorAsync("p.done[role=status]");
        Assert.Equal($"Payment {paymentId} of €{total.ToString("#,##0.00", CultureInfo.InvariantCulture)} reversed; the invoices now stand: {number} (overdue).",
            await done!.InnerTextAsync());
        Assert.StartsWith("Reversed on ", await finance.InnerTextAsync($"tr#payment-{paymentId} span.reversed"), StringComparison.Ordinal);
        await AssertAccessibleAsync(finance, "finance-reversed-en");
        await finance.GotoAsync("/finance?status=overdue");
        Assert.Equal("overdue", await finance.InnerTextAsync($"tr[id='invoice-{number}'] td.status"));

        // A credit that pays no invoice is set aside with its reason, and waits no more.
        await finance.GotoAsync("/finance/statements");
        var statement = $"""
            booked_on,amount,currency,reference,transaction_id
            {Today():yyyy-MM-dd},42.00,EUR,Refund from our stationer,PW-REFUND-{paymentId}
            """;
        await finance.SetInputFilesAsync("#statement", new FilePayload { Name = "refund.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(statement) });
        await finance.ClickAsync("form.statement button[type=submit]");
        await finance.WaitForSelectorAsync("p.done[role=status]");
        long lineId;
        await using (var db = app.Database.CreateContext())
        {
            lineId = await db.StatementLines.Where(l => l.TransactionId == $"PW-REFUND-{paymentId}").Select(l => l.Id).SingleAsync();
        }

        await finance.FillAsync($"#dismiss-reason-{lineId}", "Not a customer payment: a supplier's refund");
        await AssertAccessibleAsync(finance, "finance-statements-dismiss-en");
        await finance.ClickAsync($"tr#line-{lineId} button.dismiss");
        // The import's confirmation is on the page until the answer replaces it: wait for the new text.
        await Assertions.Expect(finance.Locator("p.done[role=status]")).ToHaveTextAsync($"Transaction PW-REFUND-{paymentId} set aside: it no longer waits for a decision.");
        Assert.Equal(0, await finance.Locator($"tr#line-{lineId}").CountAsync());
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal(["payment.reversed", "statement-line.dismissed"],
                await db.Audit.AsNoTracking().Where(a => (a.Action == "payment.reversed" && a.EntityId == paymentId) || (a.Action == "statement-line.dismissed" && a.EntityId == lineId))
                    .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        }
    }

    [Theory]
    [InlineData("en", "'twelve' is not an amount that can be paid: write a number above zero with at most two decimals, such as 1200.50.",
        "The statement was refused, nothing was stored. Errors to correct: 1.", "Line 2, booked_on: '31/12/2026' is not a date: write it as year-month-day, such as 2027-03-15.")]
    [InlineData("fr", "« twelve » n'est pas un montant payable : écrivez un nombre supérieur à zéro avec deux décimales au plus, comme 1200.50.",
        "Le relevé a été refusé, rien n'a été enregistré. Erreurs à corriger : 1.", "Ligne 2, booked_on : « 31/12/2026 » n'est pas une date : écrivez-la sous la forme AAAA-MM-JJ.")]
    public async Task Bad_input_is_refused_in_the_users_language_and_nothing_is_stored(string language, string amountRefused, string statementRefused, string lineRefused)
    {
        var before = await CountsAsync();
        var page = await app.SignedInPageAsync(Finance, language == "fr" ? "fr-FR" : "en-GB", "**/finance");
        await Language(page, language);
        await page.GotoAsync("/finance");
        await page.FillAsync("#amount", "twelve");
        await page.FillAsync("#reference", "refused " + language);
        await page.FillAsync("#invoices", "INV-2026-000001");
        await page.ClickAsync("form.record button[type=submit]");
        var error = await page.WaitForSelectorAsync("p.error[role=alert]");
        Assert.Equal(amountRefused, Spaces().Replace(await error!.InnerTextAsync(), " "));
        await AssertAccessibleAsync(page, "finance-invoices-refused-" + language);

        await page.GotoAsync("/finance/statements");
        var bad = "booked_on,amount,currency,reference,transaction_id\n31/12/2026,10.00,EUR,INV-2026-000001,BAD-" + language + "\n";
        await page.SetInputFilesAsync("#statement", new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(bad) });
        await page.ClickAsync("form.statement button[type=submit]");
        var refused = await page.WaitForSelectorAsync("p.error[role=alert]");
        Assert.Equal(statementRefused, Spaces().Replace(await refused!.InnerTextAsync(), " "));
        Assert.Equal(lineRefused, Spaces().Replace(await page.InnerTextAsync("table.statement-errors tbody td:nth-child(2)"), " "));
        await AssertAccessibleAsync(page, "finance-statements-refused-" + language);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Each_finance_route_answers_finance_and_administrators_and_404_to_everyone_else()
    {
        using var finance = await app.SignedInClientAsync(Finance, "**/finance");
        using var admin = await app.SignedInClientAsync(Admin, "**/admin");
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var route in FinanceRoutes)
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await finance.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.OK), (route, (await admin.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
            var signIn = await anonymous.GetAsync(route);
            Assert.Equal((route, HttpStatusCode.Redirect), (route, signIn.StatusCode));
            Assert.Contains("/signin", signIn.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        // The customer's invoices carry their status too.
        var invoices = await customer.GetStringAsync("/portal/invoices");
        Assert.Matches("class=\"invoice-status (issued|paid|part-paid|overdue|disputed|credited)\"", invoices);
    }

    [Fact]
    public async Task Every_finance_page_passes_axe_in_french()
    {
        var page = await app.SignedInPageAsync(Finance, "fr-FR", "**/finance");
        await Language(page, "fr");
        foreach (var route in FinanceRoutes)
        {
            await page.GotoAsync(route);
            await AssertAccessibleAsync(page, "finance-fr" + route.Replace('/', '-'));
        }

        Assert.Equal("Factures et paiements", await page.InnerTextAsync("nav[aria-label='Finance'] a[href='/finance']"));
    }

    [Fact]
    public async Task The_api_records_a_payment_with_an_administrators_key_and_the_invoice_json_says_paid()
    {
        var (number, total) = await LastOverdueInvoiceAsync();
        long invoiceId, partnerId;
        await using (var db = app.Database.CreateContext())
        {
            invoiceId = await db.Invoices.Where(i => i.Number == number).Select(i => i.Id).SingleAsync();
            partnerId = await db.Partners.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        }

        using var admin = await ApiClientAsync(null);
        Assert.Equal("overdue", (await InvoiceJsonAsync(admin, invoiceId))["status"]!.GetValue<string>());
        var body = $$"""{"receivedOn":"{{Today():yyyy-MM-dd}}","amount":{{total.ToString("0.00", CultureInfo.InvariantCulture)}},"currency":"EUR","reference":"ERP {{number}}","invoices":["{{number}}"]}""";

        using var partner = await ApiClientAsync(partnerId);
        using var refused = await partner.PostAsync("/api/v1/payments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var bad = await admin.PostAsync("/api/v1/payments", new StringContent(body.Replace("\"EUR\"", "\"EURO\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'EURO' is not a currency code", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var db = app.Database.CreateContext())
        {
            Assert.False(await db.PaymentAllocations.AnyAsync(a => a.InvoiceId == invoiceId));
        }

        using var created = await admin.PostAsync("/api/v1/payments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var payment = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("api", payment["source"]!.GetValue<string>());
        Assert.Equal("paid", (await InvoiceJsonAsync(admin, invoiceId))["status"]!.GetValue<string>());

        // The transfer bounces: the ERP reverses it with the reason, and the invoice is overdue again.
        var paymentId = payment["id"]!.GetValue<long>();
        const string Reversal = """{"reason":"Transfer returned by the bank: account closed"}""";
        using var partnerReversal = await partner.PostAsync($"/api/v1/payments/{paymentId}/reversal", new StringContent(Reversal, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, partnerReversal.StatusCode);
        using var noReason = await admin.PostAsync($"/api/v1/payments/{paymentId}/reversal", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("paid", (await InvoiceJsonAsync(admin, invoiceId))["status"]!.GetValue<string>());
        using var reversed = await admin.PostAsync($"/api/v1/payments/{paymentId}/reversal", new StringContent(Reversal, Encoding.UTF8, "application/json"));
        Assert.True(reversed.StatusCode == HttpStatusCode.OK, await reversed.Content.ReadAsStringAsync());
        var reversal = System.Text.Json.Nodes.JsonNode.Parse(await reversed.Content.ReadAsStringAsync())!["reversal"]!;
        Assert.Equal("Transfer returned by the bank: account closed", reversal["reason"]!.GetValue<string>());
        Assert.Equal("overdue", (await InvoiceJsonAsync(admin, invoiceId))["status"]!.GetValue<string>());
        using var twice = await admin.PostAsync($"/api/v1/payments/{paymentId}/reversal", new StringContent(Reversal, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        using var unknown = await admin.PostAsync("/api/v1/payments/999999999/reversal", new StringContent(Reversal, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<HttpClient> ApiClientAsync(long? partnerId)
    {
        await using var db = app.Database.CreateContext();
        var made = await new Renewals.Core.Api.ApiKeyService(db, SystemClock.Instance).MakeAsync(new Renewals.Core.Access.Actor.Admin("tests"), partnerId, "payments tests");
        var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", made.Secret);
        client.DefaultRequestHeaders.AcceptLanguage.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue("en"));
        return client;
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> InvoiceJsonAsync(HttpClient client, long invoiceId) =>
        System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/v1/invoices/{invoiceId}"))!;

    /// <summary>An invoice of the demo advisor's book that is the only overdue one of its account: its account, number and total.</summary>
    private async Task<(long Account, string Number, decimal Total)> OneOverdueInvoiceOfTheAdvisorAsync()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var today = Today();
        var invoices = await db.Invoices.AsNoTracking()
            .Where(i => i.Number != null && i.Currency == "EUR" && db.Accounts.Any(a => a.Id == i.AccountId && a.AdvisorId == mine))
            .Select(i => new { i.Id, i.AccountId, i.Number, i.Total, i.DueOn }).ToListAsync();
        var settled = (await db.CreditNotes.Select(c => c.InvoiceId).ToListAsync())
            .Concat(await db.PaymentAllocations.Select(a => a.InvoiceId).ToListAsync())
            .Concat(await db.InvoiceDisputes.Select(d => d.InvoiceId).ToListAsync()).ToHashSet();
        var overdue = invoices.Where(i => i.DueOn < today && !settled.Contains(i.Id)).ToList();
        var chosen = overdue.GroupBy(i => i.AccountId).Where(g => g.Count() == 1).Select(g => g.Single()).OrderBy(i => i.Id).First();
        return (chosen.AccountId, chosen.Number!, chosen.Total);
    }

    /// <summary>The latest overdue invoice in euros of the whole book (the browser test takes the advisor's earliest).</summary>
    private async Task<(string Number, decimal Total)> LastOverdueInvoiceAsync()
    {
        await using var db = app.Database.CreateContext();
        var today = Today();
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.Number != null && i.Currency == "EUR")
            .Select(i => new { i.Id, i.Number, i.Total, i.DueOn }).ToListAsync();
        var settled = (await db.CreditNotes.Select(c => c.InvoiceId).ToListAsync())
            .Concat(await db.PaymentAllocations.Select(a => a.InvoiceId).ToListAsync())
            .Concat(await db.InvoiceDisputes.Select(d => d.InvoiceId).ToListAsync()).ToHashSet();
        var chosen = invoices.Where(i => i.DueOn < today && !settled.Contains(i.Id)).OrderByDescending(i => i.Id).First();
        return (chosen.Number!, chosen.Total);
    }

    /// <summary>The earliest overdue invoice in euros outside the demo advisor's book (the other tests take that book's, or the latest).</summary>
    private async Task<(string Number, decimal Total)> OverdueInvoiceOutsideTheAdvisorsBookAsync()
    {
        await using var db = app.Database.CreateContext();
        var mine = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var today = Today();
        var invoices = await db.Invoices.AsNoTracking()
            .Where(i => i.Number != null && i.Currency == "EUR" && !db.Accounts.Any(a => a.Id == i.AccountId && a.AdvisorId == mine))
            .Select(i => new { i.Id, i.Number, i.Total, i.DueOn }).ToListAsync();
        var settled = (await db.CreditNotes.Select(c => c.InvoiceId).ToListAsync())
            .Concat(await db.PaymentAllocations.Select(a => a.InvoiceId).ToListAsync())
            .Concat(await db.InvoiceDisputes.Select(d => d.InvoiceId).ToListAsync()).ToHashSet();
        var chosen = invoices.Where(i => i.DueOn < today && !settled.Contains(i.Id)).OrderBy(i => i.Id).First();
        return (chosen.Number!, chosen.Total);
    }

    private async Task<(int, int, int, int)> CountsAsync()
    {
        await using var db = app.Database.CreateContext();
        return (await db.Payments.CountAsync(), await db.PaymentAllocations.CountAsync(), await db.StatementLines.CountAsync(),
            await db.Audit.CountAsync(a => a.Action == "payment.recorded" || a.Action == "statement.imported"));
    }

    /// <summary>The vendor's date today (Paris), as the application dates invoices late.</summary>
    private static LocalDate Today() => SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/Paris"]).Date;

    private Task Language(IPage page, string language) =>
        page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
