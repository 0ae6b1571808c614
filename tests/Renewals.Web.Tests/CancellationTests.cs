using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Data.Model;
using Renewals.Domain.Timeline;

namespace Renewals.Web.Tests;

/// <summary>Written cancellation from the web account: the letter checked, stored, acknowledged, withdrawn.</summary>
[Collection(WebAppGroup.Name)]
public sealed class CancellationTests(WebApp app)
{
    private static readonly string[] EnglishMonths =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static string EnglishDate(LocalDate d) => $"{d.Day} {EnglishMonths[d.Month - 1]} {d.Year}";

    // The smallest file that starts as a PDF does; the service looks at the content, not the name.
    private static readonly byte[] Letter = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

    [Fact]
    public async Task A_signed_letter_is_filed_acknowledged_with_its_hash_and_email_and_can_be_withdrawn_while_bad_uploads_store_nothing()
    {
        var account = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        var zone = DateTimeZoneProviders.Tzdb[await db.Accounts.Where(a => a.Id == account).Select(a => a.TimeZoneId).SingleAsync()];
        var today = SystemClock.Instance.GetCurrentInstant().InZone(zone).Date;
        var candidates = await db.Subscriptions
            .Where(s => s.AccountId == account && s.Status == SubscriptionStatus.Active
                && (s.PartnerContract == null || !s.PartnerContract.CancellationFiledByPartnerOnly)
                && !db.CancellationNotices.Any(n => n.SubscriptionId == s.Id))
            .OrderBy(s => s.Id).ToListAsync();
        var deadlines = new List<(Subscription Subscription, LocalDate Deadline)>();
        foreach (var s in candidates)
        {
            deadlines.Add((s, await db.Milestones
                .Where(m => m.SubscriptionId == s.Id && m.TermNumber == s.CurrentTermNumber && m.Kind == MilestoneKind.CancellationDeadline)
                .Select(m => m.Date).SingleAsync()));
        }

        // An on-time notice when the book has one to give (the demo's dates move with today), else a late one.
        var (subscription, deadline) = deadlines.FirstOrDefault(d => d.Deadline >= today) is { Subscription: not null } onTimeOne ? onTimeOne : deadlines[0];
        var onTime = today <= deadline;
        int Notices() => db.CancellationNotices.Count(n => n.SubscriptionId == subscription.Id);
        var lettersFolder = Path.Combine(app.Folder, "letters");

        var page = await app.SignedInPageAsync(WebApp.English);
        await page.GotoAsync($"/portal/subscriptions/{subscription.Id}/cancel");
        Assert.Equal($"Written cancellation of subscription {subscription.Id}", await page.InnerTextAsync("h1"));
        Assert.Contains(EnglishDate(deadline), await page.InnerTextAsync("dl.facts"), StringComparison.Ordinal);
        Assert.Contains(onTime ? "is on time" : "is late", await page.InnerTextAsync("dl.facts"), StringComparison.Ordinal);
        await WebApp.ScreenshotAsync(page, "cancel-before-en");

        async Task<string> UploadAsync(FilePayload file)
        {
            await page.GotoAsync($"/portal/subscriptions/{subscription.Id}/cancel");
            await page.FillAsync("#signed-by", "Jane Doe");
            await page.SetInputFilesAsync("#letter", file);
            await page.ClickAsync("form.form button[type=submit]");
            await page.WaitForSelectorAsync("p.error, #ack");
            return await page.Locator("p.error").CountAsync() > 0 ? await page.InnerTextAsync("p.error") : "";
        }

        // Other tests of the same app (a partner's filing) may have stored letters: nothing is added here.
        string[] Letters() => Directory.Exists(lettersFolder) ? [.. Directory.EnumerateFiles(lettersFolder).Order(StringComparer.Ordinal)] : [];
        var lettersBefore = Letters();
        Assert.Equal("This file is not a PDF: upload the signed letter as a PDF.",
            await UploadAsync(new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = "Dear vendor, we cancel."u8.ToArray() }));
        Assert.Equal("The file is empty: choose the signed letter as a PDF.",
            await UploadAsync(new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = [] }));
        var tooLarge = new byte[(10 * 1024 * 1024) + 1];
        "%PDF-"u8.CopyTo(tooLarge);
        Assert.Equal("This file is larger than 10 MB: upload a lighter PDF.",
            await UploadAsync(new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = tooLarge }));
        Assert.Equal(0, Notices());
        Assert.Equal(lettersBefore, Letters());

        // The same bytes under a name that is not a PDF's: the content decides.
        Assert.Equal("", await UploadAsync(new FilePayload { Name = "scan.bin", MimeType = "application/octet-stream", Buffer = Letter }));
        await WebApp.ScreenshotAsync(page, "cancel-acknowledged-en");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Letter));
        Assert.Equal("We received your written cancellation", await page.InnerTextAsync("#ack"));
        Assert.Equal(sha, await page.InnerTextAsync("code.sha"));
        var notice = await db.CancellationNotices.AsNoTracking().SingleAsync(n => n.SubscriptionId == subscription.Id);
        Assert.Equal((sha, onTime, $"{sha}.pdf", "Jane Doe"), (notice.DocumentSha256, notice.IsOnTime, notice.LetterFile, notice.SignedBy));
        Assert.Equal(Letter, await File.ReadAllBytesAsync(Path.Combine(lettersFolder, $"{sha}.pdf")));

        // Its acknowledgement goes out through the outbox; the running dispatcher sends it.
        var deadlineForMail = DateTime.UtcNow.AddSeconds(90);
        OutboxMessage? ack = null;
        while (DateTime.UtcNow < deadlineForMail)
        {
            ack = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(m => m.SubscriptionId == subscription.Id && m.Template == "cancellation-acknowledgement");
            if (ack?.Status == OutboxStatus.Sent)
            {
                break;
            }

            await Task.Delay(1000);
        }

        Assert.Equal(OutboxStatus.Sent, ack?.Status);
        await page.GotoAsync("/portal/messages");
        Assert.Equal(1, await page.Locator($"a[href='/portal/messages/{ack!.Id}']").CountAsync());

        if (onTime)
        {
            await page.GotoAsync($"/portal/subscriptions/{subscription.Id}/cancel");
            await page.ClickAsync("#ack ~ dl ~ form button, section.card form button");
            await page.WaitForSelectorAsync("#ack >> text=withdrawn");
            Assert.Equal("Your written cancellation was withdrawn", await page.InnerTextAsync("#ack"));
            Assert.NotNull(await db.CancellationNotices.AsNoTracking().Where(n => n.Id == notice.Id).Select(n => n.WithdrawnAt).SingleAsync());
        }
    }
}
