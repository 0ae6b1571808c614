using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Cancellations;
using Renewals.Core.Messaging;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Cancellations;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteDeliveryStampTests() : DeliveryStampTests(DatabaseProvider.Sqlite);

public sealed class PostgresDeliveryStampTests() : DeliveryStampTests(DatabaseProvider.PostgreSql);

/// <summary>
/// A dispatch pass's instant is its cut-off; each delivery carries the instant it is made. The
/// dispatchers read their own clock, a FakeClock that moves on at every reading as a real clock
/// moves while a pass with a backlog goes on: the pass reads its cut-off, then each delivery its
/// stamp, so the expected stamps follow by hand from the clock's start and step.
/// </summary>
public abstract class DeliveryStampTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Admin = new Actor.Admin("alice");
    private static readonly ServiceProvider Http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    private static readonly WebhookOptions OnLoopback = new() { AllowPrivateNetworks = true };

    [Fact]
    public async Task Each_message_of_a_pass_is_sent_and_dated_at_its_own_instant_not_at_the_cut_off()
    {
        await SalesAsync("Acme", "Bravo");
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        // 09:00:00 for the cut-off, then 7 s further at each message's reading.
        var clock = new FakeClock(Instant.FromUtc(2027, 1, 15, 9, 0), Duration.FromSeconds(7));

        var dueBy = clock.GetCurrentInstant();
        var result = await DispatchAsync(server, dueBy, clock);

        // Each sale's first day writes 4 messages: 8 in all, each at its own reading of the clock.
        // Sorted: with several delivery workers (RENEWALS_DELIVERY_WORKERS) the readings follow the
        // order in which deliveries start, not the order of the ids.
        var stored = await MessagesAsync();
        Assert.Equal((8, 8), (stored.Count, result.Sent));
        Assert.Equal(
            [
                Instant.FromUtc(2027, 1, 15, 9, 0, 7), Instant.FromUtc(2027, 1, 15, 9, 0, 14), Instant.FromUtc(2027, 1, 15, 9, 0, 21),
                Instant.FromUtc(2027, 1, 15, 9, 0, 28), Instant.FromUtc(2027, 1, 15, 9, 0, 35), Instant.FromUtc(2027, 1, 15, 9, 0, 42),
                Instant.FromUtc(2027, 1, 15, 9, 0, 49), Instant.FromUtc(2027, 1, 15, 9, 0, 56),
            ],
            stored.Select(m => m.SentAt!.Value).Order());
        // The Date header each recipient reads is the instant its message was sent.
        foreach (var row in stored)
        {
            var mail = Assert.Single(server.Received, r => r.MessageId == Wire(row.MessageId));
            Assert.Equal(row.SentAt!.Value.ToDateTimeOffset(), mail.Date);
        }
    }

    [Fact]
    public async Task A_failed_message_waits_its_delay_from_its_own_attempt_and_is_due_again_alone()
    {
        await SalesAsync("Acme", "Bravo");
        await using var server = new TestSmtpServer(); // not started: connections are refused
        var clock = new FakeClock(Instant.FromUtc(2027, 1, 15, 9, 0), Duration.FromSeconds(7));

        var down = await DispatchAsync(server, clock.GetCurrentInstant(), clock);

        var waiting = await MessagesAsync();
        Assert.Equal((0, 8), (down.Sent, down.Retrying));
        // One minute after each one's own attempt (09:00:07, 09:00:14, ...), not after the cut-off; sorted,
        // as the attempts follow the order in which deliveries start.
        Assert.Equal(
            [
                Instant.FromUtc(2027, 1, 15, 9, 1, 7), Instant.FromUtc(2027, 1, 15, 9, 1, 14), Instant.FromUtc(2027, 1, 15, 9, 1, 21),
                Instant.FromUtc(2027, 1, 15, 9, 1, 28), Instant.FromUtc(2027, 1, 15, 9, 1, 35), Instant.FromUtc(2027, 1, 15, 9, 1, 42),
                Instant.FromUtc(2027, 1, 15, 9, 1, 49), Instant.FromUtc(2027, 1, 15, 9, 1, 56),
            ],
            waiting.Select(m => m.NextAttemptAt).Order());

        // At 09:01:07 only the one tried first is due again (with several delivery workers, not
        // necessarily the lowest id); it is sent at that instant.
        var triedFirst = Assert.Single(waiting, m => m.NextAttemptAt == Instant.FromUtc(2027, 1, 15, 9, 1, 7)).Id;
        await server.StartAsync();
        var back = await DispatchAsync(server, Instant.FromUtc(2027, 1, 15, 9, 1, 7), new FakeClock(Instant.FromUtc(2027, 1, 15, 9, 1, 7)));

        Assert.Equal((1, 0), (back.Sent, back.Retrying));
        var first = (await MessagesAsync()).Single(m => m.Id == triedFirst);
        Assert.Equal((OutboxStatus.Sent, Instant.FromUtc(2027, 1, 15, 9, 1, 7)), (first.Status, first.SentAt));
        Assert.Equal(Wire(first.MessageId), Assert.Single(server.Received).MessageId);
    }

    [Fact]
    public async Task Each_webhook_is_signed_with_the_instant_it_is_sent_and_a_failure_retries_from_its_own_attempt()
    {
        using var receiver = new WebhookReceiver(200, 500);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.NoticeReceived, WebhookEventTypes.NoticeWithdrawn);
        var subscription = await Book.ExampleAsync();
        Clock.Reset(Instant.FromUtc(2028, 3, 1, 9, 0));
        await FileAndWithdrawNoticeAsync(subscription.Id);
        // A pass that lasts: 09:00 for the cut-off, then 4 minutes further at each delivery's reading,
        // so the second is sent 8 minutes after the cut-off, beyond a receiver's 5-minute tolerance.
        var clock = new FakeClock(Instant.FromUtc(2028, 3, 1, 9, 0), Duration.FromMinutes(4));

        var dueBy = clock.GetCurrentInstant();
        var result = await new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), clock).DispatchAsync(dueBy);

        Assert.Equal((1, 1, 0), (result.Delivered, result.Retrying, result.Failed));
        var received = receiver.Received;
        // 2028-03-01T09:04:00Z and 09:08:00Z in Unix seconds (date -u -d ... +%s).
        Assert.Equal(["1835514240", "1835514480"], received.Select(r => r.Timestamp));
        Assert.All(received, r => Assert.True(long.Parse(r.Timestamp, CultureInfo.InvariantCulture) > dueBy.ToUnixTimeSeconds()));

        var deliveries = (await DeliveriesAsync(endpoint.Id)).OrderBy(d => d.Id).ToList();
        Assert.Equal(
            [(WebhookDeliveryStatus.Delivered, (Instant?)Instant.FromUtc(2028, 3, 1, 9, 4)), (WebhookDeliveryStatus.Pending, null)],
            deliveries.Select(d => (d.Status, d.DeliveredAt)));
        Assert.Equal(
            [Instant.FromUtc(2028, 3, 1, 9, 4), Instant.FromUtc(2028, 3, 1, 9, 8)],
            deliveries.Select(d => Assert.Single(d.Log).At));
        Assert.Equal(received[0].Timestamp, deliveries[0].DeliveredAt!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        // The failure waits its 30 s from its own attempt at 09:08.
        Assert.Equal(Instant.FromUtc(2028, 3, 1, 9, 8, 30), deliveries[1].NextAttemptAt);

        // The reference library, as a receiver reading its clock when each request arrives, accepts both.
        await StandardWebhooksVerifier.VerifyAsync(received[0], endpoint.Secret, 1835514240);
        await StandardWebhooksVerifier.VerifyAsync(received[1], endpoint.Secret, 1835514480);
    }

    /// <summary>3-year sales from 2027-01-15 and the engine's run that day: their first messages wait in the outbox.</summary>
    private async Task SalesAsync(params string[] names)
    {
        foreach (var name in names)
        {
            var account = await Book.AccountAsync(name);
            await Book.SellAsync(account.Id, Date("2027-01-15"));
        }

        await RunOnAsync(Date("2027-01-15"));
    }

    private async Task FileAndWithdrawNoticeAsync(long subscriptionId)
    {
        long noticeId;
        await using (var db = Database.Context())
        {
            var notice = new WrittenNotice(Instant.FromUtc(2028, 2, 28, 23, 0), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer);
            noticeId = (await new CancellationService(db, Clock).FileAsync(subscriptionId, notice, "test")).Id;
        }

        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).WithdrawAsync(noticeId, "test");
        }
    }

    private async Task<DispatchResult> DispatchAsync(TestSmtpServer server, Instant dueBy, IClock clock)
    {
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Attachments.For(Invoicing.Seller.Default));
        await using var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None));
        return await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, clock).DispatchAsync(dueBy);
    }

    private async Task<List<OutboxMessage>> MessagesAsync()
    {
        await using var db = Database.Context();
        return await db.Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    private WebhookAdminService Admin_(RenewalsDbContext db) =>
        new(db, Clock, new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), Clock, OnLoopback));

    private async Task<WebhookEndpointView> AddEndpointAsync(string url, params string[] types)
    {
        await using var db = Database.Context();
        return await Admin_(db).AddAsync(Admin, new NewWebhookEndpoint(url, types));
    }

    private async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(long endpointId)
    {
        await using var db = Database.Context();
        return await Admin_(db).DeliveriesAsync(Admin, endpointId);
    }

    private static string Wire(string stored) => stored.Trim('<', '>').Split('@')[0] + "@vendor.example";
}
