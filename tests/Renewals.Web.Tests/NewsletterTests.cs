using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Newsletter;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The monthly newsletter in a real browser over the demo book: an admin writes an issue,
/// previews it in French and English (sandboxed frames) and schedules it in the vendor's zone;
/// a mail client's one-click POST, with no cookie at all, stops the next issue for that contact
/// only (the web host's own pass writes the next issue); consent changed in the web account is
/// recorded with its source; bad input is refused in English and French with nothing stored; axe.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class NewsletterTests(WebApp app)
{
    private const string Admin = "admin@example.com";
    private const string AdminLanding = "**/{,admin}";

    [Fact]
    public async Task The_admin_writes_an_issue_previews_it_in_french_and_english_and_schedules_it()
    {
        var page = await app.SignedInPageAsync(Admin, "en-GB", AdminLanding);
        await page.GotoAsync("/admin/newsletter?culture=en");
        await AssertAccessibleAsync(page, "newsletter-admin-list");
        await page.ClickAsync("a.new-issue");
        await page.WaitForURLAsync("**/admin/newsletter/new");
        await page.FillAsync("#subject-en", "Spring news");
        await page.FillAsync("#subject-fr", "Les nouvelles du printemps");
        await page.FillAsync("#markdown-en", "## Faster renders\n\nThe **Render Farm** is twice as fast. <script>document.title='owned'</script>");
        await page.FillAsync("#markdown-fr", "## Des rendus plus rapides\n\nLa **Render Farm** va deux fois plus vite.");
        await page.ClickAsync("button.preview");
        await page.WaitForSelectorAsync(".preview-en .preview-subject");

        Assert.Equal("Spring news", await page.InnerTextAsync(".preview-en .preview-subject"));
        Assert.Equal("Les nouvelles du printemps", await page.InnerTextAsync(".preview-fr .preview-subject"));
        Assert.Equal("", await page.GetAttributeAsync(".preview-en iframe.preview-html", "sandbox"));
        await Assertions.Expect(page.FrameLocator(".preview-en iframe.preview-html").Locator("h2")).ToHaveTextAsync("Faster renders");
        await Assertions.Expect(page.FrameLocator(".preview-fr iframe.preview-html").Locator("strong")).ToHaveTextAsync("Render Farm");
        await Assertions.Expect(page.FrameLocator(".preview-fr iframe.preview-html").Locator("body")).ToContainTextAsync("Désabonnez-vous");
        Assert.DoesNotContain("<script", await page.GetAttributeAsync(".preview-en iframe.preview-html", "srcdoc") ?? "", StringComparison.OrdinalIgnoreCase);
        await AssertAccessibleAsync(page, "newsletter-admin-preview");
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal(0, await db.NewsletterIssues.CountAsync(i => i.SubjectEn == "Spring news"));
        }

        // Ten days ahead at 09:30 on the vendor's clock (Paris), converted here by .NET's own zone data.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, paris).Date.AddDays(10).AddHours(9).AddMinutes(30);
        var expected = new DateTimeOffset(local, paris.GetUtcOffset(local)).ToUniversalTime();
        await page.FillAsync("#schedule", local.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await page.ClickAsync("button.save");
        await page.WaitForURLAsync(new Regex(@"/admin/newsletter/\d+\?saved=1$"));
        var id = long.Parse(Regex.Match(page.Url, @"/admin/newsletter/(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(
            $"Issue {id} is saved: it goes out on {local.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en"))} at 09:30 (Europe/Paris).",
            await page.InnerTextAsync("p.done"));

        await using var check = app.Database.CreateContext();
        var issue = await check.NewsletterIssues.AsNoTracking().SingleAsync(i => i.Id == id);
        Assert.Equal(("Spring news", "Les nouvelles du printemps", (Instant?)Instant.FromDateTimeOffset(expected), (Instant?)null),
            (issue.SubjectEn, issue.SubjectFr, issue.ScheduledAt, issue.QueuedAt));
        var audit = await check.Audit.AsNoTracking().Where(a => a.Entity == "newsletter-issue" && a.EntityId == id).SingleAsync();
        Assert.Equal(("admin:admin@example.com", "newsletter.issue-created"), (audit.Actor, audit.Action));

        await page.GotoAsync("/admin/newsletter");
        Assert.Equal("Scheduled", await page.InnerTextAsync($"tr[data-issue='{id}'] td.state"));
        await page.GotoAsync($"/admin/newsletter/{id}?culture=fr");
        await AssertAccessibleAsync(page, "newsletter-admin-issue-fr");
    }

    [Fact]
    public async Task A_one_click_unsubscribe_post_without_cookies_stops_the_next_issue_for_that_contact_only()
    {
        long leaving, staying, clicking;
        await using (var db = app.Database.CreateContext())
        {
            var ids = await db.Contacts.OrderByDescending(c => c.Id).Select(c => c.Id).Take(3).ToListAsync();
            (leaving, staying, clicking) = (ids[0], ids[1], ids[2]);
            var consents = new NewsletterConsentService(db, SystemClock.Instance);
            foreach (var contact in ids)
            {
                await consents.SetAsync(new Actor.Admin("newsletter-test"), contact, true, ConsentSources.Admin);
            }
        }

        // The first issue, sent now by the operator (as `renewals newsletter send --issue` does).
        long first;
        await using (var db = app.Database.CreateContext())
        {
            var service = Newsletters(db);
            var issue = await service.SaveAsync(new Actor.Admin("newsletter-test"), null, new NewsletterDraft(
                "First", "Premier", "First issue", "Premier numéro", DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)));
            first = issue.Id;
            var sent = Assert.Single((await service.SendDueAsync(new Actor.OperatorConsole(), first)).Issues);
            Assert.True(sent.Queued >= 3);
        }

        string leavingToken, clickingToken;
        await using (var db = app.Database.CreateContext())
        {
            var tokens = await db.NewsletterDeliveries.AsNoTracking().Where(d => d.IssueId == first).ToDictionaryAsync(d => d.ContactId, d => d.Token);
            (leavingToken, clickingToken) = (tokens[leaving], tokens[clicking]);
        }

        // A mail client's POST: no cookie, no antiforgery token, the RFC 8058 body.
        using (var mailClient = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) })
        {
            var answer = await mailClient.PostAsync($"/newsletter/unsubscribe/{leavingToken}",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var forged = await mailClient.PostAsync($"/newsletter/unsubscribe/{leavingToken[..^2]}zz",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }

        // The link in the body opens a page with a button; no sign-in either.
        var page = await app.AnonymousPageAsync("fr-FR");
        await page.GotoAsync($"/newsletter/unsubscribe/{clickingToken}?culture=fr");
        await AssertAccessibleAsync(page, "newsletter-unsubscribe-fr");
        await page.ClickAsync("form.unsubscribe button");
        await page.WaitForSelectorAsync("p.notice");
        Assert.Contains("ne reçoit plus la lettre", await page.InnerTextAsync("p.notice"), StringComparison.Ordinal);

        await using (var db = app.Database.CreateContext())
        {
            var latest = await db.NewsletterConsents.AsNoTracking().Where(c => c.ContactId == leaving || c.ContactId == clicking)
                .GroupBy(c => c.ContactId).Select(g => g.OrderByDescending(c => c.Id).First()).ToListAsync();
            Assert.Equal([(clicking, false, "unsubscribe-link"), (leaving, false, "one-click")],
                latest.OrderBy(c => c.ContactId).Select(c => (c.ContactId, c.Subscribed, c.Source)));

            // The next issue falls due: the web host's own pass writes it, for the contact who stayed only.
            db.NewsletterIssues.Add(new NewsletterIssue
            {
                SubjectEn = "Second", SubjectFr = "Deuxième", MarkdownEn = "Second issue", MarkdownFr = "Deuxième numéro",
                ScheduledAt = SystemClock.Instance.GetCurrentInstant() - Duration.FromMinutes(1),
                CreatedAt = SystemClock.Instance.GetCurrentInstant(), UpdatedAt = SystemClock.Instance.GetCurrentInstant(), CreatedBy = "admin:newsletter-test",
            });
            await db.SaveChangesAsync();
        }

        var second = await WaitForAsync(async db =>
        {
            var issue = await db.NewsletterIssues.AsNoTracking().Where(i => i.SubjectEn == "Second").SingleAsync();
            return issue.QueuedAt is null ? null : (long?)issue.Id;
        });
        await using var check = app.Database.CreateContext();
        var recipients = await check.NewsletterDeliveries.AsNoTracking().Where(d => d.IssueId == second).Select(d => d.ContactId).ToListAsync();
        Assert.Contains(staying, recipients);
        Assert.DoesNotContain(leaving, recipients);
        Assert.DoesNotContain(clicking, recipients);
        var written = await check.Outbox.AsNoTracking().SingleAsync(m => m.ContactId == staying && m.MessageId == $"<newsletter.i{second}.c{staying}@renewals>");
        Assert.Equal(MessageKindsNewsletter, written.Template);
        Assert.Equal(1, await check.NewsletterDeliveries.CountAsync(d => d.IssueId == first && d.ContactId == leaving));
    }

    [Theory]
    [InlineData("en-GB", WebApp.English, "en")]
    [InlineData("fr-FR", WebApp.French, "fr")]
    public async Task Consent_changed_in_the_web_account_is_recorded_with_its_source_and_the_page_passes_axe(string locale, string customer, string culture)
    {
        var page = await app.SignedInPageAsync(customer, locale);
        await page.GotoAsync($"/portal/newsletter?culture={culture}");
        await AssertAccessibleAsync(page, "newsletter-portal-" + culture);
        long contact;
        await using (var db = app.Database.CreateContext())
        {
            var account = await app.AccountOfAsync(customer);
            contact = await db.Contacts.Where(c => c.AccountId == account).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        }

        var row = page.Locator($"tr[data-contact='{contact}']");
        var before = await row.Locator("td.state").InnerTextAsync();
        await row.Locator("button").ClickAsync();
        await page.WaitForSelectorAsync("p.notice");
        var after = await page.Locator($"tr[data-contact='{contact}'] td.state").InnerTextAsync();
        Assert.NotEqual(before, after);

        await using var check = app.Database.CreateContext();
        var latest = await check.NewsletterConsents.AsNoTracking().Where(c => c.ContactId == contact).OrderByDescending(c => c.Id).FirstAsync();
        Assert.Equal(("portal", "customer:" + customer), (latest.Source, latest.Actor));
        Assert.Equal(after == (culture == "fr" ? "Abonné" : "Subscribed"), latest.Subscribed);
        // Another account's contact is out of reach: the customer cannot post for it (404, nothing recorded) — checked in Core.
    }

    [Theory]
    [InlineData("en", "subject", "Give the issue a subject in English and in French (at most 200 characters each).")]
    [InlineData("fr", "subject", "Donnez à la lettre un objet en anglais et en français (200 caractères au plus chacun).")]
    [InlineData("en", "long", "An issue's text may have at most 20000 characters in each language; one of them has 20001.")]
    [InlineData("fr", "long", "Le texte d'une lettre compte au plus 20000 caractères dans chaque langue ; l'un d'eux en compte 20001.")]
    [InlineData("en", "past", "1 March 2020 at 09:00 has already passed: choose a later time to send the issue.")]
    [InlineData("fr", "past", "Le 1er mars 2020 à 09:00 est déjà passé : choisissez un moment plus tardif pour envoyer la lettre.")]
    public async Task Bad_input_is_refused_in_the_admins_language_and_nothing_is_stored(string culture, string fault, string message)
    {
        await using var db = app.Database.CreateContext();
        var issues = await db.NewsletterIssues.CountAsync();
        var page = await app.SignedInPageAsync(Admin, "en-GB", AdminLanding);
        await page.GotoAsync($"/admin/newsletter/new?culture={culture}");
        await page.FillAsync("#subject-en", fault == "subject" ? "" : "Refused");
        await page.FillAsync("#subject-fr", "Refusé");
        await page.FillAsync("#markdown-en", "Text");
        await page.FillAsync("#markdown-fr", fault == "long" ? new string('a', 20001) : "Texte");
        await page.FillAsync("#schedule", fault == "past" ? "2020-03-01T09:00" : "2099-03-01T09:00");
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.refusal");

        Assert.Equal(message, Spaces().Replace(await page.InnerTextAsync("p.refusal"), " "));
        Assert.Equal(issues, await db.NewsletterIssues.CountAsync());
        Assert.Equal(0, await db.NewsletterIssues.CountAsync(i => i.SubjectFr == "Refusé"));
        // The admin's text is kept in the form, to be fixed.
        Assert.Equal("Refusé", await page.InputValueAsync("#subject-fr"));
    }

    private const string MessageKindsNewsletter = "newsletter";

    private static NewsletterService Newsletters(RenewalsDbContext db) => new(
        db, SystemClock.Instance, new Core.Messaging.MessageRenderer(Core.Messaging.TemplateLibrary.FromSetting(null)), new Core.Messaging.DeliveryOptions(), Core.Invoicing.Seller.Default);

    /// <summary>Polls the database until <paramref name="probe"/> answers, for as long as two passes of the web host's workers take.</summary>
    private async Task<long> WaitForAsync(Func<RenewalsDbContext, Task<long?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            await using (var db = app.Database.CreateContext())
            {
                if (await probe(db) is { } found)
                {
                    return found;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "The web host did not send the due issue in time:\n" + app.Log[^Math.Min(app.Log.Length, 4000)..]);
            await Task.Delay(500);
        }
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        // Axe stays out of the sandboxed preview frames: they show the email as sent, where no script runs.
        var result = await page.RunAxeAsync(new Deque.AxeCore.Commons.AxeRunOptions { Iframes = false });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
