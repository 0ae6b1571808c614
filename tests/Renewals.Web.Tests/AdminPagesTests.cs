using System.Globalization;
using System.Net;
using System.Reflection;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// The administration (/admin) in a real browser over the demo book: only an administrator
/// reaches it, every page passes axe, and the administrator's main errands (retry a dead
/// letter and find it in the audit trail, add and edit a product, put an account in an
/// advisor's book, preview a policy) change what they should and nothing else.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class AdminPagesTests(WebApp app)
{
    private const string Admin = "admin@example.com";
    private const string AdminActor = "admin:admin@example.com";
    private const string Advisor = "advisor@example.com";
    private const string Partner = "partner@example.com";

    /// <summary>
    /// Every administration route, in one place: each page's template and the address the tests
    /// open for it (with ids that exist, so a 404 is about who asks). A page anywhere in the web
    /// application whose route starts with /admin and has no line here fails
    /// <see cref="Every_admin_page_is_in_the_route_list"/>.
    /// </summary>
    private async Task<Dictionary<string, string>> AdminRoutesAsync()
    {
        await using var db = app.Database.CreateContext();
        var product = await db.Products.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        var policy = await db.Policies.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
        var contract = await db.PartnerContracts.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        var webhook = await db.WebhookEndpoints.OrderBy(w => w.Id).Select(w => (long?)w.Id).FirstOrDefaultAsync();
        if (webhook is null)
        {
            var endpoint = new Data.Model.WebhookEndpoint
            {
                Url = "http://127.0.0.1:9/hooks", Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", EventTypes = "invoice.issued", Enabled = false,
            };
            db.WebhookEndpoints.Add(endpoint);
            await db.SaveChangesAsync();
            webhook = endpoint.Id;
        }

        var issue = await db.NewsletterIssues.OrderBy(i => i.Id).Select(i => (long?)i.Id).FirstOrDefaultAsync();
        if (issue is null)
        {
            var draft = new Data.Model.NewsletterIssue { SubjectEn = "Routes", SubjectFr = "Routes", MarkdownEn = "Routes", MarkdownFr = "Routes", CreatedBy = "admin:routes" };
            db.NewsletterIssues.Add(draft);
            await db.SaveChangesAsync();
            issue = draft.Id;
        }

        var conference = await db.ConferenceEvents.OrderBy(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync();
        if (conference is null)
        {
            var row = new Data.Model.ConferenceEvent
            {
                Name = "Admin routes summit", City = "Lyon", VenueName = "Cité internationale", VenueAddress = "50 quai Charles de Gaulle\n69006 Lyon",
                TimeZoneId = "Europe/Paris", StartsOn = new NodaTime.LocalDate(2027, 6, 15), EndsOn = new NodaTime.LocalDate(2027, 6, 16),
            };
            db.ConferenceEvents.Add(row);
            await db.SaveChangesAsync();
            conference = row.Id;
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/admin"] = "/admin",
            ["/admin/products"] = "/admin/products",
            ["/admin/products/{Id:long}"] = $"/admin/products/{product}",
            ["/admin/policies"] = "/admin/policies",
            ["/admin/policies/{Id:long}"] = $"/admin/policies/{policy}",
            ["/admin/partners"] = "/admin/partners",
            ["/admin/partners/contracts/{Id:long}"] = $"/admin/partners/contracts/{contract}",
            ["/admin/advisors"] = "/admin/advisors",
            ["/admin/users"] = "/admin/users",
            ["/admin/outbox"] = "/admin/outbox",
            ["/admin/audit"] = "/admin/audit",
            ["/admin/templates"] = "/admin/templates",
            ["/admin/templates/{Language}/{Kind}"] = "/admin/templates/fr/reminder",
            ["/admin/webhooks"] = "/admin/webhooks",
            ["/admin/webhooks/{Id:long}"] = $"/admin/webhooks/{webhook}",
            ["/admin/api-keys"] = "/admin/api-keys",
            ["/admin/import"] = "/admin/import",
            ["/admin/feedback"] = "/admin/feedback",
            ["/admin/newsletter"] = "/admin/newsletter",
            ["/admin/newsletter/new"] = "/admin/newsletter/new",
            ["/admin/newsletter/{Id:long}"] = $"/admin/newsletter/{issue}",
            ["/admin/events"] = "/admin/events",
            ["/admin/events/{Id:long}"] = $"/admin/events/{conference}",
            ["/admin/subscriptions/{Id:long}/amend"] = $"/admin/subscriptions/{await db.Subscriptions.OrderBy(s => s.Id).Select(s => s.Id).FirstAsync()}/amend",
        };
    }

    [Fact]
    public async Task Every_admin_page_is_in_the_route_list()
    {
        var templates = typeof(Components.Admin.AdminPage).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>()).Select(r => r.Template)
            .Where(t => t == "/admin" || t.StartsWith("/admin/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal((await AdminRoutesAsync()).Keys.Order(StringComparer.Ordinal), templates);
    }

    [Fact]
    public async Task Only_an_administrator_reaches_the_admin_routes_others_get_404_and_nobody_signed_in_is_sent_to_sign_in()
    {
        var routes = (await AdminRoutesAsync()).Values.ToList();
        using var admin = await app.SignedInClientAsync(Admin, "**/admin");
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        using var partner = await app.SignedInClientAsync(Partner, "**/partner");
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var route in routes)
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await admin.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await partner.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
            var answer = await anonymous.GetAsync(route);
            Assert.Equal((route, HttpStatusCode.Redirect), (route, answer.StatusCode));
            Assert.StartsWith("/signin", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        // Ids that do not exist answer 404 to the administrator too.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/products/999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/policies/999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/partners/contracts/999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/events/999999999")).StatusCode);
    }

    [Fact]
    public async Task The_admin_retries_a_dead_letter_and_finds_the_retry_in_the_audit_trail_filtered_by_actor()
    {
        await using var db = app.Database.CreateContext();
        var message = await db.Outbox.Where(m => m.Status == OutboxStatus.Sent).OrderBy(m => m.Id).FirstAsync();
        message.Status = OutboxStatus.DeadLettered;
        message.LastError = "550 5.1.1 mailbox unavailable (made by the admin test)";
        message.Attempts = 5;
        await db.SaveChangesAsync();

        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin");
        await page.ClickAsync("a[href='/admin/outbox?status=DeadLettered']");
        await page.WaitForURLAsync("**/admin/outbox?status=DeadLettered");
        var row = page.Locator($"#message-{message.Id}");
        Assert.Equal("550 5.1.1 mailbox unavailable (made by the admin test)", await row.Locator("td.last-error").InnerTextAsync());
        await row.Locator("button.retry").ClickAsync();
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal($"Message {message.Id} is back in line.", await page.InnerTextAsync("p.done"));
        await using (var check = app.Database.CreateContext())
        {
            Assert.NotEqual(OutboxStatus.DeadLettered, await check.Outbox.Where(m => m.Id == message.Id).Select(m => m.Status).SingleAsync());
        }

        await page.GotoAsync("/admin/audit");
        await page.FillAsync("#actor", AdminActor);
        await page.ClickAsync("form.search button[type=submit]");
        await page.WaitForURLAsync("**/admin/audit?*actor=*");
        await WebApp.ScreenshotAsync(page, "admin-audit-by-actor");
        var actions = await page.Locator("table.audit tbody tr td.action").AllInnerTextsAsync();
        var entities = await page.Locator("table.audit tbody tr td.entity").AllInnerTextsAsync();
        Assert.Contains(("message.retry", $"outbox {message.Id}"), actions.Zip(entities));
        Assert.All(await page.Locator("table.audit tbody tr td.actor").AllInnerTextsAsync(), a => Assert.Equal(AdminActor, a));
    }

    [Fact]
    public async Task The_admin_adds_a_product_then_edits_it_and_a_price_that_is_no_number_stores_nothing()
    {
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin/products");
        await page.FillAsync("form.add-product #code", "ADM-TEST");
        await page.FillAsync("form.add-product #name", "Admin test product");
        await page.FillAsync("form.add-product #family", "Admin tests");
        await page.FillAsync("form.add-product #price", "900");
        await page.FillAsync("form.add-product #currency", "EUR");
        await page.ClickAsync("form.add-product button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await using var db = app.Database.CreateContext();
        var id = await db.Products.Where(p => p.Code == "ADM-TEST").Select(p => p.Id).SingleAsync();

        await page.GotoAsync($"/admin/products/{id}");
        await page.FillAsync("#price", "douze");
        await page.ClickAsync("form.edit-product button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("'douze' is not a price: write a number such as 1200.50.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("#price", "1250.50");
        await page.FillAsync("#currency", "EURO");
        await page.ClickAsync("form.edit-product button[type=submit]");
        await page.WaitForSelectorAsync("p.error >> text='EURO' is not a currency code (three letters, such as EUR).");
        var unchanged = await db.Products.AsNoTracking().SingleAsync(p => p.Id == id);
        Assert.Equal((900m, "Admin test product"), (unchanged.YearlyUnitPrice!.Value, unchanged.Name));

        await page.FillAsync("#name", "Admin test product, renamed");
        await page.FillAsync("#family", "Admin tests 2");
        await page.FillAsync("#price", "1250.50");
        await page.FillAsync("#currency", "chf");
        await page.ClickAsync("form.edit-product button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await WebApp.ScreenshotAsync(page, "admin-product-edited");
        var row = await db.Products.AsNoTracking().Include(p => p.Family).SingleAsync(p => p.Id == id);
        Assert.Equal(("Admin test product, renamed", "Admin tests 2", 1250.50m, "CHF"), (row.Name, row.Family!.Name, row.YearlyUnitPrice!.Value, row.Currency));
        Assert.Equal("Admin tests 2", await page.InnerTextAsync("dd.family"));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Action == "product.changed" && a.EntityId == id).Select(a => a.Actor).ToListAsync();
        Assert.Equal([AdminActor], audit);
    }

    [Fact]
    public async Task The_admin_assigns_an_account_to_the_demo_advisor_who_then_sees_it_in_the_workspace()
    {
        await using var db = app.Database.CreateContext();
        var advisor = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId != advisor).OrderByDescending(a => a.Id).Select(a => a.Id).FirstAsync();
        var before = await db.Accounts.Where(a => a.Id == account).Select(a => a.AdvisorId).SingleAsync();

        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin/advisors");
        await page.FillAsync("form.assign #account", "12ab");
        await page.ClickAsync("form.assign button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("'12ab' is not an account number: write digits only.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("form.assign #account", account.ToString(CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("form.assign #advisor", advisor.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("form.assign button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal(advisor, await db.Accounts.Where(a => a.Id == account).Select(a => a.AdvisorId).SingleAsync());
        var audit = await db.Audit.AsNoTracking().Where(a => a.Action == "account.advisor-assigned" && a.EntityId == account).ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Equal((AdminActor, $"advisor {before?.ToString(CultureInfo.InvariantCulture) ?? "none"} -> {advisor}"), (entry.Actor, entry.Details));

        // The trail filtered by that account shows the assignment, by the administrator.
        await page.GotoAsync($"/admin/audit?account={account}");
        var assigned = page.Locator("table.audit tbody tr", new PageLocatorOptions { HasText = "account.advisor-assigned" });
        Assert.Equal(1, await assigned.CountAsync());
        Assert.Equal(AdminActor, await assigned.Locator("td.actor").InnerTextAsync());

        var workspace = await app.SignedInPageAsync(Advisor, "en-GB", "**/advisor");
        await workspace.GotoAsync("/advisor");
        Assert.Equal(1, await workspace.Locator($"a[href='/advisor/accounts/{account}']").CountAsync());
        Assert.Equal(200, (await workspace.GotoAsync($"/advisor/accounts/{account}"))!.Status);
    }

    [Fact]
    public async Task The_admin_previews_a_policy_change_on_a_sample_start_and_nothing_is_stored_until_saved()
    {
        await using var db = app.Database.CreateContext();
        var policy = await db.Policies.AsNoTracking().OrderBy(p => p.Id).FirstAsync();
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync($"/admin/policies/{policy.Id}");
        await page.FillAsync("#check-in", "30");
        await page.FillAsync("#sample", "2027-01-15");
        await page.ClickAsync("button.preview");
        await page.WaitForSelectorAsync("table.preview");
        await WebApp.ScreenshotAsync(page, "admin-policy-preview");
        // Worked out by hand: 15 January 2027 plus 90 days is 15 April, plus 30 days 14 February.
        var checkIn = page.Locator("table.preview tbody tr", new PageLocatorOptions { HasText = "Check-in" }).First;
        var cells = await checkIn.Locator("td").AllInnerTextsAsync();
        Assert.Equal(90, policy.CheckInDays);
        Assert.Equal("15 April 2027", cells[0]);
        Assert.StartsWith("14 February 2027", cells[1], StringComparison.Ordinal);
        Assert.Equal(policy.CheckInDays, await db.Policies.AsNoTracking().Where(p => p.Id == policy.Id).Select(p => p.CheckInDays).SingleAsync());

        await page.FillAsync("#notice", "four hundred");
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("'four hundred' is not a number of days: write a whole number such as 60.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("#notice", "400");
        await page.ClickAsync("button.save");
        await page.WaitForSelectorAsync("p.error >> text=The notice period must be between 1 and 364 days so that it fits in a 12-month term, not 400.");
        Assert.Equal(policy.NoticeDays, await db.Policies.AsNoTracking().Where(p => p.Id == policy.Id).Select(p => p.NoticeDays).SingleAsync());
    }

    [Fact]
    public async Task The_admin_invites_a_contact_through_the_outbox_and_a_staff_advisor_who_follows_the_link_then_locks_and_unlocks_that_sign_in()
    {
        await using var db = app.Database.CreateContext();
        var demoAccounts = await db.Users.Where(u => u.AccountId != null).Select(u => u.AccountId!.Value).ToListAsync();
        var contact = await db.Contacts.AsNoTracking().Where(c => !demoAccounts.Contains(c.AccountId) && !db.Users.Any(u => u.Email == c.Email))
            .OrderByDescending(c => c.AccountId).FirstAsync();
        var advisor = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();

        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin/users");
        await page.FillAsync("form.invite-contact #contact-account", contact.AccountId.ToString(CultureInfo.InvariantCulture));
        await page.FillAsync("form.invite-contact #contact-email", "nobody@nowhere.example");
        await page.ClickAsync("form.invite-contact button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("This account has no contact with that email address.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("form.invite-contact #contact-account", contact.AccountId.ToString(CultureInfo.InvariantCulture));
        await page.FillAsync("form.invite-contact #contact-email", contact.Email.ToUpperInvariant());
        await page.ClickAsync("form.invite-contact button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        var invited = await db.Users.AsNoTracking().SingleAsync(u => u.Email == contact.Email);
        Assert.Equal(contact.AccountId, invited.AccountId);
        Assert.Equal(contact.Email, (await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == "web-invitation" && m.ContactId == contact.Id)).ToEmail);

        const string staff = "new.advisor@vendor.example";
        await page.FillAsync("form.invite-staff #staff-email", staff);
        await page.SelectOptionAsync("form.invite-staff #staff-role", WebRoles.Advisor);
        await page.SelectOptionAsync("form.invite-staff #staff-advisor", advisor.ToString(CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("form.invite-staff #staff-language", "en");
        await page.ClickAsync("form.invite-staff button[type=submit]");
        await page.WaitForSelectorAsync("p.invitation-link code");
        var link = await page.InnerTextAsync("p.invitation-link code");
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == staff);
        Assert.Equal((advisor, (string?)null), (user.AdvisorId!.Value, user.PasswordHash));
        Assert.StartsWith($"{app.BaseUrl}/account/invitation?user={user.Id}&token=", link, StringComparison.Ordinal);

        var newcomer = await app.AnonymousPageAsync();
        await newcomer.GotoAsync(link);
        await newcomer.FillAsync("#password", "Glycine-en-mai-2029");
        await newcomer.FillAsync("#confirm", "Glycine-en-mai-2029");
        await newcomer.ClickAsync("form.form button[type=submit]");
        await newcomer.WaitForURLAsync("**/advisor");

        await page.GotoAsync("/admin/users");
        await page.ClickAsync($"#user-{user.Id} button.lock");
        await page.WaitForSelectorAsync($"#user-{user.Id} button.unlock");
        Assert.Equal("locked", await page.InnerTextAsync($"#user-{user.Id} td.state"));
        Assert.NotNull(await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.LockoutEnd).SingleAsync());
        // No sign-in is tried here: the sign-in form is rate-limited for the whole test run (Identity's lockout refuses a locked user).

        await page.ClickAsync($"#user-{user.Id} button.unlock");
        await page.WaitForSelectorAsync($"#user-{user.Id} button.lock");
        Assert.Equal("active", await page.InnerTextAsync($"#user-{user.Id} td.state"));
        Assert.Null(await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.LockoutEnd).SingleAsync());
        var audit = await db.Audit.AsNoTracking().Where(a => a.Entity == "web-user" && (a.EntityId == user.Id || a.EntityId == invited.Id)).OrderBy(a => a.Id)
            .Select(a => new { a.Actor, a.Action }).ToListAsync();
        Assert.Equal(["web-user.invited", "web-user.invited", "web-user.locked", "web-user.unlocked"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(AdminActor, a.Actor));
    }

    [Fact]
    public async Task The_admin_adds_a_partner_contract_and_changes_its_notice_and_an_advisor()
    {
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.GotoAsync("/admin/partners");
        await page.FillAsync("form.add-contract #partner", "Admin Test Resellers");
        await page.FillAsync("form.add-contract #email", "renewals@admin-test.example");
        await page.FillAsync("form.add-contract #notice", "90");
        await page.ClickAsync("form.add-contract button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await using var db = app.Database.CreateContext();
        var contract = await db.PartnerContracts.AsNoTracking().SingleAsync(c => c.Partner!.Name == "Admin Test Resellers");
        Assert.Equal((90, false), (contract.NoticeDays, contract.CancellationFiledByPartnerOnly));

        await page.GotoAsync($"/admin/partners/contracts/{contract.Id}");
        await page.FillAsync("form.edit-contract #notice", "365");
        await page.ClickAsync("form.edit-contract button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("The notice period must be between 1 and 364 days so that it fits in a 12-month term, not 365.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("form.edit-contract #notice", "120");
        await page.CheckAsync("form.edit-contract #partner-only");
        await page.ClickAsync("form.edit-contract button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        var changed = await db.PartnerContracts.AsNoTracking().SingleAsync(c => c.Id == contract.Id);
        Assert.Equal((120, true), (changed.NoticeDays, changed.CancellationFiledByPartnerOnly));

        await page.GotoAsync("/admin/advisors");
        await page.FillAsync("form.add-advisor #name", "Dominique Admin-Test");
        await page.FillAsync("form.add-advisor #email", "dominique@");
        await page.ClickAsync("form.add-advisor button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("'dominique@' is not an email address for the advisor.", await page.InnerTextAsync("p.error"));
        await page.FillAsync("form.add-advisor #name", "Dominique Admin-Test");
        await page.FillAsync("form.add-advisor #email", "dominique@vendor.example");
        await page.ClickAsync("form.add-advisor button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        Assert.Equal(1, await page.Locator("table.advisors tbody tr", new PageLocatorOptions { HasText = "Dominique Admin-Test" }).CountAsync());
        Assert.True(await db.Advisors.AnyAsync(a => a.Email == "dominique@vendor.example"));
    }

    [Fact]
    public async Task Bad_input_is_refused_in_french_for_a_french_speaking_administrator()
    {
        var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=fr|uic=fr", Url = app.BaseUrl }]);
        await page.GotoAsync("/admin/advisors");
        await page.FillAsync("form.assign #account", "12ab");
        await page.ClickAsync("form.assign button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Equal("«\u00a012ab\u00a0» n'est pas un numéro de compte\u00a0: n'écrivez que des chiffres.", await page.InnerTextAsync("p.error"));

        await page.GotoAsync("/admin/audit?from=2027-02-01&until=2027-01-01");
        Assert.Equal("La fin de la période précède son début.", await page.InnerTextAsync("p.error"));
        Assert.Equal(0, await page.Locator("table.audit tbody tr").CountAsync());
    }

    [Fact]
    public async Task Every_admin_page_has_no_serious_accessibility_violation_in_both_languages()
    {
        foreach (var language in new[] { "en", "fr" })
        {
            var page = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
            await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);
            foreach (var route in (await AdminRoutesAsync()).Values)
            {
                await page.GotoAsync(route);
                await WebApp.ScreenshotAsync(page, "axe-" + language + route.Replace('/', '-'));
                var result = await page.RunAxeAsync();
                var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
                Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
            }
        }
    }
}
