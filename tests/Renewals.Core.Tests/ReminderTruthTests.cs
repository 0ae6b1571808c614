using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteReminderTruthTests() : ReminderTruthTests(DatabaseProvider.Sqlite);

public sealed class PostgresReminderTruthTests() : ReminderTruthTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Reminders and letters true on the day they are read: days left counted from the day of
/// delivery in the account's time zone, the deadline day said to be today, a passed deadline
/// never shown as ahead, a partner's rules named. One-year terms from 15 January 2027:
/// renewal on 15 January 2028, reminders on 17 September and 16 November 2027, and (60 days'
/// notice) the deadline on 16 November 2027, the day of the second reminder.
/// </summary>
public abstract partial class ReminderTruthTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_reminder_sent_late_after_downtime_counts_the_days_that_really_remain()
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));

        // The engine was down from 17 September to 20 October: the 120-day reminder goes out 33 days late.
        await RunOnAsync(Date("2027-10-20"));
        var reminder = await ReminderAsync(Instant.FromUtc(2027, 10, 20, 8, 0));

        // 20 October 2027 to 15 January 2028: 11 + 30 + 31 + 15 = 87 days.
        Assert.Equal("Your subscription renews on 15 January 2028 (in 87 days)", Plain(reminder.Subject));
        Assert.Contains("renews automatically for 12 months on 15 January 2028, in 87 days.", Text(reminder), StringComparison.Ordinal);
        Assert.Contains("your written cancellation must reach us by 16 November 2027.", Text(reminder), StringComparison.Ordinal);
        Assert.DoesNotContain("120", Text(reminder), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_deadline_day_the_reminder_says_today()
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-11-16"));

        var reminder = await ReminderAsync(Instant.FromUtc(2027, 11, 16, 9, 0));

        Assert.Contains("in 60 days.", Text(reminder), StringComparison.Ordinal);
        Assert.Contains("your written cancellation must reach us today, 16 November 2027, at the latest.", Text(reminder), StringComparison.Ordinal);
        Assert.DoesNotContain("is over", Text(reminder), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivered_the_day_after_the_deadline_it_says_the_notice_period_is_over_and_when_the_earliest_end_is()
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-11-16"));

        // Written on the deadline day, delivered the next morning (the mail server was down).
        var reminder = await ReminderAsync(Instant.FromUtc(2027, 11, 17, 8, 0));

        Assert.Contains("in 59 days.", Text(reminder), StringComparison.Ordinal);
        Assert.Contains("The notice period for this renewal is over: it ended on 16 November 2027", Text(reminder), StringComparison.Ordinal);
        Assert.Contains("would end it at the earliest at the end of the next term, whose last day is 14 January 2029", Text(reminder), StringComparison.Ordinal);
        Assert.DoesNotContain("must reach us", Text(reminder), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_day_of_delivery_is_the_accounts_own_date()
    {
        var paris = await Book.AccountAsync("Acme", zone: "Europe/Paris", language: "en");
        var auckland = await Book.AccountAsync("Kiwi", zone: "Pacific/Auckland", language: "en");
        await Book.SellAsync(paris.Id, Date("2027-01-15"), years: 1);
        await Book.SellAsync(auckland.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-11-16"), "Europe/Paris");

        // 12:00 UTC on 16 November: 13:00 on the 16th in Paris, 01:00 on the 17th in Auckland (UTC+13).
        var received = await DispatchAsync(Instant.FromUtc(2027, 11, 16, 12, 0));

        var inParis = received.Single(r => Template(r) == MessageKinds.Reminder && To(r) == "jane@acme.example");
        var inAuckland = received.Single(r => Template(r) == MessageKinds.Reminder && To(r) == "jane@kiwi.example");
        Assert.Contains("today, 16 November 2027, at the latest", Text(inParis), StringComparison.Ordinal);
        Assert.Contains("The notice period for this renewal is over", Text(inAuckland), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_only_customer_is_sent_to_its_partner_and_never_invited_to_write_to_us()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: true, name: "Intégra Distribution");
        var account = await Book.AccountAsync("Ateliers Lumière", language: "fr");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, partnerContractId: contract);
        await RunOnAsync(Date("2027-01-15"));

        var day1 = await DispatchAsync(Instant.FromUtc(2027, 1, 15, 9, 0));
        var letter = Text(day1.Single(r => Template(r) == MessageKinds.ConfirmationLetter));
        // 90 days before 15 January 2028: 17 October 2027, before the 60-day reminder.
        Assert.Contains("préavis de 90 jours selon votre contrat avec Intégra Distribution) : 17 octobre 2027", letter, StringComparison.Ordinal);
        Assert.Contains("seul Intégra Distribution peut nous la transmettre", letter, StringComparison.Ordinal);
        string[] inOrder = ["Début : 15 janvier 2027", "vers le : 15 avril 2027", "Rappel de renouvellement : 17 septembre 2027",
            ": 17 octobre 2027", "Rappel de renouvellement : 16 novembre 2027", "Renouvellement pour 12 mois : 15 janvier 2028"];
        var positions = inOrder.Select(s => letter.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);

        await RunOnAsync(Date("2027-09-17"));
        var before = Text(await ReminderAsync(Instant.FromUtc(2027, 9, 17, 9, 0)));
        Assert.Contains("dans 120 jours.", before, StringComparison.Ordinal);
        Assert.Contains("adressez-vous à votre partenaire Intégra Distribution : selon votre contrat, lui seul peut nous transmettre une résiliation, avec un préavis de 90 jours, et elle doit nous parvenir au plus tard le 17 octobre 2027.", before, StringComparison.Ordinal);
        Assert.DoesNotContain("votre résiliation écrite doit nous parvenir", before, StringComparison.Ordinal);

        await RunOnAsync(Date("2027-11-16"));
        var after = Text(await ReminderAsync(Instant.FromUtc(2027, 11, 16, 9, 0)));
        Assert.Contains("Le délai de préavis pour ce renouvellement est écoulé : il a pris fin le 17 octobre 2027", after, StringComparison.Ordinal);
        Assert.Contains("au plus tôt au terme de la période suivante, dont le dernier jour est le 14 janvier 2029", after, StringComparison.Ordinal);
        Assert.Contains("seul votre partenaire Intégra Distribution peut la déposer", after, StringComparison.Ordinal);
        Assert.DoesNotContain("doit nous parvenir", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_purchase_order_registered_between_writing_and_delivery_is_no_longer_asked_for()
    {
        var account = await Book.AccountAsync("Ateliers Lumière", language: "fr", requiresPurchaseOrder: true);
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-09-17"));
        await using (var db = Database.Context())
        {
            var written = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == MessageKinds.Reminder && m.ToEmail == "jane@atelierslumire.example");
            Assert.Contains("issue-purchase-order", written.Payload, StringComparison.Ordinal); // none covered the renewal then
        }

        // The mail server was down; the customer registered its order the next day, before delivery.
        Clock.Reset(Instant.FromUtc(2027, 9, 18, 7, 0));
        await using (var db = Database.Context())
        {
            await new Invoicing.PurchaseOrderService(db, Clock).RegisterAsync(new Invoicing.NewPurchaseOrder(account.Id, "PO-2028-01", subscription.Id), "customer");
        }

        var reminder = Text(await ReminderAsync(Instant.FromUtc(2027, 9, 18, 8, 0)));

        Assert.DoesNotContain("bon de commande", reminder, StringComparison.Ordinal);
        Assert.Contains("Consultez vos interlocuteurs internes", reminder, StringComparison.Ordinal);
        Assert.Contains("dans 119 jours.", reminder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_renewal_confirmation_writes_the_new_term_with_its_last_day_and_says_where_the_invoice_went()
    {
        var contract = await Book.PartnerContractAsync(noticeDays: 90, name: "Northwind Resellers");
        var account = await Book.AccountAsync("Acme", language: "en");
        // A start on 29 February: the next terms start on 28 February, the day after the last day of February.
        await Book.SellAsync(account.Id, Date("2028-02-29"), years: 1, partnerContractId: contract, delivery: LicenceDelivery.AvailableInWebAccount);
        await RunOnAsync(Date("2029-02-28"));

        var received = await DispatchAsync(Instant.FromUtc(2029, 2, 28, 9, 0));

        var confirmation = Text(received.Single(r => Template(r) == MessageKinds.RenewalConfirmation));
        Assert.Contains("renewed for 12 months, from 28 February 2029 to 27 February 2030 inclusive.", confirmation, StringComparison.Ordinal);
        Assert.Contains("The invoice has been sent to Paul Payables (ap@acme.example).", confirmation, StringComparison.Ordinal);
        // 90 days before 28 February 2030: 30 November 2029.
        Assert.Contains("30 November 2029 (90 days' notice under your contract with Northwind Resellers)", confirmation, StringComparison.Ordinal);
        // The engine caught up on the whole first year in one run: day 1's announcement of term 1's
        // licence, delivered once that licence has run out, is discarded rather than sent.
        var licences = received.Where(r => Template(r) == MessageKinds.LicenceAvailable).Select(Text).ToList();
        Assert.DoesNotContain(licences, l => l.Contains("valid from 29 February 2028", StringComparison.Ordinal));
        var licence = Assert.Single(licences, l => l.Contains("valid from 28 February 2029 to 27 February 2030 inclusive", StringComparison.Ordinal));
        Assert.DoesNotContain("before 28 February 2029", licence, StringComparison.Ordinal); // it is sent that very day
    }

    private async Task<MimeMessage> ReminderAsync(Instant at) =>
        (await DispatchAsync(at)).Single(r => Template(r) == MessageKinds.Reminder && To(r).StartsWith("jane@", StringComparison.Ordinal));

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

    private static string Template(MimeMessage message) => message.Headers["X-Renewals-Template"] ?? "";

    private static string To(MimeMessage message) => Assert.Single(message.To.Mailboxes).Address;

    private static string Text(MimeMessage message) => Plain(message.TextBody);

    /// <summary>Every kind of space (no-break, narrow no-break) as a plain space.</summary>
    private static string Plain(string? text) => Spaces().Replace(text ?? "", " ");

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
