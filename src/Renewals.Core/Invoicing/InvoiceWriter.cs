using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Writes an invoice issued by a person rather than by a milestone (a mid-term addition, a
/// reissue carrying its purchase order) the one way: billed to accounts payable as the account
/// stands now, due <see cref="MilestoneExecutor.PaymentTermDays"/> days after it is issued, its
/// gapless number taken last in the caller's transaction, then its email to accounts payable
/// through the outbox and its <c>invoice.issued</c> event, each with what the caller adds.
/// </summary>
internal static class InvoiceWriter
{
    /// <summary>Accounts payable, else the primary contact, else the contact the invoice went to before, else the first; refused when the account has none.</summary>
    public static Contact BillTo(IReadOnlyList<Contact> contacts, string accountName, long? before = null)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        return contacts.FirstOrDefault(c => c.Role == ContactRole.AccountsPayable)
            ?? contacts.FirstOrDefault(c => c.Role == ContactRole.Primary)
            ?? contacts.FirstOrDefault(c => c.Id == before)
            ?? (contacts.Count > 0 ? contacts[0] : null)
            ?? throw new DomainException(DomainErrors.AccountWithoutContact, accountName);
    }

    /// <summary>The day an invoice issued on <paramref name="issuedOn"/> falls due, as the engine's invoices do.</summary>
    public static LocalDate DueOn(LocalDate issuedOn) => issuedOn.PlusDays(MilestoneExecutor.PaymentTermDays);

    /// <summary>
    /// Numbers the invoice and adds it to the context; the caller saves. The invoice counter is
    /// taken last: it is the row the engine also waits on, held from here to the commit.
    /// </summary>
    public static async Task NumberAsync(RenewalsDbContext db, IDbContextTransaction transaction, Invoice invoice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(transaction);
        await InvoiceNumbering.AssignAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), db.Provider, [invoice], ct);
        db.Invoices.Add(invoice);
    }

    /// <summary>The saved invoice's email to accounts payable, keyed on the invoice and contact so a retry keeps its Message-ID.</summary>
    public static OutboxMessage Message(Invoice invoice, Contact billTo, Instant now, params (string Name, object? Value)[] more)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(billTo);
        var payload = new JsonObject
        {
            ["period_start"] = Iso(invoice.PeriodStart),
            ["period_end"] = Iso(invoice.PeriodEnd),
            ["total"] = invoice.Total,
            ["currency"] = invoice.Currency,
        };
        Add(payload, more);
        return new OutboxMessage
        {
            Template = MessageKinds.Invoice,
            AccountId = invoice.AccountId,
            ContactId = billTo.Id,
            ToEmail = billTo.Email,
            Language = billTo.Language,
            SubscriptionId = invoice.SubscriptionId,
            InvoiceId = invoice.Id,
            Payload = payload.ToJsonString(),
            MessageId = $"<i{invoice.Id}.{MessageKinds.Invoice}.c{billTo.Id}@renewals>",
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>The saved invoice's <c>invoice.issued</c> event.</summary>
    public static WebhookEvent Issued(Invoice invoice, params (string Name, object? Value)[] more)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var data = new JsonObject
        {
            ["invoice_id"] = invoice.Id,
            ["number"] = invoice.Number,
            ["account_id"] = invoice.AccountId,
            ["subscription_id"] = invoice.SubscriptionId,
            ["issued_on"] = Iso(invoice.IssuedOn),
            ["period_start"] = Iso(invoice.PeriodStart),
            ["period_end"] = Iso(invoice.PeriodEnd),
            ["due_on"] = Iso(invoice.DueOn),
            ["total"] = invoice.Total,
            ["currency"] = invoice.Currency,
            ["purchase_order_number"] = invoice.PurchaseOrderNumber,
        };
        Add(data, more);
        return new WebhookEvent(WebhookEventTypes.InvoiceIssued, $"i{invoice.Id}", data);
    }

    private static void Add(JsonObject json, (string Name, object? Value)[] more)
    {
        foreach (var (name, value) in more)
        {
            json[name] = value is null ? null : JsonSerializer.SerializeToNode(value);
        }
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
