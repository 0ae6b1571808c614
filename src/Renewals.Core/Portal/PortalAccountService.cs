using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Portal;

/// <summary>
/// The customer web account's other pages: contacts, the message centre and purchase orders.
/// Like <see cref="PortalService"/>, every call takes the customer asking and answers null (or
/// refuses) for anything outside their account.
/// </summary>
public sealed class PortalAccountService(RenewalsDbContext db, MessageComposer composer, PurchaseOrderService purchaseOrders)
{
    public async Task<IReadOnlyList<PortalContact>> ContactsAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == customer.AccountId)
            .Select(c => new PortalContact(c.Name, c.Email, c.Role, c.Language, c.Id)).ToListAsync(ct);
        return [.. contacts.OrderBy(c => c.Role).ThenBy(c => c.Name, StringComparer.CurrentCulture)];
    }

    /// <summary>Every message delivered to the account's contacts, newest first, with the subject it was sent with.</summary>
    public async Task<IReadOnlyList<PortalMessage>> MessagesAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var zone = await ZoneAsync(customer, ct);
        if (zone is null)
        {
            return [];
        }

        var rows = await (
                from m in db.Outbox.AsNoTracking()
                where m.AccountId == customer.AccountId && m.Status == OutboxStatus.Sent
                join c in db.SentMessageCopies on m.Id equals c.OutboxId into copies
                from c in copies.DefaultIfEmpty()
                select new { Message = m, Subject = c == null ? null : c.Subject })
            .ToListAsync(ct);
        var list = new List<PortalMessage>();
        foreach (var row in rows.OrderByDescending(r => r.Message.SentAt).ThenByDescending(r => r.Message.Id))
        {
            var message = row.Message;
            var subject = row.Subject ?? (await RecomposeAsync(message, ct)).Subject ?? "";
            list.Add(new PortalMessage(message.Id, (message.SentAt ?? message.CreatedAt).InZone(zone).LocalDateTime, message.ToEmail, subject, message.Template));
        }

        return list;
    }

    /// <summary>One delivered message as it was sent; null when it is not this account's.</summary>
    public async Task<PortalMessageView?> MessageAsync(PortalCustomer customer, long messageId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var row = await db.Outbox.AsNoTracking()
            .SingleOrDefaultAsync(m => m.Id == messageId && m.AccountId == customer.AccountId && m.Status == OutboxStatus.Sent, ct);
        if (row is null || await ZoneAsync(customer, ct) is not { } zone)
        {
            return null;
        }

        var sentAt = row.SentAt ?? row.CreatedAt;
        if (await db.SentMessageCopies.AsNoTracking().SingleOrDefaultAsync(c => c.OutboxId == row.Id, ct) is { } copy)
        {
            return new PortalMessageView(
                row.Id, sentAt.InZone(zone).LocalDateTime, row.ToEmail, copy.Subject, SentCopies.Unpack(copy.HtmlBody), SentCopies.Unpack(copy.TextBody),
                SentCopies.AttachmentNames(copy));
        }

        var mime = await RecomposeAsync(row, ct);
        return new PortalMessageView(
            row.Id, sentAt.InZone(zone).LocalDateTime, row.ToEmail, mime.Subject ?? "", mime.HtmlBody ?? "", mime.TextBody ?? "", SentCopies.AttachmentNames(mime));
    }

    /// <summary>
    /// A message delivered before copies were kept (ADR 011), composed again as the dispatcher
    /// composed it: from the payload stored with it, but with today's template and records.
    /// </summary>
    private Task<MimeMessage> RecomposeAsync(OutboxMessage message, CancellationToken ct) =>
        composer.ComposeAsync(db, message, message.SentAt ?? message.CreatedAt, ct);

    public async Task<IReadOnlyList<PortalPurchaseOrder>> PurchaseOrdersAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var zone = await ZoneAsync(customer, ct);
        var orders = await db.PurchaseOrders.AsNoTracking().Where(p => p.AccountId == customer.AccountId).ToListAsync(ct);
        var invoices = await db.Invoices.AsNoTracking()
            .Where(i => i.AccountId == customer.AccountId && i.Number != null && i.PurchaseOrderNumber != null)
            .Select(i => new { i.Number, i.PurchaseOrderNumber }).ToListAsync(ct);
        return [.. orders.OrderByDescending(o => o.RegisteredAt).Select(o => new PortalPurchaseOrder(
            o.Number, o.SubscriptionId, o.ValidFrom, o.ValidUntil, o.Amount, o.RegisteredAt.InZone(zone ?? DateTimeZone.Utc).Date,
            [.. invoices.Where(i => i.PurchaseOrderNumber == o.Number).Select(i => i.Number!).Order(StringComparer.Ordinal)]))];
    }

    /// <summary>
    /// Registers an order for the customer's own account (and, when given, one of its own
    /// subscriptions); the rules of <see cref="PurchaseOrderService"/> apply.
    /// </summary>
    /// <exception cref="DomainException">The order is refused; nothing is stored.</exception>
    public async Task<PortalPurchaseOrder> RegisterPurchaseOrderAsync(PortalCustomer customer, PurchaseOrderForm form, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(form);
        if (form.SubscriptionId is { } id && !await db.Subscriptions.AnyAsync(s => s.Id == id && s.AccountId == customer.AccountId, ct))
        {
            // Another account's subscription is refused as if it did not exist.
            throw new DomainException(DomainErrors.SubscriptionUnknown, id);
        }

        var order = await purchaseOrders.RegisterAsync(
            new NewPurchaseOrder(customer.AccountId, form.Number ?? "", form.SubscriptionId, form.ValidFrom, form.ValidUntil, form.Amount), actor, ct);
        var zone = await ZoneAsync(customer, ct) ?? DateTimeZone.Utc;
        return new PortalPurchaseOrder(order.Number, order.SubscriptionId, order.ValidFrom, order.ValidUntil, order.Amount, order.RegisteredAt.InZone(zone).Date, []);
    }

    private async Task<DateTimeZone?> ZoneAsync(PortalCustomer customer, CancellationToken ct) =>
        await db.Accounts.AsNoTracking().Where(a => a.Id == customer.AccountId).Select(a => a.TimeZoneId).SingleOrDefaultAsync(ct) is { } id
            ? DateTimeZoneProviders.Tzdb[id]
            : null;
}
