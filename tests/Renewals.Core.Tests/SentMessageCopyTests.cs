using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteSentMessageCopyTests() : SentMessageCopyTests(DatabaseProvider.Sqlite);

public sealed class PostgresSentMessageCopyTests() : SentMessageCopyTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The customer's message centre shows each message as the SMTP server received it (ADR 011),
/// whatever changed since: the expected subject, bodies and attachment names are read from the
/// messages the in-process server accepted, not from the code that stores the copy.
/// </summary>
public abstract class SentMessageCopyTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private MessageComposer Composer { get; } = new(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Attachments.For(Seller.Default));

    [Fact]
    public async Task The_portal_shows_each_delivered_message_as_the_server_received_it_after_the_contact_is_renamed()
    {
        var account = await Book.AccountAsync(name: "Acme");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        var stranger = await Book.AccountAsync(name: "Globex");
        await Book.SellAsync(stranger.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));
        var received = await DeliverAsync(Instant.FromUtc(2027, 1, 15, 8, 0));
        var ours = received.Where(m => m.To.Mailboxes.Any(a => a.Address.EndsWith("@acme.example", StringComparison.Ordinal))).ToList();
        Assert.True(ours.Count >= 3, $"day 1 sends at least a confirmation, a welcome and an invoice; got {ours.Count}");
        Assert.Contains(ours, m => m.Attachments.Any());

        await RenamePrimaryContactAsync(account.Id, "Jane Primary", "Zoé Nouvelle");

        await using var db = Database.Context();
        var portal = new PortalAccountService(db, Composer, new PurchaseOrderService(db, Clock));
        var customer = new PortalCustomer(account.Id);
        var listed = await portal.MessagesAsync(customer);
        Assert.Equal(ours.Count, listed.Count);
        foreach (var mime in ours)
        {
            // Each (template, recipient) is sent once on day 1.
            var template = mime.Headers["X-Renewals-Template"];
            var to = mime.To.Mailboxes.Single().Address;
            var row = await db.Outbox.AsNoTracking().SingleAsync(m => m.AccountId == account.Id && m.Template == template && m.ToEmail == to);
            var shown = await portal.MessageAsync(customer, row.Id);
            Assert.NotNull(shown);
            Assert.Equal(mime.Subject, shown.Subject);
            Assert.Equal(mime.TextBody ?? "", shown.Text);
            Assert.Equal(mime.HtmlBody ?? "", shown.Html);
            Assert.Equal(mime.Attachments.Select(a => ((MimePart)a).FileName), shown.Attachments);
            Assert.Equal(mime.Subject, Assert.Single(listed, m => m.Id == row.Id).Subject);
            Assert.Null(await portal.MessageAsync(new PortalCustomer(stranger.Id), row.Id));
        }

        // The rename shows in a message composed today, so the copy is what keeps the old name.
        var welcome = await db.Outbox.AsNoTracking().SingleAsync(m => m.AccountId == account.Id && m.Template == MessageKinds.Welcome);
        Assert.Contains("Jane Primary", (await portal.MessageAsync(customer, welcome.Id))!.Text, StringComparison.Ordinal);
        Assert.Contains("Zoé Nouvelle", (await Composer.ComposeAsync(db, welcome, welcome.SentAt!.Value, default)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_is_kept_exactly_for_each_message_recorded_as_sent_and_one_sent_before_copies_were_kept_is_composed_again()
    {
        var account = await Book.AccountAsync(name: "Acme");
        await Book.SellAsync(account.Id, Date("2027-01-15"), years: 1);
        await RunOnAsync(Date("2027-01-15"));
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 8, 0));
        // A second pass finds nothing due and copies nothing twice.
        await DeliverAsync(Instant.FromUtc(2027, 1, 15, 9, 0));

        await using var db = Database.Context();
        var sent = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Sent).Select(m => m.Id).OrderBy(id => id).ToListAsync();
        Assert.NotEmpty(sent);
        Assert.Equal(sent, await db.SentMessageCopies.AsNoTracking().Select(c => c.OutboxId).OrderBy(id => id).ToListAsync());

        // As if delivered before this change: no copy, the page composes it again with today's name.
        var welcome = await db.Outbox.AsNoTracking().SingleAsync(m => m.AccountId == account.Id && m.Template == MessageKinds.Welcome);
        await db.SentMessageCopies.Where(c => c.OutboxId == welcome.Id).ExecuteDeleteAsync();
        await RenamePrimaryContactAsync(account.Id, "Jane Primary", "Zoé Nouvelle");
        var portal = new PortalAccountService(db, Composer, new PurchaseOrderService(db, Clock));
        var shown = await portal.MessageAsync(new PortalCustomer(account.Id), welcome.Id);
        Assert.NotNull(shown);
        Assert.Contains("Zoé Nouvelle", shown.Text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(await portal.MessagesAsync(new PortalCustomer(account.Id)), m => m.Id == welcome.Id).Subject));
    }

    private async Task RenamePrimaryContactAsync(long accountId, string from, string to)
    {
        await using var db = Database.Context();
        var contact = await db.Contacts.SingleAsync(c => c.AccountId == accountId && c.Name == from);
        contact.Name = to;
        await db.SaveChangesAsync();
    }

    private async Task<IReadOnlyList<MimeMessage>> DeliverAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, Composer, transport, Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        return server.Received;
    }
}
