using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Invoicing;

/// <summary>What a reissue did: the credit note that cancels the invoice and the invoice that replaces it.</summary>
public sealed record ReissuedInvoice(
    string CancelledInvoice, string CreditNote, string NewInvoice, string PurchaseOrderNumber, LocalDate IssuedOn, decimal Total, string Currency,
    string SentTo);

/// <summary>An issued invoice that a registered purchase order now covers and that does not carry it.</summary>
public sealed record ReissuableInvoice(string Number, LocalDate IssuedOn, InvoicePeriod Period, decimal Total, string Currency, string PurchaseOrderNumber);

/// <summary>
/// Puts right an invoice issued without the purchase order that now covers it: in one
/// transaction, a credit note (CN-yyyy-nnnnnn, its own gapless yearly sequence) cancels it in
/// full and a new invoice (a new INV number) carries the same lines, periods and amounts with
/// the order's number; both go to accounts payable with their PDF; the audit trail records all three.
/// Both are dated the customer's local date of the clock; the new invoice is due
/// <see cref="MilestoneExecutor.PaymentTermDays"/> days after it.
/// </summary>
public sealed class InvoiceReissue(RenewalsDbContext db, IClock clock)
{
    /// <summary>Reissues the invoice numbered <paramref name="number"/>, or refuses with the reason (a <see cref="DomainException"/>), changing nothing.</summary>
    public async Task<ReissuedInvoice> ReissueAsync(string number, string actor, CancellationToken ct = default)
    {
        var invoice = await FindAsync(number, ct);
        var credited = await db.CreditNotes.AsNoTracking().Where(c => c.InvoiceId == invoice.Id).Select(c => c.Number).FirstOrDefaultAsync(ct);
        if (credited is not null)
        {
            throw new DomainException(DomainErrors.ReissueAlreadyCredited, invoice.Number!, credited);
        }

        var order = PurchaseOrderCover.Find(await PurchaseOrderService.TermsAsync(db, invoice.AccountId, ct), Cover(invoice))
            ?? throw new DomainException(DomainErrors.ReissueNoPurchaseOrder, invoice.Number!, invoice.PeriodStart, invoice.PeriodEnd.PlusDays(-1));
        if (string.Equals(order.Number, invoice.PurchaseOrderNumber, StringComparison.Ordinal))
        {
            throw new DomainException(DomainErrors.ReissueSamePurchaseOrder, invoice.Number!, order.Number);
        }

        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == invoice.AccountId, ct);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == account.Id).OrderBy(c => c.Id).ToListAsync(ct);
        // Accounts payable as it is now (it may have changed since the invoice went out).
        var billTo = InvoiceWriter.BillTo(contacts, account.Name, before: invoice.BillToContactId);
        var now = clock.GetCurrentInstant();
        var today = now.InZone(DateTimeZoneProviders.Tzdb[account.TimeZoneId]).Date;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var creditNumber = await CreditNoteNumbering.TakeAsync(connection, transaction.GetDbTransaction(), db.Provider, today.Year, ct);
        var creditNote = new CreditNote
        {
            Number = creditNumber.ToString(),
            AccountId = invoice.AccountId,
            SubscriptionId = invoice.SubscriptionId,
            InvoiceId = invoice.Id,
            IssuedOn = today,
            Currency = invoice.Currency,
            Net = invoice.Net,
            VatRate = invoice.VatRate,
            Total = invoice.Total,
            BillToContactId = billTo.Id,
            Reason = $"reissue with purchase order {order.Number}",
            CreatedAt = now,
        };
        var replacement = new Invoice
        {
            AccountId = invoice.AccountId,
            SubscriptionId = invoice.SubscriptionId,
            MilestoneId = null,
            Kind = invoice.Kind,
            ReplacesInvoiceId = invoice.Id,
            IssuedOn = today,
            PeriodStart = invoice.PeriodStart,
            PeriodEnd = invoice.PeriodEnd,
            DueOn = InvoiceWriter.DueOn(today),
            Currency = invoice.Currency,
            Net = invoice.Net,
            VatRate = invoice.VatRate,
            Total = invoice.Total,
            BillToContactId = billTo.Id,
            PurchaseOrderNumber = order.Number,
        };
        foreach (var line in invoice.Lines.OrderBy(l => l.Id))
        {
            replacement.Lines.Add(new InvoiceLine
            {
                ProductId = line.ProductId,
                Description = line.Description,
                Quantity = line.Quantity,
                PeriodStart = line.PeriodStart,
                PeriodEnd = line.PeriodEnd,
                UnitPrice = line.UnitPrice,
                Amount = line.Amount,
            });
        }

        await InvoiceWriter.NumberAsync(db, transaction, replacement, ct);
        db.CreditNotes.Add(creditNote);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e, "ix_credit_notes_invoice_id", "credit_notes.invoice_id"))
        {
            // Another operator credited it between the check and here.
            db.ChangeTracker.Clear();
            throw new DomainException(DomainErrors.ReissueAlreadyCredited, invoice.Number!,
                await db.CreditNotes.AsNoTracking().Where(c => c.InvoiceId == invoice.Id).Select(c => c.Number).FirstOrDefaultAsync(CancellationToken.None) ?? "?");
        }

        db.Outbox.Add(Message(MessageKinds.CreditNote, billTo, invoice, now, creditNote.Id, null, new
        {
            credit_note = new { number = creditNote.Number, issued_on = Iso(today), net = creditNote.Net, vat = creditNote.Total - creditNote.Net, total = creditNote.Total, currency = creditNote.Currency },
            cancels = invoice.Number,
            replaced_by = replacement.Number,
            po_number = order.Number,
        }));
        db.Outbox.Add(InvoiceWriter.Message(replacement, billTo, now, ("replaces", invoice.Number), ("credit_note", creditNote.Number)));
        db.Audit.AddRange(
            Audit(now, actor, "invoice.credited", "invoice", invoice.Id, $"{invoice.Number} by {creditNote.Number}"),
            Audit(now, actor, "credit-note.issued", "credit-note", creditNote.Id, $"{creditNote.Number} cancels {invoice.Number}"),
            Audit(now, actor, "invoice.reissued", "invoice", replacement.Id, $"{replacement.Number} replaces {invoice.Number} with purchase order {order.Number}"));
        await Webhooks.WebhookOutbox.AddAsync(db, now, ct,
            new Webhooks.WebhookEvent(Webhooks.WebhookEventTypes.CreditNoteIssued, $"cn{creditNote.Id}", new
            {
                credit_note_id = creditNote.Id,
                number = creditNote.Number,
                account_id = creditNote.AccountId,
                subscription_id = creditNote.SubscriptionId,
                issued_on = Iso(today),
                cancels = invoice.Number,
                total = creditNote.Total,
                currency = creditNote.Currency,
            }),
            InvoiceWriter.Issued(replacement, ("replaces", invoice.Number)));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ReissuedInvoice(invoice.Number!, creditNote.Number, replacement.Number!, order.Number, today, replacement.Total, replacement.Currency, billTo.Email);
    }

    /// <summary>
    /// The account's issued invoices, not yet credited, without a purchase order, that
    /// <paramref name="purchaseOrderId"/> now covers: what registering it lets the operator reissue.
    /// </summary>
    public async Task<IReadOnlyList<ReissuableInvoice>> CoveredByAsync(long purchaseOrderId, CancellationToken ct = default)
    {
        var accountId = await db.PurchaseOrders.AsNoTracking().Where(p => p.Id == purchaseOrderId).Select(p => p.AccountId).SingleAsync(ct);
        var orders = await PurchaseOrderService.TermsAsync(db, accountId, ct);
        var invoices = await db.Invoices.AsNoTracking()
            .Where(i => i.AccountId == accountId && i.Number != null && i.PurchaseOrderNumber == null
                && !db.CreditNotes.Any(c => c.InvoiceId == i.Id))
            .ToListAsync(ct);
        return [.. invoices
            .Select(i => (Invoice: i, Order: PurchaseOrderCover.Find(orders, Cover(i))))
            .Where(x => x.Order?.Id == purchaseOrderId)
            .OrderBy(x => x.Invoice.IssuedOn).ThenBy(x => x.Invoice.Number, StringComparer.Ordinal)
            .Select(x => new ReissuableInvoice(x.Invoice.Number!, x.Invoice.IssuedOn, new InvoicePeriod(x.Invoice.PeriodStart, x.Invoice.PeriodEnd),
                x.Invoice.Total, x.Invoice.Currency, x.Order!.Number))];
    }

    private async Task<Invoice> FindAsync(string number, CancellationToken ct)
    {
        if (!InvoiceNumber.TryParse(number, out var parsed))
        {
            throw new DomainException(DomainErrors.ReissueInvoiceUnknown, number?.Trim() ?? "");
        }

        var canonical = parsed.ToString();
        return await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Number == canonical, ct)
            ?? throw new DomainException(DomainErrors.ReissueInvoiceUnknown, canonical);
    }

    private static InvoiceToCover Cover(Invoice invoice) => new(invoice.SubscriptionId, invoice.PeriodStart, invoice.PeriodEnd, invoice.IssuedOn);

    private static OutboxMessage Message(string kind, Contact to, Invoice invoice, Instant now, long? creditNoteId, long? invoiceId, object payload) => new()
    {
        Template = kind,
        AccountId = invoice.AccountId,
        ContactId = to.Id,
        ToEmail = to.Email,
        Language = to.Language,
        SubscriptionId = invoice.SubscriptionId,
        InvoiceId = invoiceId,
        CreditNoteId = creditNoteId,
        Payload = JsonSerializer.Serialize(payload),
        // Keyed on what it carries: a retry of the same delivery keeps its Message-ID.
        MessageId = creditNoteId is { } cn ? $"<cn{cn}.{kind}.c{to.Id}@renewals>" : $"<i{invoiceId}.{kind}.c{to.Id}@renewals>",
        Status = OutboxStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    private static AuditEntry Audit(Instant at, string actor, string action, string entity, long id, string details) =>
        new() { At = at, Actor = actor, Action = action, Entity = entity, EntityId = id, Details = details };

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
