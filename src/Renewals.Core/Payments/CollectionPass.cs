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

    /// <summary>
    /// Invoices chased in one transaction. A 100,000-subscription book that nobody pays queues
    /// thousands of reminders a day; one transaction each made the pass the slowest step of a year.
    /// </summary>
    public int BatchSize { get; set; } = 200;
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
/// <param name="seller">The configured vendor, whose zone dates the books.</param>
public sealed class CollectionPass(RenewalsDatabase database, IClock clock, IOptions<CollectionOptions> options, Seller seller)
{
    public Task<CollectionResult> RunAsync(CancellationToken ct = default) => RunAsync(clock.GetCurrentInstant(), ct);

    /// <summary>The pass as of <paramref name="now"/>: the command line's <c>run --as-of</c> chases as of the day the engine ran to.</summary>
    public async Task<CollectionResult> RunAsync(Instant now, CancellationToken ct = default)
    {
        var offsets = CollectionReminders.ParseOffsets(options.Value.ReminderDays);
        var today = seller.Today(now);
        await using var db = database.CreateContext();
        var late = db.Invoices.Where(i => i.Number != null && i.DueOn < today
            && !db.CreditNotes.Any(c => c.InvoiceId == i.Id)
            && !db.InvoiceDisputes.Any(d => d.InvoiceId == i.Id && d.ClearedAt == null))
            .Select(i => i.Id);
        var states = await InvoiceStatuses.ReadAsync(db, late, today, ct);
        var overdue = states.Values.Where(s => s.Status == InvoiceStatus.Overdue).Select(s => s.InvoiceId).ToList();
        var steps = await TakenAsync(db, overdue, ct);
        var due = new List<Step>();
        foreach (var invoiceId in overdue.Order())
        {
            if (Needed(states[invoiceId], CollectionReminders.StageDue(states[invoiceId].DueOn, offsets, today), steps[invoiceId]) is { } step)
            {
                due.Add(step);
            }
        }

        int noted = 0, reminders = 0;
        foreach (var chunk in due.Chunk(Math.Max(1, options.Value.BatchSize)))
        {
            IReadOnlyList<Step> batch = chunk;
            while (batch.Count > 0)
            {
                try
                {
                    await WriteAsync(batch, offsets, now, today, ct);
                    noted += batch.Count(b => b.Note);
                    reminders += batch.Count(b => b.Stage is not null);
                    break;
                }
                catch (DbUpdateException race) when (UniqueViolation.Is(race))
                {
                    // Another pass (another host) wrote some of these steps first and the batch rolled
                    // back whole. Its steps are committed now (the insert waited for them): read them and
                    // write the rest. Taking the invoices one at a time instead made a second host's pass
                    // one failed transaction per invoice, as it trails the first batch after batch.
                    var still = await StillDueAsync(batch, ct);
                    if (Needs(still) >= Needs(batch))
                    {
                        throw; // not another pass's steps: a conflict this pass cannot resolve
                    }

                    batch = still;
                }
            }
        }

        return new CollectionResult(noted, reminders);
    }

    private static int Needs(IReadOnlyList<Step> batch) => batch.Count(b => b.Note) + batch.Count(b => b.Stage is not null);

    /// <summary>What <paramref name="batch"/> still needs after another pass wrote some of its steps.</summary>
    private async Task<IReadOnlyList<Step>> StillDueAsync(IReadOnlyList<Step> batch, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var taken = await TakenAsync(db, [.. batch.Select(b => b.State.InvoiceId)], ct);
        return [.. batch.Select(b => Needed(b.State, b.Stage, taken[b.State.InvoiceId])).OfType<Step>()];
    }

    /// <summary>The stages already written for each of <paramref name="invoiceIds"/>.</summary>
    private static async Task<ILookup<long, int>> TakenAsync(RenewalsDbContext db, List<long> invoiceIds, CancellationToken ct) =>
        (await db.CollectionSteps.AsNoTracking().Where(s => invoiceIds.Contains(s.InvoiceId)).Select(s => new { s.InvoiceId, s.Stage }).ToListAsync(ct))
            .ToLookup(s => s.InvoiceId, s => s.Stage);

    /// <summary>
    /// What an overdue invoice needs given the stages already <paramref name="taken"/>: its overdue note
    /// (stage 0) once, and the reminder of <paramref name="stage"/> unless that stage or a later one was
    /// sent; null when nothing.
    /// </summary>
    private static Step? Needed(InvoiceState state, int? stage, IEnumerable<int> taken)
    {
        var stages = taken.ToList();
        var note = !stages.Contains(0);
        var reminder = stage is { } s && !stages.Any(t => t >= s) ? stage : null;
        return note || reminder is not null ? new Step(state, note, reminder) : null;
    }

    /// <summary>What one overdue invoice needs now: its overdue note, a reminder stage, or both.</summary>
    private sealed record Step(InvoiceState State, bool Note, int? Stage);

    /// <summary>Writes the steps of <paramref name="batch"/> in one transaction, all or none.</summary>
    private async Task WriteAsync(IReadOnlyList<Step> batch, IReadOnlyList<int> offsets, Instant now, LocalDate today, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var ids = batch.Select(b => b.State.InvoiceId).ToList();
        var invoices = await db.Invoices.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var contactIds = invoices.Values.Select(i => i.BillToContactId).Distinct().ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var subscribers = await WebhookOutbox.SubscribersAsync(db, ct);
        var actor = new Actor.OperatorConsole().AuditName;
        var reminders = new List<(OutboxMessage Message, CollectionStep Step)>();
        foreach (var (state, note, stage) in batch)
        {
            var invoice = invoices[state.InvoiceId];
            var daysLate = Period.Between(invoice.DueOn, today, PeriodUnits.Days).Days;
            if (note)
            {
                db.CollectionSteps.Add(new CollectionStep { InvoiceId = invoice.Id, Stage = 0, FallsOn = invoice.DueOn.PlusDays(1), CreatedAt = now });
                db.Audit.Add(new AuditEntry
                {
                    At = now, Actor = actor, Action = "invoice.overdue", Entity = "invoice", EntityId = invoice.Id,
                    Details = string.Create(CultureInfo.InvariantCulture, $"{invoice.Number} due {WebhookOutbox.Iso(invoice.DueOn)}, {state.Balance:0.00} {invoice.Currency} owed"),
                });
                db.WebhookDeliveries.AddRange(WebhookOutbox.Deliveries(subscribers, [new WebhookEvent(WebhookEventTypes.InvoiceOverdue, $"inv{invoice.Id}", new
                {
                    invoice_id = invoice.Id,
                    number = invoice.Number,
                    account_id = invoice.AccountId,
                    subscription_id = invoice.SubscriptionId,
                    due_on = WebhookOutbox.Iso(invoice.DueOn),
                    total = invoice.Total,
                    balance = state.Balance,
                    currency = invoice.Currency,
                })], now));
            }

            if (stage is { } s)
            {
                var contact = contacts[invoice.BillToContactId];
                var fallsOn = CollectionReminders.DateOf(invoice.DueOn, offsets, s);
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
                        ["reminder_date"] = WebhookOutbox.Iso(fallsOn),
                    }),
                    MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.PaymentReminder}.i{invoice.Id}.s{s}@renewals>"),
                    CreatedAt = now,
                    NextAttemptAt = now,
                };
                db.Outbox.Add(message);
                reminders.Add((message, new CollectionStep { InvoiceId = invoice.Id, Stage = s, FallsOn = fallsOn, CreatedAt = now }));
                db.Audit.Add(new AuditEntry
                {
                    At = now, Actor = actor, Action = "invoice.reminder-queued", Entity = "invoice", EntityId = invoice.Id,
                    Details = string.Create(CultureInfo.InvariantCulture, $"{invoice.Number} stage {s} ({daysLate} days late) to {contact.Email} in {contact.Language}"),
                });
            }
        }

        // The steps name their reminders' ids, which the first save gives.
        await db.SaveChangesAsync(ct);
        foreach (var (message, step) in reminders)
        {
            step.OutboxMessageId = message.Id;
            db.CollectionSteps.Add(step);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
