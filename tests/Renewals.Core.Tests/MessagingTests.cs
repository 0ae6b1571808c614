using System.Text.RegularExpressions;
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

public sealed class SqliteMessagingTests() : MessagingTests(DatabaseProvider.Sqlite);

public sealed class PostgresMessagingTests() : MessagingTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The outbox delivered to a real SMTP server in the test process: what the engine writes
/// arrives as real mail, parsed back with MimeKit; failures are retried with the same
/// Message-ID, dead-lettered after the last attempt, and retried by an operator.
/// </summary>
public abstract partial class MessagingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    // Delivered on the renewal's eve (Paris), when every message of the book still serves its
    // purpose: a reminder delivered once its renewal has come, or a licence announced once it
    // has run out, would be discarded rather than sent (MessagePurposeTests).
    private static readonly Instant RenewalEve = Instant.FromUtc(2028, 1, 14, 8, 0);

    [Fact]
    public async Task Every_message_the_engine_writes_arrives_by_smtp_in_its_recipients_language_with_text_and_html()
    {
        var (fr, en) = await BookWithEveryKindAsync();
        await using var server = new TestSmtpServer();
        await server.StartAsync();

        var result = await DispatchAsync(server, RenewalEve, attachments: Messaging.Attachments.For(Invoicing.Seller.Default));

        var stored = await MessagesAsync();
        Assert.Equal(stored.Count, result.Sent);
        Assert.All(stored, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        var received = server.Received;
        Assert.Equal(stored.Count, received.Count);
        Assert.Equal(
            [MessageKinds.CancellationAcknowledgement, MessageKinds.ConfirmationLetter, MessageKinds.Invoice, MessageKinds.LicenceAvailable,
             MessageKinds.Reminder, MessageKinds.RenewalConfirmation, MessageKinds.SubscriptionEnded, MessageKinds.Welcome],
            received.Select(Template).Distinct().Order(StringComparer.Ordinal));

        await using var db = Database.Context();
        var contacts = await db.Contacts.AsNoTracking().ToDictionaryAsync(c => c.Id);
        foreach (var row in stored)
        {
            var mail = Assert.Single(received, r => r.MessageId == Wire(row.MessageId));
            var to = Assert.Single(mail.To.Mailboxes);
            var contact = contacts[row.ContactId!.Value];
            Assert.Equal(contact.Email, to.Address);
            if (row.Template == MessageKinds.Invoice)
            {
                // To accounts payable; the primary contact gets the first invoice as a copy, marked as such.
                Assert.True(contact.Role == ContactRole.AccountsPayable || (mail.Subject ?? "").StartsWith("Cop", StringComparison.Ordinal), mail.Subject);
            }
            else if (row.Template != MessageKinds.Reminder)
            {
                Assert.Equal(ContactRole.Primary, contact.Role);
            }
            Assert.Equal(contact.Language, Language(mail));
            Assert.False(string.IsNullOrWhiteSpace(mail.TextBody));
            Assert.False(string.IsNullOrWhiteSpace(mail.HtmlBody));
            Assert.DoesNotContain("{{", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("{%", mail.HtmlBody, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(mail.Subject));
        }

        // Every invoice email carries its invoice as a PDF; other messages carry nothing.
        await using (var check = Database.Context())
        {
            var numbers = await check.Invoices.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Number);
            foreach (var row in stored)
            {
                var mail = received.Single(r => r.MessageId == Wire(row.MessageId));
                if (row.InvoiceId is { } invoiceId)
                {
                    var pdf = Assert.IsType<MimePart>(Assert.Single(mail.Attachments));
                    Assert.Equal(("application/pdf", numbers[invoiceId] + ".pdf"), (pdf.ContentType.MimeType, pdf.FileName));
                    using var content = new MemoryStream();
                    await pdf.Content!.DecodeToAsync(content);
                    using var document = UglyToad.PdfPig.PdfDocument.Open(content.ToArray());
                    Assert.Contains(numbers[invoiceId]!, string.Concat(document.GetPages().Select(p => p.Text)), StringComparison.Ordinal);
                }
                else
                {
                    Assert.Empty(mail.Attachments);
                }
            }
        }

        // Invoices go to accounts payable; the French ones are written the French way.
        var frenchInvoice = received.Single(r => Template(r) == MessageKinds.Invoice && To(r) == fr.AccountsPayable && Text(r).Contains("2027-000", StringComparison.Ordinal));
        Assert.Contains("Facture INV-2027-", frenchInvoice.Subject, StringComparison.Ordinal);
        Assert.Contains("du 15 janvier 2027 au 14 janvier 2028", Text(frenchInvoice), StringComparison.Ordinal);
        Assert.Contains("Total TTC : 12 000,00 €", Text(frenchInvoice), StringComparison.Ordinal);
        Assert.Contains("TVA (20 %) : 2 000,00 €", Text(frenchInvoice), StringComparison.Ordinal);
        // Day 1: the primary contact gets the first invoice too, as a copy that says where it went.
        var copy = received.Single(r => Template(r) == MessageKinds.Invoice && To(r) == fr.Primary);
        Assert.StartsWith("Copie : Facture INV-2027-", Spaces().Replace(copy.Subject ?? "", " "), StringComparison.Ordinal);
        Assert.Contains("copie pour information : la facture a été envoyée à", Text(copy), StringComparison.Ordinal);
        Assert.Contains(fr.AccountsPayable, Text(copy), StringComparison.Ordinal);
        // Web-account licences are announced on day 1, valid for the whole first term.
        Assert.Contains(received, r => Template(r) == MessageKinds.LicenceAvailable && To(r) == fr.Primary
            && Text(r).Contains("valable du 15 janvier 2027 au 14 janvier 2028 inclus", StringComparison.Ordinal));
        var englishInvoice = received.First(r => Template(r) == MessageKinds.Invoice && To(r) == en.AccountsPayable);
        Assert.Contains("Total: €12,000.00", Text(englishInvoice), StringComparison.Ordinal);
        Assert.Contains("15 January 2027", Text(englishInvoice), StringComparison.Ordinal);

        // The reminder names what is still to do: the French account needs a purchase order and has none.
        var frenchReminder = received.First(r => Template(r) == MessageKinds.Reminder && To(r) == fr.Primary);
        Assert.Contains("Émettez le bon de commande", Text(frenchReminder), StringComparison.Ordinal);
        Assert.Contains("16 novembre 2027", Text(frenchReminder), StringComparison.Ordinal); // the deadline
        Assert.Contains(received, r => Template(r) == MessageKinds.Reminder && To(r) == fr.AccountsPayable);

        // The confirmation letter carries the term's key dates.
        var letter = received.Single(r => Template(r) == MessageKinds.ConfirmationLetter && To(r) == fr.Primary);
        foreach (var date in new[] { "15 janvier 2027", "15 avril 2027", "17 septembre 2027", "16 novembre 2027", "15 janvier 2028" })
        {
            Assert.Contains(date, Text(letter), StringComparison.Ordinal);
        }

        var acknowledgement = received.Single(r => Template(r) == MessageKinds.CancellationAcknowledgement);
        Assert.Equal(en.Primary, To(acknowledgement));
        Assert.Contains("its last day is 14 January 2028", Text(acknowledgement), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smtp_down_then_back_loses_nothing_and_each_message_keeps_its_message_id()
    {
        await BookWithEveryKindAsync();
        var stored = await MessagesAsync();
        await using var server = new TestSmtpServer(); // not started: connections are refused

        var down = await DispatchAsync(server, RenewalEve);

        Assert.Equal((0, stored.Count, 0), (down.Sent, down.Retrying, down.DeadLettered));
        var waiting = await MessagesAsync();
        Assert.All(waiting, m => Assert.Equal((OutboxStatus.Pending, 1, RenewalEve + Duration.FromMinutes(1)), (m.Status, m.Attempts, m.NextAttemptAt)));
        Assert.All(waiting, m => Assert.False(string.IsNullOrEmpty(m.LastError)));
        // Not due again before its delay.
        Assert.Equal(0, (await DispatchAsync(server, RenewalEve + Duration.FromSeconds(59))).Retrying);

        await server.StartAsync();
        var back = await DispatchAsync(server, RenewalEve + Duration.FromMinutes(1));

        Assert.Equal(stored.Count, back.Sent);
        Assert.Equal(stored.Select(m => Wire(m.MessageId)).Order(StringComparer.Ordinal), server.Received.Select(r => r.MessageId).Order(StringComparer.Ordinal));
        Assert.All(await MessagesAsync(), m => Assert.Equal((OutboxStatus.Sent, 2), (m.Status, m.Attempts)));
        Assert.Equal(0, (await DispatchAsync(server, RenewalEve + Duration.FromDays(1))).Sent);
    }

    [Fact]
    public async Task After_the_last_attempt_a_message_is_dead_lettered_and_an_operator_retry_delivers_it_with_the_same_id()
    {
        await BookWithEveryKindAsync();
        var count = (await MessagesAsync()).Count;
        await using var server = new TestSmtpServer();
        var options = new DeliveryOptions { MaxAttempts = 3 };

        var at = RenewalEve;
        var first = await DispatchAsync(server, at, options);
        at += Duration.FromMinutes(1);
        var second = await DispatchAsync(server, at, options);
        at += Duration.FromMinutes(2); // the delay doubles
        var third = await DispatchAsync(server, at, options);

        Assert.Equal((count, count, 0), (first.Retrying, second.Retrying, second.DeadLettered));
        Assert.Equal(count, third.DeadLettered);
        var dead = await new OutboxAdmin(Database.Database, Clock).ListAsync(OutboxStatus.DeadLettered, 1000);
        Assert.Equal(count, dead.Count);
        await using (var db = Database.Context())
        {
            Assert.Equal(count, await db.Audit.CountAsync(a => a.Action == "message.dead-lettered"));
        }

        Assert.Equal(0, (await DispatchAsync(server, at + Duration.FromHours(12), options)).Sent);

        await server.StartAsync();
        Clock.Reset(at + Duration.FromHours(12));
        var retried = await new OutboxAdmin(Database.Database, Clock).RetryAsync([], "operator");
        Assert.Equal(count, retried.Count);
        var delivered = await DispatchAsync(server, at + Duration.FromHours(12), options);

        Assert.Equal(count, delivered.Sent);
        Assert.Equal(dead.Select(m => Wire(m.MessageId)).Order(StringComparer.Ordinal), server.Received.Select(r => r.MessageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_recipient_refused_for_good_is_dead_lettered_at_once_and_the_others_are_delivered()
    {
        var (fr, _) = await BookWithEveryKindAsync();
        await using var server = new TestSmtpServer();
        server.Refuse(fr.AccountsPayable);
        await server.StartAsync();

        var result = await DispatchAsync(server, RenewalEve);

        var messages = await MessagesAsync();
        var refused = messages.Where(m => m.ToEmail == fr.AccountsPayable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, m => Assert.Equal((OutboxStatus.DeadLettered, 1), (m.Status, m.Attempts)));
        Assert.All(refused, m => Assert.Contains("550", m.LastError, StringComparison.Ordinal));
        Assert.Equal((messages.Count - refused.Count, refused.Count), (result.Sent, result.DeadLettered));
        Assert.DoesNotContain(server.Received, r => To(r) == fr.AccountsPayable);
    }

    [Fact]
    public async Task A_broken_template_is_named_with_its_line_and_nothing_is_sent_with_it()
    {
        await BookWithEveryKindAsync();
        var folder = CopyTemplates();
        File.WriteAllText(Path.Combine(folder, "fr", "reminder.html.liquid"), "<p>Bonjour {{ recipient.name }},</p>\n<p>Rappel</p>\n{% if days > %}\n<p>fin</p>\n{% endif %}\n");
        var broken = new TemplateLibrary(folder);

        var error = Assert.Single(broken.Check());
        Assert.Equal(Path.Combine("fr", "reminder.html.liquid"), error.Template);
        Assert.Equal(3, error.Line);

        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var result = await DispatchAsync(server, RenewalEve, templates: broken);

        var frenchReminders = (await MessagesAsync()).Where(m => m.Template == MessageKinds.Reminder && m.Language == "fr").ToList();
        Assert.NotEmpty(frenchReminders);
        Assert.All(frenchReminders, m => Assert.Equal(OutboxStatus.Pending, m.Status));
        Assert.All(frenchReminders, m => Assert.Contains("reminder.html.liquid, line 3", m.LastError, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Received, r => Template(r) == MessageKinds.Reminder && Language(r) == "fr");
        Assert.Equal(frenchReminders.Count, result.Retrying);

        // Fixed: they go out at their next attempt.
        var fixedResult = await DispatchAsync(server, RenewalEve + Duration.FromMinutes(1));
        Assert.Equal(frenchReminders.Count, fixedResult.Sent);
    }

    [Fact]
    public async Task With_no_smtp_server_messages_are_written_as_eml_files_named_by_message_id()
    {
        await BookWithEveryKindAsync();
        var folder = Path.Combine(Path.GetTempPath(), "renewals-pickup-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var pickup = new PickupFolderTransport(folder))
            {
                var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions());
                var result = await new OutboxDispatcher(Database.Database, composer, pickup, Invoicing.Seller.Default, new FakeClock(RenewalEve)).DispatchAsync(RenewalEve);
                Assert.True(result.Sent > 0);
            }

            var stored = await MessagesAsync();
            var files = Directory.GetFiles(folder, "*.eml");
            Assert.Equal(stored.Count, files.Length);
            foreach (var row in stored)
            {
                var path = Path.Combine(folder, PickupFolderTransport.FileName(Wire(row.MessageId)));
                var mail = await MimeMessage.LoadAsync(path);
                Assert.Equal(Wire(row.MessageId), mail.MessageId);
                Assert.EndsWith("@vendor.example", mail.MessageId, StringComparison.Ordinal); // the sender's domain
                Assert.Equal(row.ToEmail, To(mail));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_review_invitation_arrives_with_its_calendar_file_and_a_move_keeps_the_uid()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync("Ateliers Lumière", language: "fr", advisorId: advisor);
        Clock.Reset(Instant.FromUtc(2027, 4, 1, 9, 0));
        await using (var db = Database.Context())
        {
            var service = new Engagement.MeetingService(db, Clock);
            var meeting = await service.ScheduleAsync(Engagement.NewMeeting.ForAccount(account.Id, new LocalDateTime(2027, 4, 20, 10, 0), 45, location: "Visio"), "advisor");
            await service.RescheduleAsync(meeting.Id, new LocalDateTime(2027, 4, 22, 14, 30), null, "advisor");
        }

        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var result = await DispatchAsync(server, Clock.GetCurrentInstant(), attachments: Messaging.Attachments.For(Invoicing.Seller.Default));

        Assert.Equal(2, result.Sent);
        var mails = server.Received.OrderBy(m => m.MessageId, StringComparer.Ordinal).ToList();
        Assert.All(mails, m => Assert.Equal(MessageKinds.ReviewInvitation, Template(m)));
        Assert.Contains("22 avril 2027 à 14:30", mails[1].Subject, StringComparison.Ordinal);
        Assert.StartsWith("Modifié", mails[1].Subject, StringComparison.Ordinal);
        var calendars = mails.Select(m => Assert.Single(m.Attachments.OfType<MimePart>(), p => p.ContentType.MimeType == "text/calendar")).ToList();
        var parsed = calendars.Select(part =>
        {
            using var content = new MemoryStream();
            part.Content!.DecodeTo(content);
            return Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(content.ToArray()))!;
        }).ToList();
        Assert.Equal(parsed[0].Events.Single().Uid, parsed[1].Events.Single().Uid);
        Assert.Equal("REQUEST", calendars[0].ContentType.Parameters["method"]);
    }

    [Fact]
    public async Task One_message_of_each_failure_kind_holds_back_no_other_and_every_other_goes_out_exactly_once()
    {
        await BookWithEveryKindAsync();
        var good = await MessagesAsync();
        long missingContact, badPayload, refused, brokenTemplate;
        await using (var db = Database.Context())
        {
            var model = good[0];
            OutboxMessage Bad(string template, long contactId, string to, string payload, string id) => new()
            {
                Template = template, AccountId = model.AccountId, ContactId = contactId, ToEmail = to, Language = "fr",
                SubscriptionId = model.SubscriptionId, Payload = payload, MessageId = $"<{id}@renewals>",
                CreatedAt = RenewalEve, NextAttemptAt = RenewalEve,
            };
            var rows = new[]
            {
                Bad(MessageKinds.SubscriptionEnded, 999_999, "ghost@example.com", """{"ended_on":"2028-01-15"}""", "missing-contact"),
                Bad(MessageKinds.SubscriptionEnded, model.ContactId!.Value, model.ToEmail, "{not json", "bad-payload"),
                Bad(MessageKinds.SubscriptionEnded, model.ContactId!.Value, "refused@example.com", """{"ended_on":"2028-01-15"}""", "refused"),
                Bad("no-such-kind", model.ContactId!.Value, model.ToEmail, "{}", "broken-template"),
            };
            // Good messages after the failures too, so that a failure is followed by messages still to send.
            var later = good.Take(2).Select(g => new OutboxMessage
            {
                Template = g.Template, AccountId = g.AccountId, ContactId = g.ContactId, ToEmail = g.ToEmail, Language = g.Language,
                SubscriptionId = g.SubscriptionId, InvoiceId = g.InvoiceId, Payload = g.Payload, MessageId = $"<later{g.Id}@renewals>",
                CreatedAt = RenewalEve, NextAttemptAt = RenewalEve,
            }).ToList();
            db.Outbox.AddRange(rows);
            db.Outbox.AddRange(later);
            await db.SaveChangesAsync();
            (missingContact, badPayload, refused, brokenTemplate) = (rows[0].Id, rows[1].Id, rows[2].Id, rows[3].Id);
            good = [.. good, .. later];
        }

        await using var server = new TestSmtpServer();
        server.Refuse("refused@example.com");
        await server.StartAsync();
        var options = new DeliveryOptions { MaxAttempts = 2, BatchSize = 3 };

        var first = await DispatchAsync(server, RenewalEve, options);

        Assert.Equal((good.Count, 3, 1), (first.Sent, first.Retrying, first.DeadLettered));
        var after = (await MessagesAsync()).ToDictionary(m => m.Id);
        Assert.All(good, m => Assert.Equal((OutboxStatus.Sent, 1), (after[m.Id].Status, after[m.Id].Attempts)));
        Assert.Equal(OutboxStatus.DeadLettered, after[refused].Status);
        Assert.Contains("550", after[refused].LastError, StringComparison.Ordinal);
        foreach (var id in new[] { missingContact, badPayload, brokenTemplate })
        {
            Assert.Equal((OutboxStatus.Pending, 1), (after[id].Status, after[id].Attempts));
            Assert.False(string.IsNullOrEmpty(after[id].LastError));
        }

        // The retries are spent at the second attempt: dead letters, and nothing sent twice.
        var second = await DispatchAsync(server, RenewalEve + Duration.FromMinutes(1), options);
        Assert.Equal((0, 0, 3), (second.Sent, second.Retrying, second.DeadLettered));
        Assert.Equal(good.Count, server.Received.Count);
        Assert.Equal(good.Select(m => Wire(m.MessageId)).Order(StringComparer.Ordinal), server.Received.Select(r => r.MessageId).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Two customers, both on the product's example dates with one-year terms from 2027-01-15:
    /// a French one that needs a purchase order and takes its licences from the web account,
    /// and an English one that cancels on time. Run to the day after the renewal.
    /// </summary>
    private async Task<(People Fr, People En)> BookWithEveryKindAsync()
    {
        var advisor = await Book.AdvisorAsync();
        var frAccount = await Book.AccountAsync("Ateliers Lumière", language: "fr", requiresPurchaseOrder: true, advisorId: advisor);
        var enAccount = await Book.AccountAsync("Acme", language: "en", advisorId: advisor);
        await Book.SellAsync(frAccount.Id, Date("2027-01-15"), years: 1, delivery: LicenceDelivery.AvailableInWebAccount);
        var leaving = await Book.SellAsync(enAccount.Id, Date("2027-01-15"), years: 1);

        await RunOnAsync(Date("2027-01-15"));
        Clock.Reset(Instant.FromUtc(2027, 10, 1, 9, 0));
        await using (var db = Database.Context())
        {
            await new CancellationService(db, Clock).FileAsync(
                leaving.Id, new WrittenNotice(Clock.GetCurrentInstant(), NoticeChannel.UploadedLetter, "Jane Primary", new string('b', 64), NoticeFiler.Customer), "customer");
        }

        await RunOnAsync(Date("2027-11-16"));
        await RunOnAsync(Date("2028-01-15"));
        return (await PeopleAsync(frAccount.Id), await PeopleAsync(enAccount.Id));
    }

    private async Task<People> PeopleAsync(long accountId)
    {
        await using var db = Database.Context();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync();
        return new People(contacts.Single(c => c.Role == ContactRole.Primary).Email, contacts.Single(c => c.Role == ContactRole.AccountsPayable).Email);
    }

    private async Task<DispatchResult> DispatchAsync(
        TestSmtpServer server, Instant now, DeliveryOptions? options = null, TemplateLibrary? templates = null, IReadOnlyList<IAttachmentSource>? attachments = null)
    {
        var composer = new MessageComposer(new MessageRenderer(templates ?? TemplateLibrary.FromSetting(null)), options ?? new DeliveryOptions(), attachments);
        await using var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None));
        return await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(now)).DispatchAsync(now);
    }

    private static string CopyTemplates()
    {
        var target = Path.Combine(Path.GetTempPath(), "renewals-templates-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(TemplateLibrary.DefaultDirectory, "*.liquid", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(TemplateLibrary.DefaultDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    /// <summary>The Message-ID as sent: the stored id's left side at the sender's domain (vendor.example by default).</summary>
    private static string Wire(string stored) => stored.Trim('<', '>').Split('@')[0] + "@vendor.example";

    private static string Template(MimeMessage message) => message.Headers["X-Renewals-Template"] ?? "";

    private static string? Language(MimeMessage message) => message.Body?.Headers[HeaderId.ContentLanguage];

    private static string To(MimeMessage message) => Assert.Single(message.To.Mailboxes).Address;

    /// <summary>The text part with every kind of space (no-break, narrow no-break) as a plain space.</summary>
    private static string Text(MimeMessage message) => Spaces().Replace(message.TextBody ?? "", " ");

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();

    private sealed record People(string Primary, string AccountsPayable);
}
