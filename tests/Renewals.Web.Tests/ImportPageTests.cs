using System.Net;
using System.Text;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Renewals.Web.Tests;

/// <summary>
/// The book brought in from the administration's upload page (/admin/import) and the CSV exports
/// beside it: a file with errors lists each with its line, column and reason in the reader's
/// language and stores nothing; a correct file is stored whole; only an administrator reaches either.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class ImportPageTests(WebApp app)
{
    private const string Admin = "admin@example.com";

    private const string Header = "account,language,time_zone,requires_po,billing_address,primary_contact,primary_email,subscription,start,term_years,billing,licence_delivery,product,quantity";

    [Fact]
    public async Task A_file_with_errors_is_listed_line_by_line_in_the_readers_language_and_nothing_is_stored()
    {
        var product = await ProductCodeAsync();
        var name = "Upload Refused " + Guid.NewGuid().ToString("N")[..8];
        // Line 2: 29 February of a common year; line 3: a product the catalogue does not have.
        var csv = $"""
            {Header}
            {name},en,Europe/London,no,1 High Street | Leeds,Ann Lee,ann@upload.example,UP-1,2027-02-29,1,yearly,extend,{product},3
            {name},en,Europe/London,no,1 High Street | Leeds,Ann Lee,ann@upload.example,UP-1,2027-02-29,1,yearly,extend,NO-SUCH-PRODUCT,1
            """;
        var accountsBefore = await CountAccountsAsync();

        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await UploadAsync(page, csv);
        await WebApp.ScreenshotAsync(page, "admin-import-refused-en");
        Assert.Equal("Nothing was stored: the file has 2 errors.", (await page.Locator("p.error").InnerTextAsync()).Trim());
        var rows = await page.Locator("table.import-errors tbody tr").AllInnerTextsAsync();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("2\tstart\t", rows[0], StringComparison.Ordinal);
        Assert.Contains("2027", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("3\tproduct\t", rows[1], StringComparison.Ordinal);
        Assert.Contains("NO-SUCH-PRODUCT", rows[1], StringComparison.Ordinal);

        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=fr|uic=fr", Url = app.BaseUrl }]);
        await page.GotoAsync("/admin/import");
        await UploadAsync(page, csv);
        await WebApp.ScreenshotAsync(page, "admin-import-refused-fr");
        Assert.Equal("Rien n'a été enregistré\u00a0: le fichier contient 2\u00a0erreurs.", (await page.Locator("p.error").InnerTextAsync()).Trim());
        Assert.Contains("février", (await page.Locator("table.import-errors tbody tr").First.InnerTextAsync()), StringComparison.Ordinal);

        Assert.Equal(accountsBefore, await CountAccountsAsync());
        await using var db = app.Database.CreateContext();
        Assert.False(await db.Accounts.AnyAsync(a => a.Name == name));
    }

    [Fact]
    public async Task A_correct_file_is_stored_whole_and_a_check_only_run_stores_nothing()
    {
        var product = await ProductCodeAsync();
        var name = "Upload Stored " + Guid.NewGuid().ToString("N")[..8];
        var csv = $"""
            {Header}
            {name},fr,Europe/Paris,no,3 place Bellecour | 69002 Lyon,Jeanne Roux,jeanne@upload.example,UPS-1,2026-03-31,1,yearly,extend,{product},4
            {name},fr,Europe/Paris,no,3 place Bellecour | 69002 Lyon,Jeanne Roux,jeanne@upload.example,UPS-2,2026-12-01,2,upfront,web-account,{product},1
            """;
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");

        await page.GotoAsync("/admin/import");
        await page.CheckAsync("input[type=checkbox]");
        await UploadAsync(page, csv);
        Assert.Equal("The file is correct and nothing was stored. Lines: 2, accounts: 1, subscriptions: 2.", (await page.Locator("p.done").InnerTextAsync()).Trim());
        await using (var db = app.Database.CreateContext())
        {
            Assert.False(await db.Accounts.AnyAsync(a => a.Name == name));
        }

        await page.GotoAsync("/admin/import");
        await UploadAsync(page, csv);
        await WebApp.ScreenshotAsync(page, "admin-import-stored");
        Assert.Equal("Stored. Lines: 2, accounts: 1, subscriptions: 2. Their key dates are planned.", (await page.Locator("p.done").InnerTextAsync()).Trim());
        await using (var db = app.Database.CreateContext())
        {
            var account = await db.Accounts.Include(a => a.Subscriptions).SingleAsync(a => a.Name == name);
            Assert.Equal(
                [(new NodaTime.LocalDate(2026, 3, 31), 1), (new NodaTime.LocalDate(2026, 12, 1), 2)],
                account.Subscriptions.OrderBy(s => s.Start).Select(s => (s.Start, s.InitialTermYears)));
        }

        // The same file again: the account exists now, so it is refused as a whole.
        await page.GotoAsync("/admin/import");
        await UploadAsync(page, csv);
        Assert.StartsWith("Nothing was stored", (await page.Locator("p.error").InnerTextAsync()).Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_upload_is_refused_and_the_page_passes_axe()
    {
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin/import");
        var serious = (await page.RunAxeAsync()).Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help}")));

        await page.SetInputFilesAsync("#book", new FilePayload { Name = "empty.csv", MimeType = "text/csv", Buffer = [] });
        await page.ClickAsync("form.import button[type=submit]");
        await page.Locator("p.error").WaitForAsync();
        Assert.Equal("Choose a CSV file to import.", (await page.Locator("p.error").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task The_exports_answer_the_administrator_with_csv_and_anyone_else_with_404()
    {
        using var admin = await app.SignedInClientAsync(Admin, "**/admin");
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var advisor = await app.SignedInClientAsync("advisor@example.com", "**/advisor");
        var expected = new Dictionary<string, string>
        {
            ["pipeline"] = "subscription,account,renewal_date,amount,currency,status,notice_received,po_missing,partner",
            ["invoices"] = "number,kind,issued_on,due_on,account,subscription,period_start,period_end,net,vat_rate,total,currency,purchase_order",
            ["subscriptions"] = "account,",
        };
        foreach (var (kind, header) in expected)
        {
            var answer = await admin.GetAsync($"/admin/export/{kind}.csv");
            Assert.Equal((kind, HttpStatusCode.OK), (kind, answer.StatusCode));
            Assert.Equal("text/csv", answer.Content.Headers.ContentType!.MediaType);
            var first = (await answer.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n')[0].TrimEnd('\r');
            Assert.StartsWith(header, first, StringComparison.Ordinal);
            Assert.Equal((kind, HttpStatusCode.NotFound), (kind, (await customer.GetAsync($"/admin/export/{kind}.csv")).StatusCode));
            Assert.Equal((kind, HttpStatusCode.NotFound), (kind, (await advisor.GetAsync($"/admin/export/{kind}.csv")).StatusCode));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/export/secrets.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/export/1.csv")).StatusCode);
    }

    private static async Task UploadAsync(IPage page, string csv)
    {
        if (!page.Url.EndsWith("/admin/import", StringComparison.Ordinal))
        {
            await page.GotoAsync("/admin/import");
        }

        await page.SetInputFilesAsync("#book", new FilePayload { Name = "book.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.Replace("\r\n", "\n", StringComparison.Ordinal)) });
        await page.ClickAsync("form.import button[type=submit]");
        await page.Locator("p.error, p.done").First.WaitForAsync();
    }

    private async Task<string> ProductCodeAsync()
    {
        await using var db = app.Database.CreateContext();
        return await db.Products.OrderBy(p => p.Id).Select(p => p.Code).FirstAsync();
    }

    private async Task<int> CountAccountsAsync()
    {
        await using var db = app.Database.CreateContext();
        return await db.Accounts.CountAsync();
    }
}
