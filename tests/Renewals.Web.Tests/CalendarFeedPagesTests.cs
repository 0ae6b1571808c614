using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Renewals.Web.Tests;

/// <summary>
/// Calendar feed addresses in the web: a customer makes one for a contact on the contacts
/// page, a calendar app fetches it without signing in, a new address kills the old one (404);
/// an advisor makes its own in /advisor. The pages pass axe.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class CalendarFeedPagesTests(WebApp app)
{
    [Fact]
    public async Task A_customer_makes_a_contacts_feed_address_that_serves_ics_and_a_new_one_makes_the_old_404()
    {
        var page = await app.SignedInPageAsync(WebApp.English);
        await page.GotoAsync("/portal/contacts");
        await AssertAccessibleAsync(page, "portal-contacts-feeds");

        var make = page.Locator("section.feeds form button").First;
        var contact = (await page.Locator("section.feeds tbody tr td").First.InnerTextAsync()).Trim();
        await make.ClickAsync();
        var first = await page.Locator("#feed-address").InputValueAsync();
        await AssertAccessibleAsync(page, "portal-contacts-feed-made");
        Assert.StartsWith(app.BaseUrl + "/feeds/", first, StringComparison.Ordinal);
        Assert.Contains(contact, await page.Locator("section.feeds [role=status]").InnerTextAsync(), StringComparison.Ordinal);

        using var calendarApp = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var served = await calendarApp.GetAsync(new Uri(first));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("text/calendar", served.Content.Headers.ContentType?.MediaType);
        var ics = await served.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR", ics, StringComparison.Ordinal);
        Assert.Contains("DTSTART;VALUE=DATE:", ics, StringComparison.Ordinal);

        await page.Locator("section.feeds form button").First.ClickAsync();
        var second = await page.Locator("#feed-address").InputValueAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(new Uri(first))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await calendarApp.GetAsync(new Uri(second))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync("/feeds/not-a-token.ics")).StatusCode);
    }

    [Fact]
    public async Task An_advisor_makes_its_own_feed_address_in_its_workspace()
    {
        var page = await app.SignedInPageAsync("advisor@example.com", landing: "**/advisor");
        await page.GotoAsync("/advisor");
        await page.Locator("section.feeds form button").ClickAsync();
        var address = await page.Locator("#feed-address").InputValueAsync();
        await AssertAccessibleAsync(page, "advisor-feed-made");

        using var calendarApp = new HttpClient();
        var ics = await calendarApp.GetStringAsync(new Uri(address));
        Assert.StartsWith("BEGIN:VCALENDAR", ics, StringComparison.Ordinal);
        Assert.Contains("BEGIN:VEVENT", ics, StringComparison.Ordinal);
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
