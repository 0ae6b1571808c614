using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Cancellations;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteMessagePurposeTests() : MessagePurposeTests(DatabaseProvider.Sqlite);

public sealed class PostgresMessagePurposeTests() : MessagePurposeTests(DatabaseProvider.PostgreSql);

/// <summary>
/// A message past its purpose when it comes to be delivered is not sent: it is discarded with
/// its reason, and never tried again. One-year terms from 15 January 2027, Paris (UTC+1 in
/// winter): renewal on 15 January 2028, reminders on 17 September and 16 November 2027, the
/// written-notice deadline (60 days) on 16 November 2027.
/// </summary>
public abstract class MessagePurposeTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_reminder_waiting_when_an_on_time_notice_is_filed_is_discarded_and_the_acknowledgement_goes_alone()
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-11-16"));
        // On the deadline day, before the reminders went out, the customer's letter arrives.
        Clock.Reset(Instant.FromUtc(2027, 11, 16, 9, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).FileAsync(
                subscription.Id, new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer), "test");
        }

        var sent = await DispatchAsync(Instant.FromUtc(2027, 11, 16, 10, 0));

        Assert.Contains(sent, m => Template(m) == MessageKinds.CancellationAcknowledgement);
        Assert.DoesNotContain(sent, m => Template(m) == MessageKinds.Reminder);
        var reminders = (await MessagesAsync(subscription.Id)).Where(m => m.Template == MessageKinds.Reminder).ToList();
        Assert.NotEmpty(reminders);
        Assert.All(reminders, m => Assert.Equal(OutboxStatus.Discarded, m.Status));
        // The deadline itself is carried out once its day is over (ADR 008): the notice, not yet the status, says it ends.
        Assert.All(reminders, m => Assert.StartsWith("discarded: a written notice filed on time ends the subscription on 2028-01-15", m.LastError, StringComparison.Ordinal));

        // Never tried again, whatever comes later.
        var later = await DispatchAsync(Instant.FromUtc(2027, 11, 20, 10, 0));
        Assert.DoesNotContain(later, m => Template(m) == MessageKinds.Reminder);
        Assert.All((await MessagesAsync(subscription.Id)).Where(m => m.Template == MessageKinds.Reminder), m => Assert.Equal((OutboxStatus.Discarded, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task A_reminder_waiting_when_a_notice_is_filed_before_the_deadline_is_discarded()
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        // The 120-day reminder (17 September) is written; the deadline (16 November) is still ahead.
        await RunOnAsync(Date("2027-09-17"));
        Clock.Reset(Instant.FromUtc(2027, 9, 20, 9, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).FileAsync(
                subscription.Id, new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer), "test");
        }

        var sent = await DispatchAsync(Instant.FromUtc(2027, 9, 20, 10, 0));

        Assert.Contains(sent, m => Template(m) == MessageKinds.CancellationAcknowledgement);
        Assert.DoesNotContain(sent, m => Template(m) == MessageKinds.Reminder);
        var reminders = (await MessagesAsync(subscription.Id)).Where(m => m.Template == MessageKinds.Reminder).ToList();
        Assert.NotEmpty(reminders);
        Assert.All(reminders, m => Assert.Equal(
            (OutboxStatus.Discarded, "discarded: a written notice filed on time ends the subscription on 2028-01-15, it does not renew"), (m.Status, m.LastError)));
    }

    [Theory]
    // 14 January 2028 at 23:59 in Paris: the renewal is still ahead.
    [InlineData(2028, 1, 14, 22, 59, OutboxStatus.Sent)]
    // Midnight starting 15 January 2028 in Paris: the renewal day, too late for a reminder of it.
    [InlineData(2028, 1, 14, 23, 0, OutboxStatus.Discarded)]
    public async Task A_reminder_delivered_on_or_after_its_renewal_date_is_discarded(int year, int month, int day, int hour, int minute, OutboxStatus expected)
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-11-16"));

        var sent = await DispatchAsync(Instant.FromUtc(year, month, day, hour, minute));

        var reminders = (await MessagesAsync(subscription.Id)).Where(m => m.Template == MessageKinds.Reminder).ToList();
        Assert.NotEmpty(reminders);
        Assert.All(reminders, m => Assert.Equal(expected, m.Status));
        Assert.Equal(expected == OutboxStatus.Sent ? reminders.Count : 0, sent.Count(m => Template(m) == MessageKinds.Reminder));
        if (expected == OutboxStatus.Discarded)
        {
            Assert.All(reminders, m => Assert.Equal("discarded: the renewal of 2028-01-15 has passed (the account's date is 2028-01-15)", m.LastError));
        }
    }

    [Theory]
    // The licence covers 15 January 2027 to 14 January 2028: on its last day it is still announced.
    [InlineData(2028, 1, 14, 22, 59, OutboxStatus.Sent)]
    [InlineData(2028, 1, 14, 23, 0, OutboxStatus.Discarded)]
    public async Task A_licence_announced_after_its_period_ended_is_discarded(int year, int month, int day, int hour, int minute, OutboxStatus expected)
    {
        var account = await Book.AccountAsync("Acme", language: "en");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1, delivery: LicenceDelivery.AvailableInWebAccount);
        await RunOnAsync(Date("2027-01-15"));

        var sent = await DispatchAsync(Instant.FromUtc(year, month, day, hour, minute));

        var licence = Assert.Single(await MessagesAsync(subscription.Id), m => m.Template == MessageKinds.LicenceAvailable);
        Assert.Equal(expected, licence.Status);
        Assert.Equal(expected == OutboxStatus.Sent, sent.Any(m => Template(m) == MessageKinds.LicenceAvailable));
        if (expected == OutboxStatus.Discarded)
        {
            Assert.Equal("discarded: the licence's period ended on 2028-01-14 (the account's date is 2028-01-15)", licence.LastError);
        }
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

    private static string Template(MimeMessage message) => message.Headers["X-Renewals-Template"] ?? "";
}
