using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>Purchase orders, the message centre and contacts, in a real browser.</summary>
[Collection(WebAppGroup.Name)]
public sealed class AccountPagesTests(WebApp app)
{
    private static readonly string[] FrenchMonths =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private static string FrenchDate(NodaTime.LocalDate d) =>
        $"{(d.Day == 1 ? "1er" : d.Day.ToString(System.Globalization.CultureInfo.InvariantCulture))} {FrenchMonths[d.Month - 1]} {d.Year}";

    [Fact]
    public async Task Purchase_order_for_a_subscription_covers_its_coming_term_and_bad_forms_store_nothing()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        var other = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account && s.Status == SubscriptionStatus.Active).OrderBy(s => s.Id).FirstAsync();
        var term = await db.Terms.SingleAsync(t => t.SubscriptionId == subscription.Id && t.Number == subscription.CurrentTermNumber);
        var theirs = await db.Subscriptions.Where(s => s.AccountId == other).Select(s => s.Id).FirstAsync();
        int Count() => db.PurchaseOrders.Count(p => p.AccountId == account);
        var before = Count();

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/purchase-orders");
        Assert.Equal("Bons de commande", await page.InnerTextAsync("h1"));

        // A number of blanks only: refused by the rule, in French, nothing stored.
        await page.FillAsync("#po-number", "   ");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.error");
        Assert.Contains("bon de commande", await page.InnerTextAsync("p.error"), StringComparison.Ordinal);
        Assert.Equal(before, Count());

        await page.FillAsync("#po-number", "BC-WEB-1");
        await page.FillAsync("#po-amount", "douze");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.error >> text=douze");
        Assert.Equal("«\u00a0douze\u00a0» n'est pas un montant\u00a0: écrivez-le comme 1200,50.", await page.InnerTextAsync("p.error"));
        Assert.Equal(before, Count());

        // Another account's subscription slipped into the form is refused as unknown.
        await page.FillAsync("#po-amount", "");
        await page.EvaluateAsync($"() => {{ const s = document.querySelector('#po-subscription'); s.add(new Option('x', '{theirs}')); s.value = '{theirs}'; }}");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync($"p.error >> text={theirs}");
        Assert.Equal(before, Count());
        await WebApp.ScreenshotAsync(page, "purchase-order-refused-fr");

        await page.GotoAsync("/portal/purchase-orders");
        await page.FillAsync("#po-number", "BC-WEB-1");
        await page.SelectOptionAsync("#po-subscription", subscription.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#po-amount", "1 250,50");
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.done");
        await WebApp.ScreenshotAsync(page, "purchase-order-registered-fr");

        var stored = await db.PurchaseOrders.AsNoTracking().SingleAsync(p => p.AccountId == account && p.Number == "BC-WEB-1");
        Assert.Equal(subscription.Id, stored.SubscriptionId);
        Assert.Equal(1250.50m, stored.Amount);
        // Without dates the order stands for the subscription until another one is registered.
        Assert.Equal((null, null), (stored.ValidFrom, stored.ValidUntil));
        Assert.Equal("Le bon de commande BC-WEB-1 est enregistré\u00a0; il couvre chaque facture à partir de maintenant, jusqu'à ce qu'un autre bon le remplace.", await page.InnerTextAsync("p.done"));
        Assert.Equal(1, await page.Locator("tbody tr >> text=BC-WEB-1").CountAsync());
    }

    [Fact]
    public async Task Message_centre_lists_every_message_sent_and_shows_one_as_it_was_sent()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var sent = await db.Outbox.Where(m => m.AccountId == account && m.Status == OutboxStatus.Sent).Select(m => new { m.Id, m.ContactId }).ToListAsync();
        Assert.NotEmpty(sent);

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/messages");
        await WebApp.ScreenshotAsync(page, "messages-fr");
        Assert.Equal(sent.Count, await page.Locator("tbody tr").CountAsync());

        var first = sent.OrderBy(m => m.Id).First();
        var recipient = await db.Contacts.Where(c => c.Id == first.ContactId).Select(c => c.Name).SingleAsync();
        var link = page.Locator($"a[href='/portal/messages/{first.Id}']");
        var subject = await link.InnerTextAsync();
        await link.ClickAsync();
        await page.WaitForURLAsync($"**/portal/messages/{first.Id}");
        await page.WaitForSelectorAsync("iframe.message");
        Assert.Equal(subject, await page.InnerTextAsync("h1"));
        var frame = page.FrameLocator("iframe.message");
        await frame.Locator("body").WaitForAsync();
        Assert.Contains(recipient, await frame.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await WebApp.ScreenshotAsync(page, "message-fr");
    }

    [Fact]
    public async Task Contacts_page_lists_who_receives_what()
    {
        var account = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        var contacts = await db.Contacts.Where(c => c.AccountId == account).ToListAsync();

        var page = await app.SignedInPageAsync(WebApp.English);
        await page.GotoAsync("/portal/contacts");
        await WebApp.ScreenshotAsync(page, "contacts-en");
        Assert.Equal(contacts.Count, await page.Locator("main > table tbody tr").CountAsync());
        var primary = contacts.Single(c => c.Role == ContactRole.Primary);
        // The whole cell: another contact's address may contain this one (ap.c2@... holds c2@...).
        var row = page.Locator("main > table tbody tr", new PageLocatorOptions
        {
            Has = page.Locator("td", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(primary.Email) + "$") }),
        });
        Assert.Contains("Primary contact", await row.InnerTextAsync(), StringComparison.Ordinal);
    }
}
