using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteMessageBatchTests() : MessageBatchTests(DatabaseProvider.Sqlite);

public sealed class PostgresMessageBatchTests() : MessageBatchTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The dispatcher reads what a claimed batch's messages need in a few set queries
/// (<see cref="MessageBatch"/>): every message composed from its batch must say exactly what it
/// says composed on its own, the way it was composed before the batch existed.
/// </summary>
public abstract class MessageBatchTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task Every_message_composed_from_its_batch_is_the_message_composed_alone()
    {
        // As the delivery bench does: the book planned "today", the engine's clock early, so the
        // outbox holds every kind the engine writes (invoices with their PDF, reminders, partner sales).
        var today = Instant.FromUtc(2026, 11, 26, 0, 0);
        await new DemoBook(Database.Database, new FakeClock(today)).GenerateAsync(40, 2027);
        await new RenewalEngine(Database.Database, new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0))).RunAsync(Instant.FromUtc(2027, 4, 1, 0, 0));
        var now = today + Duration.FromHours(12);
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Attachments.For(Invoicing.Seller.Default));

        await using var db = Database.Context();
        var messages = await db.Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
        var sold = await db.Subscriptions.AsNoTracking().Where(s => s.PartnerContract != null).Select(s => s.Id).ToListAsync();
        // The batch must carry what matters: invoices, reminders, and subscriptions sold through a partner.
        Assert.Contains(messages, m => m.InvoiceId is not null);
        Assert.Contains(messages, m => m.Template == MessageKinds.Reminder);
        Assert.Contains(messages, m => m.SubscriptionId is { } id && sold.Contains(id));

        var batch = await MessageBatch.LoadAsync(db, messages, CancellationToken.None);
        foreach (var message in messages)
        {
            var alone = await composer.ComposeAsync(db, message, now, CancellationToken.None);
            var batched = await composer.ComposeAsync(db, message, now, batch, CancellationToken.None);
            Assert.Equal(alone.Subject, batched.Subject);
            Assert.Equal(alone.To.ToString(), batched.To.ToString());
            Assert.Equal(alone.TextBody, batched.TextBody);
            Assert.Equal(alone.HtmlBody, batched.HtmlBody);
            Assert.Equal(alone.Attachments.Select(a => a.ContentDisposition?.FileName), batched.Attachments.Select(a => a.ContentDisposition?.FileName));
        }
    }

    [Fact]
    public async Task A_contact_missing_from_the_batch_is_read_on_its_own_and_its_absence_fails_that_message_alone()
    {
        var today = Instant.FromUtc(2026, 11, 26, 0, 0);
        await new DemoBook(Database.Database, new FakeClock(today)).GenerateAsync(5, 2027);
        await new RenewalEngine(Database.Database, new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0))).RunAsync(Instant.FromUtc(2027, 4, 1, 0, 0));
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
        await using var db = Database.Context();
        var message = await db.Outbox.AsNoTracking().Where(m => m.ContactId != null).OrderBy(m => m.Id).FirstAsync();
        // A batch read for no message knows nobody: the composer reads the contact itself.
        var empty = await MessageBatch.LoadAsync(db, [], CancellationToken.None);
        var mime = await composer.ComposeAsync(db, message, today, empty, CancellationToken.None);
        var email = await db.Contacts.Where(c => c.Id == message.ContactId).Select(c => c.Email).SingleAsync();
        Assert.Equal(email, Assert.Single(mime.To.Mailboxes).Address);

        var stranger = new Data.Model.OutboxMessage
        {
            Template = message.Template,
            Language = message.Language,
            ToEmail = "nobody@example.com",
            Payload = message.Payload,
            MessageId = "x@y",
            ContactId = long.MaxValue,
            AccountId = message.AccountId,
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => composer.ComposeAsync(db, stranger, today, empty, CancellationToken.None));
    }
}
