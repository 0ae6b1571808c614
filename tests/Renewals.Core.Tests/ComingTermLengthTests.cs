using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Core.Amendments;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteComingTermLengthTests() : ComingTermLengthTests(DatabaseProvider.Sqlite);

public sealed class PostgresComingTermLengthTests() : ComingTermLengthTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The messages and the renewal invoice say how long the coming term really lasts once a
/// confirmed amendment made it two or three years. One-year subscriptions from 15 January 2027
/// (Paris), 60 days' notice, the policy allowing 1, 2 and 3 years. Dates worked out by hand:
/// reminders on 17 September 2027 (120 days) and 16 November 2027 (60 days, the deadline day);
/// a two-year term 2 runs from 15 January 2028 to 14 January 2030 inclusive, a three-year one to
/// 14 January 2031; its cancellation deadline is 16 November 2029 (two years).
/// </summary>
public abstract partial class ComingTermLengthTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor.Admin Alice = new("alice");

    [Fact]
    public async Task A_two_year_amendment_confirmed_before_the_reminders_is_told_by_both_reminders_the_confirmation_and_the_invoice_in_english_and_french()
    {
        var (english, englishAdvisor) = await SoldAsync("Acme", "en");
        var (french, frenchAdvisor) = await SoldAsync("Bistro", "fr");
        AtParis(2027, 9, 1, 10, 0);
        await AmendAsync(englishAdvisor, english.Id, years: 2);
        await AmendAsync(frenchAdvisor, french.Id, years: 2);

        await RunOnAsync(Date("2027-09-17"));
        var first = await DispatchAsync(Instant.FromUtc(2027, 9, 17, 8, 0));
        Assert.Contains("The subscription of Acme renews automatically for 24 months on 15 January 2028, in 120 days.", Text(Reminder(first, "acme")), StringComparison.Ordinal);
        Assert.Contains("L'abonnement souscrit par Bistro se renouvelle automatiquement pour 24 mois le 15 janvier 2028, dans 120 jours.", Text(Reminder(first, "bistro")), StringComparison.Ordinal);

        // The 60-day reminder, delivered the morning after the deadline: the earliest end is the two-year term's last day.
        await RunOnAsync(Date("2027-11-16"));
        var second = await DispatchAsync(Instant.FromUtc(2027, 11, 17, 8, 0));
        var englishSecond = Text(Reminder(second, "acme"));
        var frenchSecond = Text(Reminder(second, "bistro"));
        Assert.Contains("renews automatically for 24 months on 15 January 2028, in 59 days.", englishSecond, StringComparison.Ordinal);
        Assert.Contains("at the end of the next term, whose last day is 14 January 2030", englishSecond, StringComparison.Ordinal);
        Assert.Contains("se renouvelle automatiquement pour 24 mois le 15 janvier 2028, dans 59 jours.", frenchSecond, StringComparison.Ordinal);
        Assert.Contains("au terme de la période suivante, dont le dernier jour est le 14 janvier 2030", frenchSecond, StringComparison.Ordinal);
        Assert.DoesNotContain("12 months", englishSecond, StringComparison.Ordinal);
        Assert.DoesNotContain("12 mois", frenchSecond, StringComparison.Ordinal);

        await RunOnAsync(Date("2028-01-15"));
        var renewal = await DispatchAsync(Instant.FromUtc(2028, 1, 15, 8, 0));
        var englishConfirmation = Text(Single(renewal, MessageKinds.RenewalConfirmation, "jane@acme.example"));
        Assert.Contains("The subscription of Acme has been renewed for 24 months, from 15 January 2028 to 14 January 2030 inclusive.", englishConfirmation, StringComparison.Ordinal);
        Assert.Contains("the last day to cancel in writing before the following renewal is 16 November 2029.", englishConfirmation, StringComparison.Ordinal);
        Assert.Contains("L'abonnement souscrit par Bistro a été renouvelé pour 24 mois, du 15 janvier 2028 au 14 janvier 2030 inclus.",
            Text(Single(renewal, MessageKinds.RenewalConfirmation, "jane@bistro.example")), StringComparison.Ordinal);

        Assert.Contains("Renewal for 24 months", await RenewalInvoiceTextAsync(english.Id), StringComparison.Ordinal);
        Assert.Contains("Renouvellement pour 24 mois", await RenewalInvoiceTextAsync(french.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_amendment_every_text_says_12_months_and_a_three_year_amendment_36()
    {
        var (plain, _) = await SoldAsync("Acme", "en");
        var (three, advisor) = await SoldAsync("Bistro", "fr");
        AtParis(2027, 9, 1, 10, 0);
        await AmendAsync(advisor, three.Id, years: 3);

        await RunOnAsync(Date("2027-09-17"));
        var first = await DispatchAsync(Instant.FromUtc(2027, 9, 17, 8, 0));
        Assert.Contains("The subscription of Acme renews automatically for 12 months on 15 January 2028, in 120 days.", Text(Reminder(first, "acme")), StringComparison.Ordinal);
        Assert.Contains("se renouvelle automatiquement pour 36 mois le 15 janvier 2028, dans 120 jours.", Text(Reminder(first, "bistro")), StringComparison.Ordinal);

        await RunOnAsync(Date("2027-11-16"));
        var second = await DispatchAsync(Instant.FromUtc(2027, 11, 16, 8, 0));
        Assert.Contains("renews automatically for 12 months on 15 January 2028, in 60 days.", Text(Reminder(second, "acme")), StringComparison.Ordinal);
        Assert.Contains("se renouvelle automatiquement pour 36 mois le 15 janvier 2028, dans 60 jours.", Text(Reminder(second, "bistro")), StringComparison.Ordinal);

        await RunOnAsync(Date("2028-01-15"));
        var renewal = await DispatchAsync(Instant.FromUtc(2028, 1, 15, 8, 0));
        Assert.Contains("has been renewed for 12 months, from 15 January 2028 to 14 January 2029 inclusive.",
            Text(Single(renewal, MessageKinds.RenewalConfirmation, "jane@acme.example")), StringComparison.Ordinal);
        Assert.Contains("a été renouvelé pour 36 mois, du 15 janvier 2028 au 14 janvier 2031 inclus.",
            Text(Single(renewal, MessageKinds.RenewalConfirmation, "jane@bistro.example")), StringComparison.Ordinal);

        Assert.Contains("Renewal for 12 months", await RenewalInvoiceTextAsync(plain.Id), StringComparison.Ordinal);
        Assert.Contains("Renouvellement pour 36 mois", await RenewalInvoiceTextAsync(three.Id), StringComparison.Ordinal);
        var invoice = Assert.Single(await InvoicesAsync(three.Id), i => i.Kind == InvoiceKind.Renewal);
        Assert.Equal((Date("2028-01-15"), Date("2031-01-15")), (invoice.PeriodStart, invoice.PeriodEnd));
    }

    [Fact]
    public async Task Confirmed_after_the_120_day_reminder_was_sent_only_the_60_day_one_says_24_months()
    {
        var (subscription, advisor) = await SoldAsync("Acme", "en");
        await RunOnAsync(Date("2027-09-17"));
        var first = Text(Reminder(await DispatchAsync(Instant.FromUtc(2027, 9, 17, 8, 0)), "acme"));
        // True when it was sent: nothing had changed the coming term yet.
        Assert.Contains("renews automatically for 12 months on 15 January 2028, in 120 days.", first, StringComparison.Ordinal);

        AtParis(2027, 10, 1, 10, 0);
        await AmendAsync(advisor, subscription.Id, years: 2);

        await RunOnAsync(Date("2027-11-16"));
        var second = Text(Reminder(await DispatchAsync(Instant.FromUtc(2027, 11, 16, 8, 0)), "acme"));
        Assert.Contains("renews automatically for 24 months on 15 January 2028, in 60 days.", second, StringComparison.Ordinal);
        Assert.Contains("your written cancellation must reach us today, 16 November 2027, at the latest.", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reminder_still_waiting_in_the_outbox_when_the_amendment_is_confirmed_says_the_new_length_and_the_old_one_once_withdrawn()
    {
        var (subscription, advisor) = await SoldAsync("Bistro", "fr");
        // The 120-day reminders are written on 17 September; the mail server is down until the 18th.
        await RunOnAsync(Date("2027-09-17"));
        AtParis(2027, 9, 17, 15, 0);
        var amendment = await AmendAsync(advisor, subscription.Id, years: 2);

        // Delivered on the 18th (Paris): 15 January 2028 is 119 days away; the end after the notice period, 14 January 2030.
        var pending = await DispatchAsync(Instant.FromUtc(2027, 9, 18, 8, 0), only: "jane@bistro.example");
        var reminder = Text(Reminder(pending, "bistro"));
        Assert.Contains("L'abonnement souscrit par Bistro se renouvelle automatiquement pour 24 mois le 15 janvier 2028, dans 119 jours.", reminder, StringComparison.Ordinal);

        // The confirmed amendment withdrawn before the accounts payable copy goes out: a year again.
        AtParis(2027, 9, 18, 11, 0);
        await using (var db = Database.Context())
        {
            await new AmendmentService(db, Clock).WithdrawAsync(new Actor.Advisor(advisor), amendment.Id);
        }

        var copy = Text(Single(await DispatchAsync(Instant.FromUtc(2027, 9, 18, 12, 0)), MessageKinds.Reminder, "ap@bistro.example"));
        Assert.Contains("se renouvelle automatiquement pour 12 mois le 15 janvier 2028, dans 119 jours.", copy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrators_stored_reminder_without_the_length_still_renders_and_a_new_one_may_use_it()
    {
        var (subscription, advisor) = await SoldAsync("Acme", "en");
        AtParis(2027, 9, 1, 10, 0);
        await AmendAsync(advisor, subscription.Id, years: 2);
        await using (var db = Database.Context())
        {
            // Saved before the length existed: it names no length and keeps working.
            await Templates(db).SaveAsync(Alice, MessageKinds.Reminder, "en", new Dictionary<TemplatePart, string>
            {
                [TemplatePart.Text] = "Hello {{ recipient.name }},\n\n{{ account.name }} renews on {{ renewal_date | long_date }}.\n",
            });
        }

        await RunOnAsync(Date("2027-09-17"));
        var older = Text(Reminder(await DispatchAsync(Instant.FromUtc(2027, 9, 17, 8, 0)), "acme"));
        Assert.Contains("Acme renews on 15 January 2028.", older, StringComparison.Ordinal);
        Assert.DoesNotContain("months", older, StringComparison.Ordinal);

        await using (var db = Database.Context())
        {
            // The editor's sample knows the length: previewed as the usual 12 months, delivered as the real 24.
            var draft = new Dictionary<TemplatePart, string>
            {
                [TemplatePart.Text] = "{{ account.name }} renews for {{ subscription.coming_term_months }} months.\n",
            };
            var preview = await Templates(db).PreviewAsync(Alice, MessageKinds.Reminder, "en", draft);
            Assert.Contains("Northwind Analytics Ltd renews for 12 months.", preview.Text, StringComparison.Ordinal);
            await Templates(db).SaveAsync(Alice, MessageKinds.Reminder, "en", draft);
        }

        await RunOnAsync(Date("2027-11-16"));
        var newer = Text(Reminder(await DispatchAsync(Instant.FromUtc(2027, 11, 16, 8, 0)), "acme"));
        Assert.Contains("Acme renews for 24 months.", newer, StringComparison.Ordinal);
    }

    /// <summary>A one-year subscription of 10 × 1,000.00 from 15 January 2027, its account's advisor, the policy allowing 1 to 3 years, day 1 run and delivered.</summary>
    private async Task<(Subscription Subscription, long Advisor)> SoldAsync(string name, string language)
    {
        var advisor = await Book.AdvisorAsync(name: $"Advisor {name}");
        var account = await Book.AccountAsync(name, language: language, advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, quantity: 10, yearlyUnitPrice: 1000m);
        await using (var db = Database.Context())
        {
            var edits = new AdministrationEditService(db, Clock);
            var policy = (await edits.PoliciesAsync(Alice)).Single(p => p.Id == subscription.PolicyId);
            if (policy.RenewalYearsAllowed.Count < 3)
            {
                await edits.UpdatePolicyAsync(Alice, subscription.PolicyId, new PolicyChange(90, [120, 60], 60, [1, 2, 3]));
            }
        }

        await RunOnAsync(Date("2027-01-15"));
        await DispatchAsync(Instant.FromUtc(2027, 1, 15, 9, 0));
        return (subscription, advisor);
    }

    private async Task<AmendmentView> AmendAsync(long advisor, long subscriptionId, int years)
    {
        await using var db = Database.Context();
        var amendments = new AmendmentService(db, Clock);
        var proposed = await amendments.ProposeAsync(new Actor.Advisor(advisor), subscriptionId,
            new AmendmentRequest([new AmendLine("DSN-PRO", 10)], $"{years} years agreed", RenewalYears: years));
        return await amendments.ConfirmBySignedOrderAsync(new Actor.Advisor(advisor), proposed.Id, $"SO-{subscriptionId}");
    }

    /// <summary>The renewal invoice of the subscription, rendered as a PDF in its bill-to contact's language, as text.</summary>
    private async Task<string> RenewalInvoiceTextAsync(long subscriptionId)
    {
        var renewal = Assert.Single(await InvoicesAsync(subscriptionId), i => i.Kind == InvoiceKind.Renewal);
        await using var db = Database.Context();
        var doc = await InvoiceDocuments.LoadByNumberAsync(db, renewal.Number!, Seller.Default, CancellationToken.None);
        return PdfText.All(InvoicePdf.Render(doc!));
    }

    private void AtParis(int year, int month, int day, int hour, int minute) =>
        Clock.Reset(new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Paris"]).ToInstant());

    private TemplateAdminService Templates(RenewalsDbContext db) =>
        new(db, Clock, new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());

    /// <summary>
    /// Delivers what is due at <paramref name="at"/> (the delivery stamped then) over real SMTP;
    /// with <paramref name="only"/>, every other pending message is held back for a later pass.
    /// </summary>
    private async Task<IReadOnlyList<MimeMessage>> DispatchAsync(Instant at, string? only = null)
    {
        var held = new List<long>();
        if (only is not null)
        {
            await using var db = Database.Context();
            var others = await db.Outbox.Where(m => m.Status == OutboxStatus.Pending && m.ToEmail != only && m.NextAttemptAt <= at).ToListAsync();
            foreach (var m in others)
            {
                // Out of this pass's reach; put back as due right after it.
                m.NextAttemptAt = at.Plus(Duration.FromMinutes(1));
                held.Add(m.Id);
            }

            await db.SaveChangesAsync();
        }

        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        if (held.Count > 0)
        {
            await using var db = Database.Context();
            await db.Outbox.Where(m => held.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.NextAttemptAt, at));
        }

        return server.Received;
    }

    private static MimeMessage Reminder(IReadOnlyList<MimeMessage> received, string account) =>
        Single(received, MessageKinds.Reminder, $"jane@{account}.example");

    private static MimeMessage Single(IReadOnlyList<MimeMessage> received, string template, string to) =>
        Assert.Single(received, r => Template(r) == template && To(r) == to);

    private static string Template(MimeMessage message) => message.Headers["X-Renewals-Template"] ?? "";

    private static string To(MimeMessage message) => Assert.Single(message.To.Mailboxes).Address;

    /// <summary>The text part, every kind of space (no-break, narrow no-break) as a plain space.</summary>
    private static string Text(MimeMessage message) => Spaces().Replace(message.TextBody ?? "", " ");

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
