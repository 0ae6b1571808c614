using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Messaging;
using Renewals.Core.Newsletter;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteNewsletterTests() : NewsletterTests(DatabaseProvider.Sqlite);

public sealed class PostgresNewsletterTests() : NewsletterTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The monthly newsletter: opt-in consent (latest record wins), issues sent once per issue and
/// contact in the contact's language (else the account's), over real SMTP with RFC 8058 headers
/// read back by MimeKit, a contact who leaves after the issue is written not sent it, and
/// renewal messages untouched by consent. The clock starts on 1 December 2026 at 12:00Z
/// (13:00 in Paris, UTC+1).
/// </summary>
public abstract class NewsletterTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Admin = new Actor.Admin("alice");

    private static NewsletterDraft Draft(string? schedule = "2026-12-01 14:00") => new(
        "March news", "Les nouvelles de mars",
        "## Faster renders\n\nHello <script>alert('en')</script>**readers** [docs](javascript:alert(1)) <img src=\"x.png\" onerror=\"alert(2)\">",
        "## Des rendus plus rapides\n\nBonjour **lecteurs**",
        schedule);

    [Fact]
    public async Task An_issue_goes_once_to_each_subscribed_contact_in_its_language_with_one_click_unsubscribe_headers()
    {
        var (jane, paul, louis, anne) = await ContactsAsync();
        foreach (var contact in new[] { jane, paul, louis })
        {
            await WithAsync(s => new NewsletterConsentService(s, Clock).SetAsync(Admin, contact, true, ConsentSources.Admin));
        }

        var issue = await WithAsync(s => Newsletters(s).SaveAsync(Admin, null, Draft()));
        Assert.Equal((NewsletterIssueState.Scheduled, new LocalDateTime(2026, 12, 1, 14, 0)), (issue.State, issue.ScheduledAt));

        // 13:00 in Paris: not due yet.
        Assert.Empty((await WithAsync(s => Newsletters(s).SendDueAsync(Admin))).Issues);
        Clock.Reset(Instant.FromUtc(2026, 12, 1, 13, 0));
        var first = Assert.Single((await WithAsync(s => Newsletters(s).SendDueAsync(Admin))).Issues);
        Assert.Equal(new NewsletterIssueSent(issue.Id, 3, 0), first);
        // Sent: no longer due; asked for by its number, nobody gets it twice.
        Assert.Empty((await WithAsync(s => Newsletters(s).SendDueAsync(Admin))).Issues);
        Assert.Equal(new NewsletterIssueSent(issue.Id, 0, 3), Assert.Single((await WithAsync(s => Newsletters(s).SendDueAsync(Admin, issue.Id))).Issues));

        await using (var check = Database.Context())
        {
            var rows = await check.Outbox.AsNoTracking().Where(m => m.Template == MessageKinds.Newsletter).OrderBy(m => m.ContactId).ToListAsync();
            // Jane writes French though her account is English; Paul has no language of his own (the account's, English); Louis's account is French.
            Assert.Equal([(jane, "fr"), (paul, "en"), (louis, "fr")], rows.Select(r => (r.ContactId!.Value, r.Language)));
            Assert.DoesNotContain(rows, r => r.ContactId == anne);
        }

        var mails = await DispatchAsync(Instant.FromUtc(2026, 12, 1, 13, 1));
        Assert.Equal(3, mails.Count);
        Assert.Equal(
            ["jane@acme.example Les nouvelles de mars", "louis@globex.example Les nouvelles de mars", "paul@acme.example March news"],
            mails.Select(m => $"{m.To.Mailboxes.Single().Address} {m.Subject}").Order(StringComparer.Ordinal));

        await using var db = Database.Context();
        foreach (var mail in mails)
        {
            var address = mail.To.Mailboxes.Single().Address;
            var token = await db.NewsletterDeliveries.AsNoTracking()
                .Where(d => db.Contacts.Any(c => c.Id == d.ContactId && c.Email == address)).Select(d => d.Token).SingleAsync();
            Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
            var url = "http://localhost:5000/newsletter/unsubscribe/" + token;
            Assert.Equal("<" + url + ">", mail.Headers[HeaderId.ListUnsubscribe]);
            Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
            // The visible link, in both parts.
            Assert.Contains(url, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains($"href=\"{url}?culture={mail.Body!.Headers[HeaderId.ContentLanguage]}\"", mail.HtmlBody, StringComparison.Ordinal);
        }

        var english = mails.Single(m => m.Subject == "March news");
        Assert.Contains("<h2>Faster renders</h2>", english.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<strong>readers</strong>", english.HtmlBody, StringComparison.Ordinal);
        // What could run is gone: the script, the javascript: link, the event handler.
        Assert.DoesNotContain("<script", english.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert", english.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", english.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Faster renders", english.TextBody, StringComparison.Ordinal);
        // The text part is read from the sanitized HTML: the script's words do not come back there.
        Assert.DoesNotContain("alert", english.TextBody, StringComparison.Ordinal);
        var french = mails.First(m => m.Subject == "Les nouvelles de mars");
        Assert.Contains("<strong>lecteurs</strong>", french.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("fr", french.Body!.Headers[HeaderId.ContentLanguage]);

        var sent = Assert.Single(await db.Audit.AsNoTracking().Where(a => a.Action == "newsletter.sent" && a.EntityId == issue.Id && a.Details!.StartsWith("3 ")).ToListAsync());
        Assert.Equal("admin:alice", sent.Actor);
    }

    [Fact]
    public async Task A_contact_who_leaves_by_one_click_after_the_issue_is_written_is_not_sent_it_and_the_next_issue_skips_them()
    {
        var (jane, paul, _, _) = await ContactsAsync();
        await WithAsync(s => new NewsletterConsentService(s, Clock).SetAsync(Admin, jane, true, ConsentSources.Admin));
        await WithAsync(s => new NewsletterConsentService(s, Clock).SetAsync(Admin, paul, true, ConsentSources.Admin));
        var issue = await WithAsync(s => Newsletters(s).SaveAsync(Admin, null, Draft()));
        await WithAsync(s => Newsletters(s).SendDueAsync(Admin, issue.Id));

        string token;
        await using (var db = Database.Context())
        {
            token = await db.NewsletterDeliveries.AsNoTracking().Where(d => d.ContactId == jane).Select(d => d.Token).SingleAsync();
        }

        Clock.AdvanceMinutes(5);
        Assert.False(await WithAsync(s => new NewsletterConsentService(s, Clock).UnsubscribeAsync(token + "x", ConsentSources.OneClick)));
        Assert.True(await WithAsync(s => new NewsletterConsentService(s, Clock).UnsubscribeAsync(token, ConsentSources.OneClick)));

        var mails = await DispatchAsync(Clock.GetCurrentInstant());
        Assert.Equal(["paul@acme.example"], mails.Select(m => m.To.Mailboxes.Single().Address));
        await using (var db = Database.Context())
        {
            var janes = await db.Outbox.AsNoTracking().SingleAsync(m => m.ContactId == jane && m.Template == MessageKinds.Newsletter);
            Assert.Equal(OutboxStatus.Discarded, janes.Status);
            var latest = await db.NewsletterConsents.AsNoTracking().Where(c => c.ContactId == jane).OrderByDescending(c => c.Id).FirstAsync();
            Assert.Equal((false, ConsentSources.OneClick, Instant.FromUtc(2026, 12, 1, 12, 5)), (latest.Subscribed, latest.Source, latest.At));
        }

        // The next issue: Paul only.
        var next = await WithAsync(s => Newsletters(s).SaveAsync(Admin, null, Draft("2026-12-02 09:00")));
        Assert.Equal(new NewsletterIssueSent(next.Id, 1, 0), Assert.Single((await WithAsync(s => Newsletters(s).SendDueAsync(Admin, next.Id))).Issues));
        await using var after = Database.Context();
        Assert.Equal([paul], await after.NewsletterDeliveries.AsNoTracking().Where(d => d.IssueId == next.Id).Select(d => d.ContactId).ToListAsync());
    }

    [Fact]
    public async Task A_reminder_still_goes_to_a_contact_who_refused_the_newsletter_and_carries_no_unsubscribe_header()
    {
        var account = await Book.AccountAsync("Acme", language: "en", withAccountsPayable: false);
        long jane;
        await using (var db = Database.Context())
        {
            jane = await db.Contacts.Where(c => c.AccountId == account.Id).Select(c => c.Id).SingleAsync();
        }

        await WithAsync(s => new NewsletterConsentService(s, Clock).SetAsync(Admin, jane, true, ConsentSources.Admin));
        await WithAsync(s => new NewsletterConsentService(s, Clock).SetAsync(Admin, jane, false, ConsentSources.Admin));
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-09-17"));

        var mails = await DispatchAsync(Instant.FromUtc(2027, 9, 17, 8, 0));
        var reminder = Assert.Single(mails, m => m.Headers["X-Renewals-Template"] == MessageKinds.Reminder);
        Assert.Equal("jane@acme.example", reminder.To.Mailboxes.Single().Address);
        Assert.All(mails, m => Assert.Null(m.Headers[HeaderId.ListUnsubscribe]));
        Assert.All(mails, m => Assert.Null(m.Headers["List-Unsubscribe-Post"]));
        Assert.False(await WithAsync(s => NewsletterConsentService.IsSubscribedAsync(s, jane, CancellationToken.None)));
        Assert.NotEqual(0, subscription.Id);
    }

    [Fact]
    public async Task Consent_is_opt_in_each_change_is_a_record_with_its_source_and_another_accounts_contact_is_out_of_reach()
    {
        var (jane, _, louis, _) = await ContactsAsync();
        long acme;
        await using (var db = Database.Context())
        {
            acme = await db.Contacts.Where(c => c.Id == jane).Select(c => c.AccountId).SingleAsync();
        }

        var customer = new PortalCustomer(acme);
        var before = await WithAsync(s => new NewsletterConsentService(s, Clock).PortalAsync(customer, "JANE@acme.example"));
        Assert.All(before, c => Assert.False(c.Subscribed));
        Assert.True(before[0].IsSignedInUser);
        Assert.Equal(jane, before[0].ContactId);

        Assert.True(await WithAsync(s => new NewsletterConsentService(s, Clock).SetFromPortalAsync(customer, jane, true, "jane@acme.example")));
        Clock.AdvanceMinutes(1);
        Assert.True(await WithAsync(s => new NewsletterConsentService(s, Clock).SetFromPortalAsync(customer, jane, false, "jane@acme.example")));
        // Subscribing again is a new record: the latest is the current choice.
        Clock.AdvanceMinutes(1);
        Assert.True(await WithAsync(s => new NewsletterConsentService(s, Clock).SetFromPortalAsync(customer, jane, true, "jane@acme.example")));
        // Louis is Globex's: out of reach, nothing recorded.
        Assert.False(await WithAsync(s => new NewsletterConsentService(s, Clock).SetFromPortalAsync(customer, louis, true, "jane@acme.example")));

        await using var check = Database.Context();
        var records = await check.NewsletterConsents.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(
            [(jane, true, "portal", 12, 0), (jane, false, "portal", 12, 1), (jane, true, "portal", 12, 2)],
            records.Select(r => (r.ContactId, r.Subscribed, r.Source, r.At.InUtc().Hour, r.At.InUtc().Minute)));
        Assert.Equal([jane], await NewsletterConsentService.SubscribedContactIds(check).ToListAsync());
        Assert.Equal(3, await check.Audit.CountAsync(a => a.Entity == "contact" && a.EntityId == jane && a.Action.StartsWith("newsletter.")));
        var now = await WithAsync(s => new NewsletterConsentService(s, Clock).PortalAsync(customer, null));
        Assert.Equal((true, "portal"), (now.Single(c => c.ContactId == jane).Subscribed, now.Single(c => c.ContactId == jane).Source));
    }

    [Theory]
    [InlineData("subject", DomainErrors.NewsletterSubjectRequired)]
    [InlineData("long", DomainErrors.NewsletterTextTooLong)]
    [InlineData("past", DomainErrors.NewsletterScheduleInPast)]
    [InlineData("garbled", DomainErrors.NewsletterScheduleInvalid)]
    [InlineData("text", DomainErrors.NewsletterTextRequired)]
    public async Task A_bad_issue_is_refused_with_its_code_and_nothing_is_stored(string fault, string code)
    {
        var draft = fault switch
        {
            "subject" => Draft() with { SubjectFr = "  " },
            "long" => Draft() with { MarkdownFr = new string('a', NewsletterService.MaxMarkdown + 1) },
            // 12:59 in Paris, a minute before the clock's 13:00.
            "past" => Draft("2026-12-01T12:59"),
            "garbled" => Draft("tomorrow morning"),
            _ => Draft() with { MarkdownEn = "" },
        };

        var refused = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => Newsletters(s).SaveAsync(Admin, null, draft)));
        Assert.Equal(code, refused.Code);
        await using var check = Database.Context();
        Assert.Equal(0, await check.NewsletterIssues.CountAsync());
        Assert.Equal(0, await check.Audit.CountAsync(a => a.Entity == "newsletter-issue"));
    }

    [Fact]
    public async Task A_preview_shows_both_languages_sanitized_and_a_sent_issue_no_longer_changes()
    {
        await ContactsAsync();
        var previews = await WithAsync(s => Newsletters(s).PreviewAsync(Admin, Draft()));
        Assert.Equal(["en", "fr"], previews.Select(p => p.Language));
        Assert.Equal(("March news", "Les nouvelles de mars"), (previews[0].Subject, previews[1].Subject));
        Assert.DoesNotContain("<script", previews[0].Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<strong>lecteurs</strong>", previews[1].Html, StringComparison.Ordinal);
        // Previews are for administrators.
        await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => Newsletters(s).PreviewAsync(new Actor.Advisor(1), Draft())));

        var issue = await WithAsync(s => Newsletters(s).SaveAsync(Admin, null, Draft(null)));
        Assert.Equal(NewsletterIssueState.Draft, issue.State);
        var draftRefused = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => Newsletters(s).SendDueAsync(Admin, issue.Id)));
        Assert.Equal(DomainErrors.NewsletterIssueNotScheduled, draftRefused.Code);
        await WithAsync(s => Newsletters(s).SaveAsync(Admin, issue.Id, Draft()));
        await WithAsync(s => Newsletters(s).SendDueAsync(Admin, issue.Id));
        var locked = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => Newsletters(s).SaveAsync(Admin, issue.Id, Draft("2026-12-05 09:00"))));
        Assert.Equal(DomainErrors.NewsletterIssueAlreadySent, locked.Code);
    }

    [Fact]
    public void The_text_part_has_paragraphs_list_items_and_link_addresses_without_what_the_html_dropped()
    {
        var text = NewsletterMarkdown.Text("## News\n\nRead <script>steal()</script>the [guide](https://vendor.example/guide).\n\n- one\n- two");
        Assert.Equal("News\n\nRead the guide (https://vendor.example/guide).\n\n- one\n- two", text);
    }

    [Fact]
    public void Script_in_markdown_is_stripped_and_plain_formatting_kept()
    {
        var html = NewsletterMarkdown.Html("Hi <script>document.cookie</script>*you* <a href=\"javascript:x()\" onclick=\"y()\">link</a> [mail](mailto:team@vendor.example)");
        Assert.Equal("<p>Hi <em>you</em> <a>link</a> <a href=\"mailto:team@vendor.example\">mail</a></p>", html);
    }

    private async Task<(long Jane, long Paul, long Louis, long Anne)> ContactsAsync()
    {
        await using var db = Database.Context();
        var accounts = new Accounts.AccountService(db, Clock);
        var acme = await accounts.CreateAsync(new Accounts.NewAccount("Acme", "en", "Europe/Paris",
            [new("Jane Primary", "jane@acme.example", ContactRole.Primary, "fr"), new("Paul Payables", "paul@acme.example", ContactRole.AccountsPayable)],
            false, 0.2m, null, BillingAddress: "1 Acme Street"));
        var globex = await accounts.CreateAsync(new Accounts.NewAccount("Globex", "fr", "Europe/Paris",
            [new("Louis Premier", "louis@globex.example", ContactRole.Primary), new("Anne Comptable", "anne@globex.example", ContactRole.AccountsPayable)],
            false, 0.2m, null, BillingAddress: "1 rue Globex"));
        // A contact whose language was never set: the account's is used.
        var paul = await db.Contacts.SingleAsync(c => c.Email == "paul@acme.example");
        paul.Language = "";
        await db.SaveChangesAsync();
        var ids = await db.Contacts.AsNoTracking().ToDictionaryAsync(c => c.Email, c => c.Id);
        Assert.NotEqual(acme.Id, globex.Id);
        return (ids["jane@acme.example"], ids["paul@acme.example"], ids["louis@globex.example"], ids["anne@globex.example"]);
    }

    private NewsletterService Newsletters(RenewalsDbContext db) =>
        new(db, Clock, new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Invoicing.Seller.Default);

    private async Task<T> WithAsync<T>(Func<RenewalsDbContext, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(db);
    }

    private async Task<IReadOnlyList<MimeMessage>> DispatchAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        return server.Received;
    }
}
