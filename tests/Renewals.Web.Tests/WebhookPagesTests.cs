using System.Globalization;
using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Core.Webhooks;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Web.Tests;

/// <summary>
/// /admin/webhooks in a real browser: the admin adds an endpoint (a receiver on loopback),
/// the web host's webhook worker delivers an event to it, the delivery log shows the attempt,
/// and "send again" replays it with the same webhook-id; every request is checked by the
/// Standard Webhooks reference library. Other roles get 404. The pages pass axe.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class WebhookPagesTests(WebApp app)
{
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task An_admin_adds_an_endpoint_sees_the_worker_deliver_to_it_and_replays_the_delivery()
    {
        using var receiver = new WebhookReceiver(200);
        var page = await app.SignedInPageAsync(Admin, landing: "**/{admin,}");
        await page.GotoAsync("/admin/webhooks");
        await AssertAccessibleAsync(page, "admin-webhooks");

        // A bad address first: refused with its reason, nothing stored.
        await page.FillAsync("#url", "ftp://example.com/hooks");
        await page.CheckAsync($"input[value='{WebhookEventTypes.NoticeReceived}']");
        await page.ClickAsync("section:has(#new-endpoint) button[type=submit]");
        Assert.Equal("'ftp://example.com/hooks' is not an address a webhook can be sent to: give an absolute http or https URL.",
            (await page.Locator("p.error").InnerTextAsync()).Trim());

        await page.FillAsync("#url", receiver.Url);
        await page.CheckAsync($"input[value='{WebhookEventTypes.NoticeReceived}']");
        await page.ClickAsync("section:has(#new-endpoint) button[type=submit]");
        var row = page.Locator("tbody tr", new() { HasText = receiver.Url });
        var secret = (await row.Locator("code.secret").InnerTextAsync()).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        // An event as the services write it: a row in the delivery outbox, due now.
        long endpointId;
        await using (var db = app.Database.CreateContext())
        {
            endpointId = await db.WebhookEndpoints.Where(e => e.Url == receiver.Url).Select(e => e.Id).SingleAsync();
            var subscribers = await WebhookOutbox.SubscribersAsync(db, CancellationToken.None);
            db.WebhookDeliveries.AddRange(WebhookOutbox.Deliveries(subscribers,
                [new WebhookEvent(WebhookEventTypes.NoticeReceived, "notice-web-test", new { notice_id = 0 })], SystemClock.Instance.GetCurrentInstant()));
            await db.SaveChangesAsync();
        }

        // The worker's pass comes every 30 seconds. The receiver sees the request before the
        // worker has written its outcome, so the wait is for the stored state, not the request.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await DeliveryStatusAsync(endpointId) != WebhookDeliveryStatus.Delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.Single(receiver.Received);
        Assert.Equal(WebhookDeliveryStatus.Delivered, await DeliveryStatusAsync(endpointId));
        await page.GotoAsync($"/admin/webhooks/{endpointId}");
        await AssertAccessibleAsync(page, "admin-webhook-log");
        Assert.Equal("Delivered", (await page.Locator("dd.state").InnerTextAsync()).Trim());
        await page.Locator("section.delivery form button").ClickAsync();
        await page.Locator("p.done").WaitForAsync();

        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(["msg_notice-web-test.notice.received", "msg_notice-web-test.notice.received"], receiver.Received.Select(r => r.Id));
        foreach (var r in receiver.Received)
        {
            var payload = await StandardWebhooksVerifier.VerifyAsync(r, secret, long.Parse(r.Timestamp, CultureInfo.InvariantCulture));
            Assert.Equal("notice.received", payload.GetProperty("type").GetString());
        }

        Assert.Equal(2, await page.Locator("tr.attempt").CountAsync());
        Assert.Contains("sent again on request", await page.Locator("tr.attempt").Nth(1).InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Customers_advisors_and_partners_get_404_on_the_webhook_pages()
    {
        foreach (var (email, landing) in new[] { (WebApp.English, "**/portal"), ("advisor@example.com", "**/advisor"), ("partner@example.com", "**/partner") })
        {
            using var client = await app.SignedInClientAsync(email, landing);
            Assert.Equal((email, HttpStatusCode.NotFound), (email, (await client.GetAsync("/admin/webhooks")).StatusCode));
            Assert.Equal((email, HttpStatusCode.NotFound), (email, (await client.GetAsync("/admin/webhooks/1")).StatusCode));
        }
    }

    private async Task<WebhookDeliveryStatus> DeliveryStatusAsync(long endpointId)
    {
        await using var db = app.Database.CreateContext();
        return await db.WebhookDeliveries.Where(d => d.EndpointId == endpointId).Select(d => d.Status).SingleAsync();
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
