using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Renewals.Web.Tests;

/// <summary>
/// Message templates administered in the browser: the admin previews a change on sample data,
/// a template that does not parse is refused with its line and the stored one stays as it was,
/// saves make versions, an earlier one is restored, and every write is in the audit rows.
/// Only an administrator reaches the pages; anyone else gets the 404 of a page that does not exist.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class TemplateAdminTests(WebApp app)
{
    private const string Admin = "admin@example.com";

    // The admin lands on the home page (or on /admin once the administration has one).
    private const string AdminLanding = "**/{,admin}";

    // Credit notes are not sent by any web test, so editing them here changes no other test's mail.
    private const string Kind = "credit-note";
    private const string Edit = "/admin/templates/en/credit-note";

    private static readonly string[] Routes = ["/admin/templates", Edit, "/admin/templates/fr/_layout"];

    [Fact]
    public async Task Only_an_administrator_reaches_the_template_pages_and_others_get_404()
    {
        using var admin = await app.SignedInClientAsync(Admin, AdminLanding);
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var advisor = await app.SignedInClientAsync("advisor@example.com", "**/advisor");
        using var partner = await app.SignedInClientAsync("partner@example.com", "**/partner");
        foreach (var route in Routes)
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await admin.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await partner.GetAsync(route)).StatusCode));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/templates/en/no-such-kind")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/templates/de/reminder")).StatusCode);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var answer = await anonymous.GetAsync("/admin/templates");
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith("/signin", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_previews_a_change_is_refused_a_broken_template_with_its_line_saves_restores_and_finds_it_in_the_audit_rows()
    {
        await using var db = app.Database.CreateContext();
        int Versions() => db.MessageTemplateVersions.Count(v => v.Kind == Kind && v.Language == "en");
        Assert.Equal(0, Versions());

        var page = await app.SignedInPageAsync(Admin, "en-GB", AdminLanding);
        await page.GotoAsync("/admin/templates");
        await page.ClickAsync("table.templates[data-language=en] a[href='/admin/templates/en/credit-note']");
        await page.WaitForURLAsync("**" + Edit);
        await page.WaitForSelectorAsync("#part-subject");
        Assert.Equal("Credit note, in English", await page.InnerTextAsync("h1"));

        // Preview: the draft rendered on the sample customer of MessageSamples, nothing stored.
        await page.FillAsync("#part-subject", "Credit note {{ credit_note.number }} for {{ account.name }}");
        await page.ClickAsync("button.preview");
        await page.WaitForSelectorAsync(".preview-subject");
        Assert.Equal("Credit note CN-2030-000003 for Northwind Analytics Ltd", await page.InnerTextAsync(".preview-subject"));
        Assert.Equal("", await page.GetAttributeAsync("iframe.preview-html", "sandbox"));
        // The HTML part is shown as the recipient sees it, inside the frame.
        await Assertions.Expect(page.FrameLocator("iframe.preview-html").Locator("body")).ToContainTextAsync("Hello Alex Morgan,");
        await page.Locator("iframe.preview-html").ScrollIntoViewIfNeededAsync();
        await WebApp.ScreenshotAsync(page, "admin-template-preview-frame", fullPage: false);
        await WebApp.ScreenshotAsync(page, "admin-template-preview");
        Assert.Equal(0, Versions());

        // A broken HTML part: refused with its line, nothing stored, the text kept in the form to fix.
        var html = await page.InputValueAsync("#part-html");
        await page.FillAsync("#part-html", "<p>Credit note</p>\n<p>{{ credit_note.number }}</p>\n{% if credit_note.total > %}\n<p>paid</p>\n{% endif %}\n");
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.refusal");
        Assert.StartsWith("The HTML part has a syntax error at line 3, column ", await page.InnerTextAsync("p.refusal"), StringComparison.Ordinal);
        Assert.Contains("Nothing was saved: the template in use is unchanged.", await page.InnerTextAsync("div.error"), StringComparison.Ordinal);
        await WebApp.ScreenshotAsync(page, "admin-template-refused");
        Assert.Equal(0, Versions());

        // Fixed: the subject is saved as version 1 (the HTML part, as shipped, adds no version).
        await page.FillAsync("#part-html", html);
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal("Saved: Subject, version 1.", await page.InnerTextAsync("p.done"));
        Assert.Equal("Credit note CN-2030-000003 for Northwind Analytics Ltd", await page.InnerTextAsync(".preview-subject"));

        await page.FillAsync("#part-subject", "Your credit note {{ credit_note.number }}");
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal("Saved: Subject, version 2.", await page.InnerTextAsync("p.done"));

        // Version 1 restored: a third version, in use, copying the first.
        await page.ClickAsync("table.versions[data-part=subject] tr[data-version='1'] form.restore button");
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal("Version 1 restored: it is in use again, as version 3.", await page.InnerTextAsync("p.done"));
        Assert.Equal("Credit note {{ credit_note.number }} for {{ account.name }}", await page.InputValueAsync("#part-subject"));
        Assert.Equal(["3", "2", "1"], await page.Locator("table.versions[data-part=subject] tbody tr td:first-child").AllInnerTextsAsync());
        Assert.Equal("in use, copy of version 1", await page.InnerTextAsync("table.versions[data-part=subject] tr[data-version='3'] td:nth-child(4)"));
        await WebApp.ScreenshotAsync(page, "admin-template-restored");

        var stored = await db.MessageTemplateVersions.AsNoTracking().Where(v => v.Kind == Kind && v.Language == "en").OrderBy(v => v.Number).ToListAsync();
        Assert.Equal([(1, "subject", (int?)null), (2, "subject", null), (3, "subject", 1)], stored.Select(v => (v.Number, v.Part, v.RestoredFrom)));
        Assert.Equal(stored[0].Body, stored[2].Body);
        var ids = stored.Select(v => v.Id).ToList();
        var audit = await db.Audit.AsNoTracking().Where(a => a.Entity == "message-template" && ids.Contains(a.EntityId)).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(
            [("admin:admin@example.com", "template.saved", "en/credit-note.subject version 1"),
             ("admin:admin@example.com", "template.saved", "en/credit-note.subject version 2"),
             ("admin:admin@example.com", "template.restored", "en/credit-note.subject version 3, copy of version 1")],
            audit.Select(a => (a.Actor, a.Action, a.Details)));

        // The same writes, found in the administration's audit trail by their actor.
        await page.GotoAsync("/admin/audit");
        await page.FillAsync("#actor", "admin:admin@example.com");
        await page.ClickAsync("form.search button[type=submit]");
        await page.WaitForURLAsync("**/admin/audit?*actor=*");
        var found = (await page.Locator("table.audit tbody tr td.action").AllInnerTextsAsync())
            .Zip(await page.Locator("table.audit tbody tr td.entity").AllInnerTextsAsync()).ToList();
        Assert.Contains(("template.saved", $"message-template {stored[1].Id}"), found);
        Assert.Contains(("template.restored", $"message-template {stored[2].Id}"), found);
    }

    [Fact]
    public async Task The_template_pages_have_no_serious_accessibility_violation_in_both_languages()
    {
        foreach (var language in new[] { "en", "fr" })
        {
            var page = await app.SignedInPageAsync(Admin, "en-GB", AdminLanding);
            await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);
            foreach (var route in Routes)
            {
                await page.GotoAsync(route);
                if (route != "/admin/templates")
                {
                    // With the preview shown: its frame needs a name too.
                    await page.ClickAsync("button.preview");
                    await page.WaitForSelectorAsync("iframe.preview-html");
                }

                await WebApp.ScreenshotAsync(page, "axe-" + language + route.Replace('/', '-'));
                // Axe stays out of the sandboxed frame: it shows the email as sent, where no script runs.
                var result = await page.RunAxeAsync(new Deque.AxeCore.Commons.AxeRunOptions { Iframes = false });
                var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
                Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
            }
        }
    }
}
