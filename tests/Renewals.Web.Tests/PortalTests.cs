using System.Globalization;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data.Model;
using UglyToad.PdfPig;

namespace Renewals.Web.Tests;

/// <summary>The customer web account in a real browser, against the application on a real port.</summary>
[Collection(WebAppGroup.Name)]
public sealed partial class PortalTests(WebApp app)
{
    // Written out here, not taken from the application: the dates a French reader expects.
    private static readonly string[] FrenchMonths =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private static string FrenchDate(NodaTime.LocalDate d) =>
        $"{(d.Day == 1 ? "1er" : d.Day.ToString(CultureInfo.InvariantCulture))} {FrenchMonths[d.Month - 1]} {d.Year}";

    [Fact]
    public async Task French_customer_gets_the_dashboard_in_French_whatever_the_browser_says()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var subscriptions = await db.Subscriptions.Where(s => s.AccountId == account).Select(s => s.Id).ToListAsync();

        var page = await app.SignedInPageAsync(WebApp.French, acceptLanguage: "en-GB");
        await page.GotoAsync("/portal");
        await WebApp.ScreenshotAsync(page, "dashboard-fr");

        Assert.Equal("Vos abonnements", await page.InnerTextAsync("h1"));
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal(subscriptions.Count, await page.Locator("li.card").CountAsync());
        foreach (var id in subscriptions)
        {
            Assert.Equal(1, await page.Locator($"li.card h2 a[href='/portal/subscriptions/{id}']").CountAsync());
        }

        // Every card says what to do now, with the French typography of its question.
        Assert.Equal(subscriptions.Count, await page.Locator("li.card .step").CountAsync());
        Assert.Contains("Que faire maintenant\u00a0?", await page.InnerTextAsync("li.card .step >> nth=0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_draws_each_key_date_of_the_current_term_with_its_state()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account).OrderBy(s => s.Id).FirstAsync();
        var term = await db.Terms.SingleAsync(t => t.SubscriptionId == subscription.Id && t.Number == subscription.CurrentTermNumber);
        var rows = (await db.Milestones.Where(m => m.SubscriptionId == subscription.Id && m.TermNumber == subscription.CurrentTermNumber).ToListAsync())
            .OrderBy(m => m.Date).ThenBy(m => m.Kind).ToList();

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync($"/portal/subscriptions/{subscription.Id}");
        await WebApp.ScreenshotAsync(page, "timeline-fr");

        Assert.Equal($"Abonnement {subscription.Id}", await page.InnerTextAsync("h1"));
        Assert.Equal(1, await page.Locator("svg.timeline").CountAsync());
        Assert.Equal(rows.Count, await page.Locator("svg.timeline circle").CountAsync());
        var items = page.Locator("ol.keydates li");
        Assert.Equal(rows.Count, await items.CountAsync());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(FrenchDate(rows[i].Date), await items.Nth(i).Locator(".date").InnerTextAsync());
            var state = await items.Nth(i).Locator(".state").InnerTextAsync();
            switch (rows[i].Status)
            {
                case MilestoneStatus.Done:
                    Assert.Equal("fait", state);
                    break;
                case MilestoneStatus.Skipped:
                    Assert.Equal("passée avant l'enregistrement de l'abonnement ici", state);
                    break;
                default:
                    Assert.Contains(state, new[] { "à venir", "aujourd'hui", "en cours" });
                    break;
            }
        }

        // The last key date is the anniversary: the day the stored term ends and the next begins.
        Assert.Equal(FrenchDate(term.End), await items.Nth(rows.Count - 1).Locator(".date").InnerTextAsync());
        Assert.Equal("Date anniversaire et renouvellement", await items.Nth(rows.Count - 1).Locator("strong").InnerTextAsync());
        Assert.Equal($"La période en cours, du {FrenchDate(term.Start)} au renouvellement du {FrenchDate(term.End)}",
            await page.TextContentAsync("svg.timeline title#timeline-title"));
    }

    [Fact]
    public async Task Language_switch_changes_every_word_and_is_kept_for_the_user()
    {
        var page = await app.SignedInPageAsync(WebApp.English, acceptLanguage: "fr-FR");
        await page.GotoAsync("/portal/invoices");
        Assert.Equal("Invoices", await page.InnerTextAsync("h1"));

        await WebApp.SwitchLanguageAsync(page, "fr");
        Assert.Equal("/portal/invoices", new Uri(page.Url).AbsolutePath);
        Assert.Equal("Factures", await page.InnerTextAsync("h1"));
        await WebApp.ScreenshotAsync(page, "invoices-after-switch-fr");
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal("fr", await db.Users.Where(u => u.Email == WebApp.English).Select(u => u.Language).SingleAsync());
        }

        await WebApp.SwitchLanguageAsync(page, "en");
        Assert.Equal("/portal/invoices", new Uri(page.Url).AbsolutePath);
        Assert.Equal("Invoices", await page.InnerTextAsync("h1"));
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal("en", await db.Users.Where(u => u.Email == WebApp.English).Select(u => u.Language).SingleAsync());
        }
    }

    [Fact]
    public async Task Invoice_downloads_as_the_PDF_of_that_invoice()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var invoices = await db.Invoices.Where(i => i.AccountId == account && i.Number != null).Select(i => new { i.Id, i.Number }).ToListAsync();
        Assert.NotEmpty(invoices);

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/invoices");
        await WebApp.ScreenshotAsync(page, "invoices-fr");
        Assert.Equal(invoices.Count, await page.Locator("tbody tr").CountAsync());

        var first = invoices.OrderBy(i => i.Id).First();
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"a[href='/portal/invoices/{first.Id}/pdf']"));
        Assert.Equal($"{first.Number}.pdf", download.SuggestedFilename);
        var path = Path.Combine(app.Folder, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        using var pdf = PdfDocument.Open(path);
        var text = string.Join(" ", pdf.GetPages().Select(p => p.Text));
        Assert.Contains(first.Number!, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Licence_file_downloads_and_verifies_offline_with_the_public_key()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account && s.Status != SubscriptionStatus.Ended)
            .OrderBy(s => s.Id).Select(s => new { s.Id, s.CurrentTermNumber }).FirstAsync();

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/licences");
        await WebApp.ScreenshotAsync(page, "licences-fr");
        var licence = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"a[href='/portal/subscriptions/{subscription.Id}/licence']"));
        Assert.Equal($"licence-{subscription.Id}-term-{subscription.CurrentTermNumber}.lic", licence.SuggestedFilename);
        var file = Path.Combine(app.Folder, licence.SuggestedFilename);
        await licence.SaveAsAsync(file);
        var key = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a[href='/portal/licence-signing-key.pub.pem']"));
        var keyFile = Path.Combine(app.Folder, "downloaded.pub.pem");
        await key.SaveAsAsync(keyFile);

        Assert.Contains($"subscription-id: {subscription.Id}", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var output = new StringWriter();
        var exit = await Cli.RenewalsCli.RunAsync(["licence", "verify", file, "--public-key", keyFile], output, output, NodaTime.SystemClock.Instance);
        Assert.True(exit == 0, output.ToString());

        // One changed character and the same command refuses it.
        var tampered = Path.Combine(app.Folder, "tampered.lic");
        await File.WriteAllTextAsync(tampered, (await File.ReadAllTextAsync(file)).Replace($"subscription-id: {subscription.Id}", $"subscription-id: {subscription.Id}0", StringComparison.Ordinal));
        Assert.NotEqual(0, await Cli.RenewalsCli.RunAsync(["licence", "verify", tampered, "--public-key", keyFile], new StringWriter(), new StringWriter(), NodaTime.SystemClock.Instance));
    }

    [Fact]
    public async Task Another_accounts_subscriptions_invoices_and_licences_answer_404_and_nothing_is_recorded()
    {
        var english = await app.AccountOfAsync(WebApp.English);
        var french = await app.AccountOfAsync(WebApp.French);
        Assert.NotEqual(english, french);
        await using var db = app.Database.CreateContext();
        var theirSubscriptions = await db.Subscriptions.Where(s => s.AccountId == english).Select(s => s.Id).ToListAsync();
        var theirInvoices = await db.Invoices.Where(i => i.AccountId == english && i.Number != null).Select(i => i.Id).ToListAsync();
        var ownSubscription = await db.Subscriptions.Where(s => s.AccountId == french).Select(s => s.Id).FirstAsync();
        var ownInvoice = await db.Invoices.Where(i => i.AccountId == french && i.Number != null).Select(i => i.Id).FirstAsync();
        var theirMessages = await db.Outbox.Where(m => m.AccountId == english).Select(m => m.Id).ToListAsync();
        var theirOrders = await db.PurchaseOrders.CountAsync(p => p.AccountId == english);
        Assert.NotEmpty(theirSubscriptions);
        // The host's workers write to the audit trail meanwhile: their rows are left out.
        var auditBefore = await db.Audit.NotByWorkers().CountAsync();

        var page = await app.SignedInPageAsync(WebApp.French);
        var http = page.Context.APIRequest;
        List<string> theirs = [
            .. theirSubscriptions.Select(id => $"/portal/subscriptions/{id}"),
            .. theirSubscriptions.Select(id => $"/portal/subscriptions/{id}/licence"),
            .. theirSubscriptions.Select(id => $"/portal/subscriptions/{id}/cancel"),
            .. theirInvoices.Select(id => $"/portal/invoices/{id}/pdf"),
            .. theirMessages.Select(id => $"/portal/messages/{id}"),
            .. theirMessages.Select(id => $"/portal/messages/{id}/html"),
            "/portal/subscriptions/987654321", "/portal/subscriptions/987654321/licence", "/portal/invoices/987654321/pdf",
        ];
        foreach (var url in theirs)
        {
            var response = await http.GetAsync(url);
            Assert.True(response.Status == 404, $"{url} answered {response.Status}");
        }

        Assert.Equal(auditBefore, await db.Audit.NotByWorkers().CountAsync());
        Assert.Equal(theirOrders, await db.PurchaseOrders.CountAsync(p => p.AccountId == english));

        // The cancellation form of the customer's own subscription, pointed at another account's: refused (that page
        // has no form to post to: 400), nothing filed.
        await page.GotoAsync($"/portal/subscriptions/{ownSubscription}/cancel");
        if (await page.Locator("#letter").CountAsync() > 0)
        {
            await page.FillAsync("#signed-by", "Pierre Martin");
            await page.SetInputFilesAsync("#letter", new FilePayload { Name = "l.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n%%EOF\n"u8.ToArray() });
            await page.EvaluateAsync($"() => {{ const f = document.querySelector('form.form'); f.removeAttribute('data-enhance'); f.action = '/portal/subscriptions/{theirSubscriptions[0]}/cancel'; }}");
            var posted = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.form button[type=submit]"), r => r.Request.Method == "POST");
            Assert.Contains(posted.Status, new[] { 400, 404 });
        }

        Assert.Equal(0, await db.CancellationNotices.CountAsync(n => n.SignedBy == "Pierre Martin"));

        // The same routes with the customer's own ids answer.
        foreach (var url in new[] { $"/portal/subscriptions/{ownSubscription}", $"/portal/invoices/{ownInvoice}/pdf" })
        {
            Assert.Equal(200, (await http.GetAsync(url)).Status);
        }

        // A fresh tab: the hand-posted form's error answer may still be loading in the first one.
        var fresh = await page.Context.NewPageAsync();
        await fresh.GotoAsync($"/portal/subscriptions/{theirSubscriptions[0]}");
        Assert.Equal("Introuvable", await fresh.InnerTextAsync("h1"));
    }

    [Fact]
    public async Task Visitor_is_sent_to_sign_in_and_every_response_carries_the_security_headers()
    {
        var page = await app.AnonymousPageAsync();
        var response = await page.GotoAsync("/portal/invoices");
        Assert.Matches(new Regex("/signin\\?ReturnUrl=%2Fportal%2Finvoices$"), page.Url);
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("strict-origin-when-cross-origin", headers["referrer-policy"]);
        Assert.Equal("DENY", headers["x-frame-options"]);

        // The keys behind cookies and form tokens live in the database, shared by every instance.
        await using var db = app.Database.CreateContext();
        Assert.True(await db.DataProtectionKeys.AnyAsync());

        // The demo book comes with written notices, filed by its advisors, and their acknowledgements sent.
        Assert.True(await db.CancellationNotices.CountAsync(n => n.SignedBy.StartsWith("Contact ")) > 0);
        Assert.True(await db.Outbox.CountAsync(m => m.Template == "cancellation-acknowledgement" && m.Status == Data.Model.OutboxStatus.Sent) > 0);
    }

    [Fact]
    public async Task Wrong_password_is_refused_in_the_browsers_language_and_five_lock_the_sign_in()
    {
        // The sign-in form is rate-limited per address: this test's tries leave from an address of
        // its own, so what the other tests signed in before cannot use up its window.
        using var client = app.ClientFrom(System.Net.IPAddress.Parse("127.0.0.78"), "fr-FR");
        const string locked = "Trop d'essais infructueux\u00a0: cette connexion est bloquée pendant 15 minutes.";
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            Assert.Equal("Cette adresse électronique et ce mot de passe ne correspondent pas.", await SignInErrorAsync(client, "partner@example.com", "not-the-password"));
        }

        // The fifth failure locks the sign-in; then even the right password is refused.
        Assert.Equal(locked, await SignInErrorAsync(client, "partner@example.com", "still-not-the-password"));
        Assert.Equal(locked, await SignInErrorAsync(client, "partner@example.com", WebApp.Password));
        await using var db = app.Database.CreateContext();
        Assert.NotNull(await db.Users.Where(u => u.Email == "partner@example.com").Select(u => u.LockoutEnd).SingleAsync());
    }

    /// <summary>Posts the sign-in form as a browser would (its antiforgery token and cookie) and reads the error the page answers.</summary>
    private static async Task<string> SignInErrorAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/signin");
        var token = AntiforgeryField().Match(form) is { Success: true } t ? t.Groups["value"].Value : throw new InvalidOperationException("no antiforgery token");
        using var answer = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
        var page = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)answer.StatusCode}: {page}");
        return ErrorParagraph().Match(page) is { Success: true } e ? System.Net.WebUtility.HtmlDecode(e.Groups["text"].Value) : throw new InvalidOperationException("no error shown: " + page);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<p class=\"error\" role=\"alert\">(?<text>[^<]*)</p>")]
    private static partial Regex ErrorParagraph();

    [Fact]
    public async Task Every_customer_page_has_no_serious_or_critical_accessibility_violation()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account).Select(s => s.Id).FirstAsync();

        var anonymous = await app.AnonymousPageAsync();
        await anonymous.GotoAsync("/signin");
        await AssertAccessibleAsync(anonymous, "signin-en");

        foreach (var (email, language) in new[] { (WebApp.French, "fr"), (WebApp.English, "en") })
        {
            var page = await app.SignedInPageAsync(email);
            var own = language == "fr" ? subscription : await db.Subscriptions.Where(s => s.AccountId == db.Users.Where(u => u.Email == email).Select(u => u.AccountId).Single()).Select(s => s.Id).FirstAsync();
            var theirAccount = await app.AccountOfAsync(email);
            var message = await db.Outbox.Where(m => m.AccountId == theirAccount && m.Status == OutboxStatus.Sent).Select(m => m.Id).FirstAsync();
            foreach (var url in new[]
            {
                "/portal", $"/portal/subscriptions/{own}", "/portal/invoices", "/portal/purchase-orders", "/portal/licences",
                "/portal/messages", $"/portal/messages/{message}", "/portal/contacts", $"/portal/subscriptions/{own}/cancel",
            })
            {
                await page.GotoAsync(url);
                await AssertAccessibleAsync(page, $"{language}{url.Replace('/', '-')}");
            }
        }
    }

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe" + name);
        // Axe stays out of the sandboxed frame of a message: it shows the email as sent, where no script runs.
        var result = await page.RunAxeAsync(new Deque.AxeCore.Commons.AxeRunOptions { Iframes = false });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
