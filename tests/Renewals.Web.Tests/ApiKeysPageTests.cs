using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Net.Http.Headers;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Renewals.Web.Tests;

/// <summary>/admin/api-keys in a real browser: a key made there is shown once, works on the API, and stops working once revoked.</summary>
[Collection(WebAppGroup.Name)]
public sealed class ApiKeysPageTests(WebApp app)
{
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task An_admin_makes_a_key_shown_once_that_the_api_accepts_until_it_is_revoked()
    {
        var page = await app.SignedInPageAsync(Admin, landing: "**/admin");
        await page.GotoAsync("/admin/api-keys");
        Assert.Equal("API keys", await page.InnerTextAsync("h1"));

        var name = "Page key " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#key-name", name);
        await page.ClickAsync("form.form button[type=submit]");
        var secret = await page.Locator("#new-key").InnerTextAsync();
        await WebApp.ScreenshotAsync(page, "api-keys-made");

        Assert.StartsWith("rnw_", secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(secret));
        await page.GotoAsync("/admin/api-keys");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.Locator("table.api-keys tr", new PageLocatorOptions { HasText = name });
        Assert.Contains(secret[..12] + "…", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("never", await row.InnerTextAsync(), StringComparison.Ordinal);

        await row.GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator("p.done[role=status]").WaitForAsync();

        Assert.Contains($"({name}) is revoked", await page.InnerTextAsync("p.done[role=status]"), StringComparison.Ordinal);
        Assert.Contains("revoked on", await page.Locator("table.api-keys tr", new PageLocatorOptions { HasText = name }).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(secret));
    }

    [Fact]
    public async Task Only_an_admin_reaches_the_page_anyone_else_signed_in_gets_404_and_can_make_no_key()
    {
        using var customer = await app.SignedInClientAsync(WebApp.French, "**/portal");
        using var response = await customer.GetAsync("/admin/api-keys");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // A form posted by hand by a customer makes no key (the page's handler is not reached as an admin).
        await using var db = app.Database.CreateContext();
        var before = await db.ApiKeys.CountAsync();
        using var post = await customer.PostAsync("/admin/api-keys", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "make-api-key", ["Input.Name"] = "stolen", ["Input.Scope"] = "admin",
        }));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(before, await db.ApiKeys.CountAsync());

        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        using var signedOut = await anonymous.GetAsync("/admin/api-keys");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith("/signin", signedOut.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "API keys")]
    [InlineData("fr", "Clés d'API")]
    public async Task The_page_has_no_serious_accessibility_violation(string language, string title)
    {
        var page = await app.SignedInPageAsync(Admin, landing: "**/admin");
        await page.GotoAsync("/admin/api-keys");
        // The admin's own choice of language, made with the switch on the page (this browser only).
        await WebApp.SwitchLanguageAsync(page, language);
        Assert.Equal("/admin/api-keys", new Uri(page.Url).AbsolutePath);
        Assert.Equal(title, await page.InnerTextAsync("h1"));
        await page.FillAsync("#key-name", "Axe " + language);
        await page.ClickAsync("form.form button[type=submit]");
        await page.Locator("#new-key").WaitForAsync();
        await WebApp.ScreenshotAsync(page, "axe-api-keys-" + language);

        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    private async Task<HttpStatusCode> StatusWithAsync(string key)
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.GetAsync("/api/v1/accounts?limit=1");
        return response.StatusCode;
    }
}
