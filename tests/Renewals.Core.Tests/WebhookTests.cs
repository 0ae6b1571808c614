using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Cancellations;
using Renewals.Core.Hosting;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteWebhookTests() : WebhookTests(DatabaseProvider.Sqlite);

public sealed class PostgresWebhookTests() : WebhookTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Webhooks as the Standard Webhooks specification has them, each delivery checked by its
/// reference library (npm standardwebhooks, run by node): events queued in the transaction
/// of what they report, retried after a failure, replayed on request, with the same webhook-id.
/// </summary>
public abstract class WebhookTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Admin = new Actor.Admin("alice");
    private static readonly ServiceProvider Http = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    [Fact]
    public async Task A_renewal_is_delivered_signed_retried_after_a_500_and_replayed_with_the_same_webhook_id()
    {
        using var receiver = new WebhookReceiver(500, 200);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.SubscriptionRenewed);
        var subscription = await Book.ExampleAsync(); // Paris, 3 years from 2027-01-15: renews on 2030-01-15

        await RunOnAsync(Date("2030-01-15"));
        var first = await DispatchAsync();
        Clock.Advance(Duration.FromSeconds(29));
        var tooEarly = await DispatchAsync();
        Clock.Advance(Duration.FromSeconds(1));
        var second = await DispatchAsync();
        Clock.Advance(Duration.FromMinutes(5));
        var replay = await ReplayAsync((await DeliveriesAsync(endpoint.Id)).Single().Id);

        Assert.Equal((0, 1, 0), (first.Delivered, first.Retrying, first.Failed));
        Assert.Equal((0, 0, 0), (tooEarly.Delivered, tooEarly.Retrying, tooEarly.Failed));
        Assert.Equal((1, 0, 0), (second.Delivered, second.Retrying, second.Failed));
        Assert.Equal(200, replay.StatusCode);

        // Three requests: the one answered 500, its retry 30 s later, the replay 5 min after.
        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        var start = Instant.FromUtc(2026, 12, 1, 12, 0).ToUnixTimeSeconds();
        Assert.Equal([start, start + 30, start + 330], received.Select(r => long.Parse(r.Timestamp, CultureInfo.InvariantCulture)));
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.Equal($"msg_s{subscription.Id}.t2.subscription.renewed", received[0].Id);
        Assert.All(received, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        foreach (var r in received)
        {
            var payload = await StandardWebhooksVerifier.VerifyAsync(r, endpoint.Secret, long.Parse(r.Timestamp, CultureInfo.InvariantCulture));
            Assert.Equal("subscription.renewed", payload.GetProperty("type").GetString());
            var data = payload.GetProperty("data");
            Assert.Equal((subscription.Id, 2, "2030-01-15", "2031-01-15"), (data.GetProperty("subscription_id").GetInt64(),
                data.GetProperty("term_number").GetInt32(), data.GetProperty("renewed_from").GetString(), data.GetProperty("renewal_date").GetString()));
        }

        // A signature made with another secret is refused by the library: the check is not a formality.
        var (forgedOk, _) = await StandardWebhooksVerifier.RunAsync(received[0], StandardWebhooks.NewSecret(), start);
        Assert.False(forgedOk);

        var delivery = (await DeliveriesAsync(endpoint.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Delivered, 2), (delivery.Status, delivery.Attempts));
        Assert.Equal(
            [(500, false, "receiver busy, try again later"), (200, false, "thanks"), (200, true, "thanks")],
            delivery.Log.Select(a => (a.StatusCode ?? 0, a.IsReplay, a.ResponseExcerpt ?? "")));
        Assert.Equal("HTTP 500 Internal Server Error", delivery.Log[0].Error);
    }

    [Fact]
    public async Task A_notice_filed_and_withdrawn_reaches_the_endpoint_that_hears_notices_and_not_the_one_that_hears_invoices()
    {
        using var notices = new WebhookReceiver(200);
        using var invoices = new WebhookReceiver(200);
        var hearsNotices = await AddEndpointAsync(notices.Url, WebhookEventTypes.NoticeReceived, WebhookEventTypes.NoticeWithdrawn);
        await AddEndpointAsync(invoices.Url, WebhookEventTypes.InvoiceIssued);
        var subscription = await Book.ExampleAsync();
        Clock.Reset(Instant.FromUtc(2028, 3, 1, 9, 0));

        CancellationService Service(RenewalsDbContext db) => new(db, Clock);
        long noticeId;
        await using (var db = Database.Context())
        {
            var notice = new WrittenNotice(Instant.FromUtc(2028, 2, 28, 23, 0), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer);
            noticeId = (await Service(db).FileAsync(subscription.Id, notice, "test")).Id;
        }

        await using (var db = Database.Context())
        {
            await Service(db).WithdrawAsync(noticeId, "test");
        }

        var result = await DispatchAsync();

        Assert.Equal(2, result.Delivered);
        Assert.Empty(invoices.Received);
        var payloads = new List<JsonElement>();
        foreach (var r in notices.Received)
        {
            payloads.Add(await StandardWebhooksVerifier.VerifyAsync(r, hearsNotices.Secret, Clock.GetCurrentInstant().ToUnixTimeSeconds()));
        }

        Assert.Equal([$"msg_notice{noticeId}.notice.received", $"msg_notice{noticeId}.notice.withdrawn"], notices.Received.Select(r => r.Id));
        var received = payloads[0].GetProperty("data");
        // 23:00 UTC on 28 February 2028 is 29 February in Paris; on time for the end of the first term.
        Assert.Equal(("notice.received", "2028-02-29", true, "2030-01-15"), (payloads[0].GetProperty("type").GetString(),
            received.GetProperty("received_on").GetString(), received.GetProperty("on_time").GetBoolean(), received.GetProperty("effective_end_date").GetString()));
        Assert.Equal(("notice.withdrawn", "2028-03-01"), (payloads[1].GetProperty("type").GetString(), payloads[1].GetProperty("data").GetProperty("withdrawn_on").GetString()));
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_retried_with_doubling_waits_and_given_up_after_the_last_attempt()
    {
        using var receiver = new WebhookReceiver(503);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.SubscriptionRenewed);
        await Book.ExampleAsync();
        await RunOnAsync(Date("2030-01-15"));
        var options = new WebhookOptions { MaxAttempts = 3 };

        var waits = new List<Instant>();
        for (var pass = 0; pass < 3; pass++)
        {
            await new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), Clock, options).DispatchAsync(Clock.GetCurrentInstant());
            var delivery = (await DeliveriesAsync(endpoint.Id)).Single();
            waits.Add(delivery.NextAttemptAt);
            Clock.Reset(delivery.NextAttemptAt);
        }

        Clock.Advance(Duration.FromDays(1));
        var after = await new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), Clock, options).DispatchAsync(Clock.GetCurrentInstant());

        // 12:00:00, then 30 s later, then 60 s after that; the third failure gives up (no new wait).
        var noon = Instant.FromUtc(2026, 12, 1, 12, 0);
        Assert.Equal([noon + Duration.FromSeconds(30), noon + Duration.FromSeconds(90), noon + Duration.FromSeconds(90)], waits);
        var final = (await DeliveriesAsync(endpoint.Id)).Single();
        Assert.Equal((WebhookDeliveryStatus.Failed, 3, 3), (final.Status, final.Attempts, final.Log.Count));
        Assert.Equal((0, 0, 0), (after.Delivered, after.Retrying, after.Failed));
        Assert.Equal(3, receiver.Received.Count);
        foreach (var r in receiver.Received)
        {
            await StandardWebhooksVerifier.VerifyAsync(r, endpoint.Secret, long.Parse(r.Timestamp, CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_refused_notice_queues_no_event_and_a_bad_endpoint_is_refused_with_its_reason()
    {
        using var receiver = new WebhookReceiver(200);
        await AddEndpointAsync(receiver.Url, WebhookEventTypes.NoticeReceived);
        var subscription = await Book.ExampleAsync();
        await using (var db = Database.Context())
        {
            // Dated after today (1 December 2026 in Paris): refused, so nothing happened to report.
            var notice = new WrittenNotice(Instant.FromUtc(2027, 2, 1, 9, 0), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer);
            await Assert.ThrowsAsync<DomainException>(() => new CancellationService(db, Clock).FileAsync(subscription.Id, notice, "test"));
        }

        var badUrl = await Assert.ThrowsAsync<DomainException>(() => AddEndpointAsync("ftp://example.com/hooks", WebhookEventTypes.NoticeReceived));
        var badType = await Assert.ThrowsAsync<DomainException>(() => AddEndpointAsync("https://example.com/hooks", "notice.lost"));
        var notAdmin = await Assert.ThrowsAsync<DomainException>(async () =>
        {
            await using var db = Database.Context();
            await Admin_(db).AddAsync(new Actor.Advisor(1), new NewWebhookEndpoint("https://example.com/hooks", [WebhookEventTypes.NoticeReceived]));
        });

        await using (var db = Database.Context())
        {
            Assert.Equal(0, await db.WebhookDeliveries.CountAsync());
            Assert.Equal(1, await db.WebhookEndpoints.CountAsync());
        }

        var french = CultureInfo.GetCultureInfo("fr");
        Assert.Equal("\u00ab\u00a0ftp://example.com/hooks\u00a0\u00bb n'est pas une adresse où envoyer un webhook\u00a0: indiquez une URL http ou https complète.", badUrl.Describe(french));
        Assert.StartsWith("'notice.lost' is not an event Renewals sends; the events are: milestone.carried-out, ", badType.Describe(CultureInfo.GetCultureInfo("en")), StringComparison.Ordinal);
        Assert.Equal(DomainErrors.AdministratorsOnly, notAdmin.Code);
    }

    [Fact]
    public async Task The_engine_reports_each_key_date_carried_out_and_each_invoice_with_its_number_and_a_dry_run_reports_nothing()
    {
        using var receiver = new WebhookReceiver(200);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.MilestoneCarriedOut, WebhookEventTypes.InvoiceIssued);
        var subscription = await Book.ExampleAsync(); // 3 years from 2027-01-15, yearly invoices, check-in after 90 days
        var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

        await Engine().SimulateAsync([(Date("2028-01-15"), Date("2028-01-15").AtStartOfDayInZone(paris).ToInstant())], dryRun: true, (_, _) => Task.CompletedTask);
        await using (var db = Database.Context())
        {
            Assert.Equal(0, await db.WebhookDeliveries.CountAsync());
        }

        await RunOnAsync(Date("2028-01-15"));
        var result = await DispatchAsync();

        Assert.Equal(5, result.Delivered);
        var heard = new List<(string Type, string What)>();
        foreach (var r in receiver.Received)
        {
            var payload = await StandardWebhooksVerifier.VerifyAsync(r, endpoint.Secret, Clock.GetCurrentInstant().ToUnixTimeSeconds());
            var data = payload.GetProperty("data");
            heard.Add(payload.GetProperty("type").GetString() switch
            {
                "milestone.carried-out" => ("milestone.carried-out", $"{data.GetProperty("kind").GetString()} {data.GetProperty("date").GetString()} {data.GetProperty("outcome").GetString()}"),
                var type => (type!, $"{data.GetProperty("number").GetString()} {data.GetProperty("issued_on").GetString()} {data.GetProperty("total").GetDecimal().ToString("0.00", CultureInfo.InvariantCulture)} {data.GetProperty("currency").GetString()}"),
            });
            Assert.Equal(subscription.Id, data.GetProperty("subscription_id").GetInt64());
        }

        // 10 licences at 1,000 EUR a year, 20 % VAT: 12,000.00 a year.
        Assert.Equal(
            [
                ("invoice.issued", "INV-2027-000001 2027-01-15 12000.00 EUR"),
                ("invoice.issued", "INV-2028-000001 2028-01-15 12000.00 EUR"),
                ("milestone.carried-out", "check-in 2027-04-15 advisor-task-created"),
                ("milestone.carried-out", "start 2027-01-15 welcomed-and-invoiced"),
                ("milestone.carried-out", "yearly-invoice 2028-01-15 invoiced"),
            ],
            heard.Order());
    }

    [Fact]
    public async Task A_message_the_mail_server_refuses_for_good_is_reported_dead_lettered()
    {
        using var receiver = new WebhookReceiver(200);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.MessageDeadLettered);
        await Book.ExampleAsync();
        await RunOnAsync(Date("2027-01-15"));
        Clock.Reset(Instant.FromUtc(2027, 1, 15, 9, 0));
        await using (var server = new TestSmtpServer())
        {
            server.Refuse("ap@acme.example");
            await server.StartAsync();
            var composer = new Messaging.MessageComposer(new Messaging.MessageRenderer(Messaging.TemplateLibrary.FromSetting(null)), new Messaging.DeliveryOptions());
            await using var transport = new Messaging.SmtpTransport(new Messaging.SmtpSettings("127.0.0.1", server.Port, Messaging.SmtpTls.None));
            await new Messaging.OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, Clock).DispatchAsync(Clock.GetCurrentInstant());
        }

        await DispatchAsync();

        var r = Assert.Single(receiver.Received);
        var data = (await StandardWebhooksVerifier.VerifyAsync(r, endpoint.Secret, Clock.GetCurrentInstant().ToUnixTimeSeconds())).GetProperty("data");
        Assert.Equal(("invoice", 1), (data.GetProperty("template").GetString(), data.GetProperty("attempts").GetInt32()));
        Assert.Contains("550", data.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_dated_the_deadline_day_filed_after_the_term_locked_reports_the_end_each_time_it_is_filed()
    {
        using var receiver = new WebhookReceiver(200);
        var endpoint = await AddEndpointAsync(receiver.Url, WebhookEventTypes.SubscriptionEnding);
        var subscription = await Book.ExampleAsync(); // deadline 2029-11-16, carried out once that day is over
        await RunOnAsync(Date("2029-11-17"));
        Clock.Reset(Instant.FromUtc(2029, 11, 17, 10, 0));

        var notices = new List<long>();
        for (var filing = 0; filing < 2; filing++)
        {
            await using var db = Database.Context();
            var service = new CancellationService(db, Clock);
            var notice = new WrittenNotice(Instant.FromUtc(2029, 11, 16, 9, 0), NoticeChannel.PostalLetter, "Jane Primary", new string('a', 64), NoticeFiler.Customer);
            notices.Add((await service.FileAsync(subscription.Id, notice, "test")).Id);
            if (filing == 0)
            {
                await service.WithdrawAsync(notices[0], "test");
            }
        }

        await DispatchAsync();

        Assert.Equal(notices.Select(n => $"msg_s{subscription.Id}.notice{n}.subscription.ending"), receiver.Received.Select(r => r.Id));
        foreach (var r in receiver.Received)
        {
            var data = (await StandardWebhooksVerifier.VerifyAsync(r, endpoint.Secret, Clock.GetCurrentInstant().ToUnixTimeSeconds())).GetProperty("data");
            Assert.Equal("2030-01-15", data.GetProperty("ends_on").GetString());
        }
    }

    // The receivers of these tests listen on loopback: the operator's setting that allows it.
    private static readonly WebhookOptions OnLoopback = new() { AllowPrivateNetworks = true };

    [Theory]
    [InlineData("http://127.0.0.1:8080/hooks")]
    [InlineData("http://localhost/hooks")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.5/hooks")]
    [InlineData("https://192.168.1.20/hooks")]
    [InlineData("http://[::1]:9000/hooks")]
    [InlineData("http://[fd00::1]/hooks")]
    [InlineData("http://[::ffff:127.0.0.1]/hooks")]
    public async Task A_receiver_on_this_server_or_a_private_network_is_refused_unless_the_operator_allows_it(string url)
    {
        await using var db = Database.Context();
        var refused = await Assert.ThrowsAsync<DomainException>(() => Admin_(db, new WebhookOptions()).AddAsync(Admin, new NewWebhookEndpoint(url, [WebhookEventTypes.NoticeReceived])));

        Assert.Equal(DomainErrors.WebhookUrlPrivate, refused.Code);
        Assert.Equal($"'{url}' points at this server or a private network: webhooks go to public receivers only.", refused.Describe(CultureInfo.GetCultureInfo("en")));
        Assert.Equal(0, await db.WebhookEndpoints.CountAsync());
        await Admin_(db).AddAsync(Admin, new NewWebhookEndpoint(url, [WebhookEventTypes.NoticeReceived]));
        Assert.Equal(1, await db.WebhookEndpoints.CountAsync());
    }

    [Fact]
    public async Task A_receiver_whose_name_resolves_to_loopback_is_not_connected_to_by_the_configured_client()
    {
        using var receiver = new WebhookReceiver(200);
        // Registered while allowed (or under a name that resolved elsewhere then), delivered by the
        // client AddRenewals composes for an operator who did not allow private networks.
        var endpoint = await AddEndpointAsync(receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), WebhookEventTypes.SubscriptionRenewed);
        await Book.ExampleAsync();
        await RunOnAsync(Date("2030-01-15"));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Renewals:Database"] = Database.Setting }).Build();
        await using var services = new ServiceCollection().AddRenewals(configuration).BuildServiceProvider();

        var result = await new WebhookDispatcher(Database.Database, services.GetRequiredService<IHttpClientFactory>(), Clock, services.GetRequiredService<WebhookOptions>())
            .DispatchAsync(Clock.GetCurrentInstant());

        Assert.Equal((0, 1, 0), (result.Delivered, result.Retrying, result.Failed));
        Assert.Empty(receiver.Received);
        var attempt = Assert.Single(Assert.Single(await DeliveriesAsync(endpoint.Id)).Log);
        Assert.Null(attempt.StatusCode);
        Assert.Contains("localhost is not a public address", attempt.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.9", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("172.15.0.1", true)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.128.0.1", true)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void Public_addresses_are_told_from_loopback_private_and_link_local_ones(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookNetwork.IsPublic(System.Net.IPAddress.Parse(address)));

    private WebhookAdminService Admin_(RenewalsDbContext db, WebhookOptions? options = null) =>
        new(db, Clock, new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), Clock, options ?? OnLoopback));

    private async Task<WebhookEndpointView> AddEndpointAsync(string url, params string[] types)
    {
        await using var db = Database.Context();
        return await Admin_(db).AddAsync(Admin, new NewWebhookEndpoint(url, types));
    }

    private Task<WebhookDispatchResult> DispatchAsync() =>
        new WebhookDispatcher(Database.Database, Http.GetRequiredService<IHttpClientFactory>(), Clock).DispatchAsync(Clock.GetCurrentInstant());

    private async Task<WebhookAttemptView> ReplayAsync(long deliveryId)
    {
        await using var db = Database.Context();
        return await Admin_(db).ReplayAsync(Admin, deliveryId);
    }

    private async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(long endpointId)
    {
        await using var db = Database.Context();
        return await Admin_(db).DeliveriesAsync(Admin, endpointId);
    }
}
