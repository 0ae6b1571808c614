using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>The web application over PostgreSQL (the tests' throwaway cluster), started once for this class.</summary>
public sealed class PostgresWebApp : IAsyncLifetime
{
    // A lighter demo book than the SQLite app's: the flow needs a few subscriptions and their key dates, not years of history.
    public WebApp App { get; } = new(DatabaseProvider.PostgreSql, "--Renewals:Demo:Subscriptions=80", "--Renewals:Demo:HistoryDays=150");

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// <summary>
/// The customer's core flow in a real browser with the application on PostgreSQL: sign in, the
/// dashboard, a timeline, a purchase order registered, a written notice filed and acknowledged.
/// </summary>
public sealed class PortalPostgresTests(PostgresWebApp fixture) : IClassFixture<PostgresWebApp>
{
    private static readonly string[] EnglishMonths =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    // The smallest file that starts as a PDF does.
    private static readonly byte[] Letter = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

    private static string EnglishDate(LocalDate d) => $"{d.Day} {EnglishMonths[d.Month - 1]} {d.Year}";

    private WebApp App => fixture.App;

    [Fact]
    public async Task A_customer_signs_in_reads_a_timeline_registers_a_PO_and_files_a_notice_that_is_acknowledged()
    {
        Assert.Equal(DatabaseProvider.PostgreSql, App.Database.Provider);
        var account = await App.AccountOfAsync(WebApp.English);
        await using var db = App.Database.CreateContext();
        var subscriptions = await db.Subscriptions.Where(s => s.AccountId == account).OrderBy(s => s.Id).ToListAsync();
        Assert.NotEmpty(subscriptions);

        // Sign in lands on the dashboard: one card per subscription of the account, each saying what to do now.
        var page = await App.SignedInPageAsync(WebApp.English);
        await page.GotoAsync("/portal");
        await WebApp.ScreenshotAsync(page, "postgres-dashboard-en");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal(subscriptions.Count, await page.Locator("li.card").CountAsync());
        Assert.Equal(subscriptions.Count, await page.Locator("li.card .step").CountAsync());
        foreach (var s in subscriptions)
        {
            Assert.Equal(1, await page.Locator($"li.card h2 a[href='/portal/subscriptions/{s.Id}']").CountAsync());
        }

        // The timeline: every key date of the current term, in date order, the last one the anniversary.
        var first = subscriptions[0];
        var term = await db.Terms.SingleAsync(t => t.SubscriptionId == first.Id && t.Number == first.CurrentTermNumber);
        var rows = (await db.Milestones.Where(m => m.SubscriptionId == first.Id && m.TermNumber == first.CurrentTermNumber).ToListAsync())
            .OrderBy(m => m.Date).ThenBy(m => m.Kind).ToList();
        await page.GotoAsync($"/portal/subscriptions/{first.Id}");
        Assert.Equal($"Subscription {first.Id}", await page.InnerTextAsync("h1"));
        Assert.Equal(rows.Count, await page.Locator("svg.timeline circle").CountAsync());
        var items = page.Locator("ol.keydates li");
        Assert.Equal(rows.Count, await items.CountAsync());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(EnglishDate(rows[i].Date), await items.Nth(i).Locator(".date").InnerTextAsync());
        }

        Assert.Equal(EnglishDate(term.End), await items.Nth(rows.Count - 1).Locator(".date").InnerTextAsync());

        // A purchase order for that subscription, registered and listed.
        await page.GotoAsync("/portal/purchase-orders");
        await page.FillAsync("#po-number", "PO-PG-77");
        await page.SelectOptionAsync("#po-subscription", first.Id.ToString(CultureInfo.InvariantCulture));
        await page.FillAsync("#po-amount", "980.00");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await WebApp.ScreenshotAsync(page, "postgres-purchase-order-en");
        var order = await db.PurchaseOrders.AsNoTracking().SingleAsync(p => p.AccountId == account && p.Number == "PO-PG-77");
        Assert.Equal((first.Id, 980.00m), (order.SubscriptionId, order.Amount));
        Assert.Equal(1, await page.Locator("tbody tr >> text=PO-PG-77").CountAsync());

        // A written notice with its signed letter, on an active subscription that has none yet.
        var subscription = await db.Subscriptions
            .Where(s => s.AccountId == account && s.Status == SubscriptionStatus.Active
                && (s.PartnerContract == null || !s.PartnerContract.CancellationFiledByPartnerOnly)
                && !db.CancellationNotices.Any(n => n.SubscriptionId == s.Id))
            .OrderBy(s => s.Id).FirstAsync();
        await page.GotoAsync($"/portal/subscriptions/{subscription.Id}/cancel");
        Assert.Equal($"Written cancellation of subscription {subscription.Id}", await page.InnerTextAsync("h1"));
        await page.FillAsync("#signed-by", "Jane Doe");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = Letter });
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.error, #ack");
        await WebApp.ScreenshotAsync(page, "postgres-cancel-acknowledged-en");
        Assert.Equal(0, await page.Locator("p.error").CountAsync());
        var sha = Convert.ToHexStringLower(SHA256.HashData(Letter));
        Assert.Equal("We received your written cancellation", await page.InnerTextAsync("#ack"));
        Assert.Equal(sha, await page.InnerTextAsync("code.sha"));
        var notice = await db.CancellationNotices.AsNoTracking().SingleAsync(n => n.SubscriptionId == subscription.Id);
        Assert.Equal((sha, "Jane Doe"), (notice.DocumentSha256, notice.SignedBy));
        Assert.Equal(Letter, await File.ReadAllBytesAsync(Path.Combine(App.Folder, "letters", $"{sha}.pdf")));

        // The acknowledgement goes out by email through the outbox (the hosted dispatcher) and shows in the message centre.
        var until = DateTime.UtcNow.AddSeconds(90);
        OutboxMessage? ack = null;
        while (DateTime.UtcNow < until)
        {
            ack = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(m => m.SubscriptionId == subscription.Id && m.Template == "cancellation-acknowledgement");
            if (ack?.Status == OutboxStatus.Sent)
            {
                break;
            }

            await Task.Delay(1000);
        }

        Assert.Equal(OutboxStatus.Sent, ack?.Status);
        // The email as delivered to the pickup folder, found by its Message-ID (sent at the sender's domain, vendor.example by default).
        var wire = ack!.MessageId.Trim('<', '>').Split('@')[0] + "@vendor.example";
        var mail = await MimeKit.MimeMessage.LoadAsync(Path.Combine(App.Folder, "pickup", Core.Messaging.PickupFolderTransport.FileName(wire)));
        Assert.Equal(ack.ToEmail, mail.To.Mailboxes.Single().Address);
        Assert.Contains("We received the written cancellation", mail.TextBody, StringComparison.Ordinal);
        await page.GotoAsync("/portal/messages");
        Assert.Equal(1, await page.Locator($"a[href='/portal/messages/{ack.Id}']").CountAsync());
    }
}
