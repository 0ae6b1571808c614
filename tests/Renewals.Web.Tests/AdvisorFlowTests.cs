using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Advisors;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The advisor's day in a real browser: takes a check-in from the unassigned queue, sets up the
/// review meeting (its .ics reaches the customer's message centre), records the adoption review
/// (on the account's history), files a letter received by post, reads the pipeline; and the
/// partner files a notice for a customer whose contract lets only the partner file one.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class AdvisorFlowTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";
    private const string Partner = "partner@example.com";

    // The smallest file that starts as a PDF does; its SHA-256 worked out with sha256sum.
    private static readonly byte[] Scan = "%PDF-1.4\n% posted letter, scanned\n%%EOF\n"u8.ToArray();
    private const string ScanSha256 = "0204b5cdf68fc9534930e9c49cd16a01833070412b80365a4179882d7ef2c048";

    [Fact]
    public async Task The_advisor_takes_a_check_in_meets_the_customer_records_the_adoption_review_files_a_posted_letter_and_reads_the_pipeline()
    {
        await using var db = app.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        // The English demo customer joins the demo advisor's book, so the meeting's invitation lands in a message centre we can sign in to.
        var account = await app.AccountOfAsync(WebApp.English);
        await db.Accounts.Where(a => a.Id == account).ExecuteUpdateAsync(s => s.SetProperty(a => a.AdvisorId, advisorId));
        var zoneId = await db.Accounts.Where(a => a.Id == account).Select(a => a.TimeZoneId).SingleAsync();
        var checkIn = new AdvisorTask { AccountId = account, Kind = AdvisorTaskKinds.CheckIn, DueOn = new LocalDate(2027, 1, 10), RecommendedValidation = true };
        db.AdvisorTasks.Add(checkIn);
        await db.SaveChangesAsync();

        var page = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await page.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = "c=en|uic=en", Url = app.BaseUrl }]);
        await page.GotoAsync("/advisor");
        await page.ClickAsync($"a[href='/advisor/tasks/{checkIn.Id}']");
        await page.ClickAsync("form.take button[type=submit]");
        await page.ClickAsync("a.schedule");
        await page.WaitForURLAsync($"**/advisor/tasks/{checkIn.Id}/meeting");

        // Later today in the customer's zone when there is time left, else tomorrow (then the meeting's day is brought forward below).
        var now = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[zoneId]).LocalDateTime;
        var later = now.PlusMinutes(45);
        var start = later.Date == now.Date
            ? later.Date.At(new LocalTime(later.Hour, later.Minute / 15 * 15))
            : now.Date.PlusDays(1).At(new LocalTime(10, 0));
        await page.FillAsync("#meeting-date", LocalDatePattern.Iso.Format(start.Date));
        await page.FillAsync("#meeting-time", LocalTimePattern.CreateWithInvariantCulture("HH:mm").Format(start.TimeOfDay));
        await page.SelectOptionAsync("#meeting-duration", "60");
        await page.FillAsync("#meeting-place", "https://meet.example/review-acme");
        await WebApp.ScreenshotAsync(page, "advisor-meeting-new");
        await page.ClickAsync("form.meeting button[type=submit]");
        await page.WaitForURLAsync("**/advisor/meetings/*");
        await page.WaitForSelectorAsync("p.done");
        var meeting = await db.ReviewMeetings.AsNoTracking().SingleAsync(m => m.AdvisorTaskId == checkIn.Id);
        Assert.Equal((start, 60, zoneId, "https://meet.example/review-acme", advisorId), (meeting.Start, meeting.DurationMinutes, meeting.TimeZoneId, meeting.Location, meeting.AdvisorId));
        await WebApp.ScreenshotAsync(page, "advisor-meeting-scheduled");

        // The dispatcher inside the web host sends the invitation; the customer then finds it, with its .ics, in the message centre.
        var invitation = await db.Outbox.AsNoTracking().SingleAsync(m => m.MeetingId == meeting.Id);
        Assert.Equal("review-invitation", invitation.Template);
        await WaitUntilSentAsync(invitation.Id);
        var customer = await app.SignedInPageAsync(WebApp.English);
        await customer.GotoAsync("/portal/messages");
        await customer.ClickAsync($"a[href='/portal/messages/{invitation.Id}']");
        await customer.WaitForSelectorAsync("main dl.facts");
        Assert.Contains("invitation.ics", await customer.InnerTextAsync("main dl.facts"), StringComparison.Ordinal);
        await WebApp.ScreenshotAsync(customer, "customer-meeting-invitation");

        if (start.Date != now.Date)
        {
            // No time was left today: the meeting is made today's, as if the day had come.
            await db.ReviewMeetings.Where(m => m.Id == meeting.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Start, now.Date.At(new LocalTime(0, 15))));
        }

        await page.GotoAsync($"/advisor/meetings/{meeting.Id}");
        await page.FillAsync("#tools-used", "Dashboards and the mobile app");
        await page.FillAsync("#resources-known", "The academy videos");
        await page.FillAsync("#next-steps", "Train the two new users by March");
        await page.Locator("fieldset.topics input[name=product]").First.CheckAsync();
        await page.ClickAsync("form.outcome button[type=submit]");
        await page.WaitForSelectorAsync("dl.review");
        await WebApp.ScreenshotAsync(page, "advisor-adoption-review");
        var review = await db.AdoptionReviews.AsNoTracking().Include(r => r.Topics).SingleAsync(r => r.MeetingId == meeting.Id);
        Assert.Equal((true, "Dashboards and the mobile app", "The academy videos", "Train the two new users by March", $"advisor:{advisorId}", 1),
            (review.Held, review.ToolsUsed, review.ResourcesKnown, review.NextSteps, review.RecordedBy, review.Topics.Count));
        var task = await db.AdvisorTasks.AsNoTracking().SingleAsync(t => t.Id == checkIn.Id);
        Assert.Equal((AdvisorTaskStatus.Done, "Train the two new users by March", (long?)advisorId), (task.Status, task.Outcome, task.AdvisorId));

        await page.GotoAsync($"/advisor/accounts/{account}");
        var meetings = await page.InnerTextAsync("table.meetings");
        Assert.Contains("Train the two new users by March", meetings, StringComparison.Ordinal);
        Assert.Contains("The academy videos", meetings, StringComparison.Ordinal);
        Assert.Contains("Train the two new users by March", await page.InnerTextAsync("table.closed-tasks"), StringComparison.Ordinal);
        await WebApp.ScreenshotAsync(page, "advisor-account-history");

        // A letter received by post for another account of the book (the demo customers' own subscriptions stay for their tests).
        var posted = await db.Subscriptions
            .Where(s => s.Account!.AdvisorId == advisorId && s.AccountId != account && s.Status == SubscriptionStatus.Active
                && (s.PartnerContract == null || !s.PartnerContract.CancellationFiledByPartnerOnly)
                && !db.CancellationNotices.Any(n => n.SubscriptionId == s.Id && n.WithdrawnAt == null)
                && !db.Users.Any(u => u.AccountId == s.AccountId))
            .OrderBy(s => s.Id).Select(s => new { s.Id, s.AccountId }).FirstAsync();
        await page.GotoAsync($"/advisor/accounts/{posted.AccountId}");
        await page.ClickAsync($"a[href='/advisor/accounts/{posted.AccountId}/notice']");
        await page.WaitForURLAsync($"**/advisor/accounts/{posted.AccountId}/notice");
        await page.SelectOptionAsync("#subscription", posted.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#signed-by", "Jane Primary");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "scan.pdf", MimeType = "application/pdf", Buffer = "Dear vendor, we cancel."u8.ToArray() });
        await page.ClickAsync("form.notice button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("This file is not a PDF: upload the signed letter as a PDF.", await page.InnerTextAsync("p.error"));
        Assert.Equal(0, await db.CancellationNotices.CountAsync(n => n.SubscriptionId == posted.Id && n.WithdrawnAt == null));

        await page.SelectOptionAsync("#subscription", posted.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#signed-by", "Jane Primary");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "scan.pdf", MimeType = "application/pdf", Buffer = Scan });
        await page.ClickAsync("form.notice button[type=submit]");
        await page.WaitForSelectorAsync("section.ack");
        Assert.Equal(ScanSha256, await page.InnerTextAsync("section.ack code.sha"));
        await WebApp.ScreenshotAsync(page, "advisor-posted-notice");
        var notice = await db.CancellationNotices.AsNoTracking().SingleAsync(n => n.SubscriptionId == posted.Id && n.WithdrawnAt == null);
        Assert.Equal((ScanSha256, Renewals.Domain.Cancellations.NoticeChannel.PostalLetter, "Jane Primary"), (notice.DocumentSha256, notice.Channel, notice.SignedBy));
        Assert.True(File.Exists(Path.Combine(app.Folder, "letters", ScanSha256 + ".pdf")));
        var acknowledgement = await db.Outbox.AsNoTracking().SingleAsync(m => m.MessageId.StartsWith($"<notice{notice.Id}."));
        Assert.Contains(ScanSha256, acknowledgement.Payload, StringComparison.Ordinal);
        Assert.Equal($"advisor:{advisorId}", await db.Audit.Where(a => a.Entity == "subscription" && a.EntityId == posted.Id && a.Action.StartsWith("cancellation.filed")).Select(a => a.Actor).SingleAsync());

        await page.GotoAsync("/advisor/pipeline");
        Assert.Equal(RenewalPipelineService.Months, await page.Locator("svg.pipeline a").CountAsync());
        // The list behind a month (its bar may be empty, so through the table's link to the same list).
        await page.Locator("table a[href^='/advisor/pipeline/']").First.ClickAsync();
        await page.WaitForURLAsync("**/advisor/pipeline/*");
        await page.WaitForSelectorAsync("#month");
        await WebApp.ScreenshotAsync(page, "advisor-pipeline-month");
    }

    [Fact]
    public async Task The_partner_files_a_notice_for_a_customer_whose_contract_lets_only_the_partner_file_and_sees_its_hash()
    {
        await using var db = app.Database.CreateContext();
        var ours = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var subscription = await db.Subscriptions
            .Where(s => s.Account!.PartnerId == ours && s.PartnerContract!.CancellationFiledByPartnerOnly && s.Status == SubscriptionStatus.Active
                && !db.CancellationNotices.Any(n => n.SubscriptionId == s.Id && n.WithdrawnAt == null))
            .OrderBy(s => s.Id).Select(s => new { s.Id, s.AccountId }).FirstAsync();

        var page = await app.SignedInPageAsync(Partner, "en-GB", "**/partner");
        await page.GotoAsync($"/partner/customers/{subscription.AccountId}");
        Assert.Equal(1, await page.Locator($"#preview-{subscription.Id}").CountAsync());
        await page.SelectOptionAsync("#subscription", subscription.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#signed-by", "Northwind Resellers");
        await page.SetInputFilesAsync("#letter", new FilePayload { Name = "letter.pdf", MimeType = "application/pdf", Buffer = Scan });
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("section.ack");
        Assert.Equal(ScanSha256, await page.InnerTextAsync("section.ack code.sha"));
        await WebApp.ScreenshotAsync(page, "partner-only-notice-filed");
        var notice = await db.CancellationNotices.AsNoTracking().SingleAsync(n => n.SubscriptionId == subscription.Id && n.WithdrawnAt == null);
        Assert.Equal((Renewals.Domain.Cancellations.NoticeFiler.Partner, ScanSha256), (notice.FiledBy, notice.DocumentSha256));
        Assert.Equal($"partner:{ours}", await db.Audit.Where(a => a.Entity == "subscription" && a.EntityId == subscription.Id && a.Action.StartsWith("cancellation.filed")).Select(a => a.Actor).SingleAsync());
        var result = await page.RunAxeAsync();
        Assert.Empty(result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => v.Id));
    }

    private async Task WaitUntilSentAsync(long outboxId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var db = app.Database.CreateContext();
            var status = await db.Outbox.Where(m => m.Id == outboxId).Select(m => m.Status).SingleAsync();
            if (status == OutboxStatus.Sent)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Outbox message {outboxId} still {status} after two minutes.\n{app.Log}");
            await Task.Delay(500);
        }
    }
}
