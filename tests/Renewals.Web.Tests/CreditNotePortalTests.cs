using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Invoicing;
using UglyToad.PdfPig;

namespace Renewals.Web.Tests;

/// <summary>A credit note in the customer's invoices page: its PDF for its own customer, 404 for anyone else.</summary>
[Collection(WebAppGroup.Name)]
public sealed class CreditNotePortalTests(WebApp app)
{
    [Fact]
    public async Task A_credit_note_downloads_as_its_PDF_for_its_customer_and_answers_404_to_another_account()
    {
        // One of the English customer's invoices put right through the reissue service: a new order covering
        // exactly its period (the latest registered wins), then a credit note cancelling it and a new invoice
        // carrying the order. (The French customer's invoices are counted by other tests of this app.)
        var account = await app.AccountOfAsync(WebApp.English);
        string cancelled, creditNote;
        await using (var db = app.Database.CreateContext())
        {
            var invoice = await db.Invoices.AsNoTracking()
                .Where(i => i.AccountId == account && i.Number != null && !db.CreditNotes.Any(c => c.InvoiceId == i.Id))
                .OrderBy(i => i.Id).FirstAsync();
            await new PurchaseOrderService(db, SystemClock.Instance).RegisterAsync(
                new NewPurchaseOrder(account, "PO-CREDIT-1", invoice.SubscriptionId, invoice.PeriodStart, invoice.PeriodEnd), "test");
            var done = await new InvoiceReissue(db, SystemClock.Instance).ReissueAsync(invoice.Number!, "test");
            Assert.Equal((invoice.Number, "PO-CREDIT-1"), (done.CancelledInvoice, done.PurchaseOrderNumber));
            (cancelled, creditNote) = (invoice.Number!, done.CreditNote);
        }

        Assert.StartsWith("CN-", creditNote, StringComparison.Ordinal);
        var page = await app.SignedInPageAsync(WebApp.English);
        await page.GotoAsync("/portal/invoices");
        await WebApp.ScreenshotAsync(page, "credit-notes-en");
        var link = page.Locator($"a[href='/portal/credit-notes/{creditNote}/pdf']");
        Assert.Equal(1, await link.CountAsync());
        Assert.Equal($"Download credit note {creditNote} as PDF", await link.GetAttributeAsync("aria-label"));

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal($"{creditNote}.pdf", download.SuggestedFilename);
        var path = Path.Combine(app.Folder, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        using (var pdf = PdfDocument.Open(path))
        {
            var text = string.Join(" ", pdf.GetPages().Select(p => p.Text));
            Assert.Contains(creditNote, text, StringComparison.Ordinal);
            Assert.Contains(cancelled, text, StringComparison.Ordinal);
        }

        // The page with its credit notes stays accessible.
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help}")));

        // Another account's customer, and a number that does not exist: 404, as if there were nothing.
        var other = await app.SignedInPageAsync(WebApp.French);
        foreach (var url in new[] { $"/portal/credit-notes/{creditNote}/pdf", "/portal/credit-notes/CN-1999-000001/pdf" })
        {
            var response = await other.Context.APIRequest.GetAsync(url);
            Assert.True(response.Status == 404, $"{url} answered {response.Status}");
        }

        await other.GotoAsync("/portal/invoices");
        Assert.Equal(0, await other.Locator($"a[href='/portal/credit-notes/{creditNote}/pdf']").CountAsync());
    }
}
