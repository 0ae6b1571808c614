using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Payments;

namespace Renewals.Core.Payments;

/// <summary>How overdue invoices are chased. Bound from "Renewals:Payments" (RENEWALS__PAYMENTS__REMINDERDAYS, or appsettings).</summary>
public sealed class CollectionOptions
{
    public const string Section = "Renewals:Payments";

    /// <summary>Days after the due date a polite reminder goes to accounts payable, rising: "7,21,45" by default.</summary>
    public string ReminderDays { get; set; } = "7,21,45";
}

/// <summary>What a collection pass did.</summary>
public sealed record CollectionResult(int NewlyOverdue, int Reminders);

/// <summary>
/// The daily work of collections, run by the web host's recurring pass (docs/payments.md): every
/// invoice late on the vendor's date, still owed, not credited and not disputed is noted overdue
/// once (stage 0: the invoice.overdue event) and gets, once per stage, a polite reminder to its
/// bill-to contact in that contact's language through the outbox. Only the latest stage fallen is
/// written (after downtime the ones it overtook are not sent late). The (invoice, stage) key makes
/// a second pass, or another instance's, a no-op; a reminder queued before the invoice was paid,
/// credited or disputed is discarded at delivery (<see cref="MessagePurpose"/>).
/// </summary>
public sealed class CollectionPass(RenewalsDatabase database, IClock clock, IOptions<CollectionOptions> options)
{
    public Task<CollectionResult> RunAsync(CancellationToken ct = default) => RunAsync(clock.GetCurrentInstant(), ct);

    /// <summary>The pass as of <paramref name="now"/>: the command line's <c>run --as-of</c> chases as of the day the engine ran to.</summary>
    public async Task<CollectionResult> RunAsync(Instant now, CancellationToken ct = default)
    {
        var offsets = CollectionReminders.ParseOffsets(options.Value.ReminderDays);
        var today = InvoiceStatuses.VendorDate(now);
        await using var db = database.CreateContext();
        var late = db.Invoices.Where(i => i.Number != null && i.DueOn < today
            && !db.CreditNotes.Any(c => c.InvoiceId == i.Id)
            && !db.InvoiceDisputes.Any(d => d.InvoiceId == i.Id && d.ClearedAt == null))
            .Select(i => i.Id);
        var states = await InvoiceStatuses.ReadAsync(db, late, today, ct);
        var overdue = states.Values.Where(s => s.Status == InvoiceStatus.Overdue).Select(s => s.InvoiceId).ToList();
        var steps = (await db.CollectionSteps.AsNoTracking().Where(s => overdue.Contains(s.InvoiceId)).Select(s => new { s.InvoiceId, s.Stage }).ToListAsync(ct))
            .ToLookup(s => s.InvoiceId, s => s.Stage);
        int noted = 0, reminders = 0;
        foreach (var invoiceId in overdue.Order())
        {
            var state = states[invoiceId];
            var taken = steps[invoiceId].ToList();
            var stage = CollectionReminders.StageDue(state.DueOn, offsets, today);
            var needsNote = !taken.Contains(0);
            var needsReminder = stage is { } s && !taken.Any(t => t >= s);
            if (!needsNote && !needsReminder)
            {
                continue;
            }

            try
            {
                var (n, r) = await StepAsync(invoiceId, state, needsNote, needsReminder ? stage : null, offsets, now, today, ct);
                noted += n;
                reminders += r;
            }
            catch (DbUpdateException race) when (UniqueViolation.Is(race))
            {
                // Another pass wrote this step first: it happened once, which is the point.
            }
        }

        return new CollectionResult(noted, reminders);
    }

    private async Task<(int Noted, int Reminders)> StepAsync(
        long invoiceId, InvoiceState state, bool note, int? stage, IReadOnlyList<int> offsets, Instant now, LocalDate today, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, ct);
        var actor = new Actor.OperatorConsole().AuditName;
        var daysLate = Period.Between(invoice.DueOn, today, PeriodUnits.Days).Days;
        if (note)
        {
            db.CollectionSteps.Add(new CollectionStep { InvoiceId = invoiceId, Stage = 0, FallsOn = invoice.DueOn.PlusDays(1), CreatedAt = now });
            db.Audit.Add(new AuditEntry
            {
                At = now, Actor = actor, Action = "invoice.overdue", Entity = "invoice", EntityId = invoiceId,
                Details = string.Create(CultureInfo.InvariantCulture, $"{invoice.Number} due {WebhookOutbox.Iso(invoice.DueOn)}, {state.Balance:0.00} {invoice.Currency} owed"),
            });
            await WebhookOutbox.AddAsync(db, now, ct, new WebhookEvent(WebhookEventTypes.InvoiceOverdue, $"inv{invoiceId}", new
            {
                invoice_id = invoiceId,
                number = invoice.Number,
                account_id = invoice.AccountId,
                subscription_id = invoice.SubscriptionId,
                due_on = WebhookOutbox.Iso(invoice.DueOn),
                total = invoice.Total,
                balance = state.Balance,
                currency = invoice.Currency,
            }));
        }

        if (stage is { } s)
        {
            var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == invoice.BillToContactId, ct);
            var message = new OutboxMessage
            {
                Template = MessageKinds.PaymentReminder,
                AccountId = invoice.AccountId,
                ContactId = contact.Id,
                ToEmail = contact.Email,
                Language = contact.Language,
                SubscriptionId = invoice.SubscriptionId,
                InvoiceId = invoice.Id,
                Payload = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["stage"] = s,
                    ["days_late"] = daysLate,
                    ["paid"] = state.Paid,
                    ["balance"] = state.Balance,
                    ["reminder_date"] = WebhookOutbox.Iso(CollectionReminders.DateOf(invoice.DueOn, offsets, s)),
                }),
                MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.PaymentReminder}.i{invoice.Id}.s{s}@renewals>"),
                CreatedAt = now,
                NextAttemptAt = now,
            };
            db.Outbox.Add(message);
            await db.SaveChangesAsync(ct);
            db.CollectionSteps.Add(new CollectionStep
            {
                InvoiceId = invoiceId, Stage = s, FallsOn = CollectionReminders.DateOf(invoice.DueOn, offsets, s), OutboxMessageId = message.Id, CreatedAt = now,
            });
            db.Audit.Add(new AuditEntry
            {
                At = now, Actor = actor, Action = "invoice.reminder-queued", Entity = "invoice", EntityId = invoiceId,
                Details = string.Create(CultureInfo.InvariantCulture, $"{invoice.Number} stage {s} ({daysLate} days late) to {contact.Email} in {contact.Language}"),
            });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (note ? 1 : 0, stage is null ? 0 : 1);
    }
}
