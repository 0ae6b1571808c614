using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Invoicing;

/// <summary>A purchase-order number a customer registers, optionally for one subscription, a period and an amount.</summary>
public sealed record NewPurchaseOrder(
    long AccountId, string Number, long? SubscriptionId = null, LocalDate? ValidFrom = null, LocalDate? ValidUntil = null, decimal? Amount = null);

/// <summary>
/// Registers purchase orders. Which order an invoice carries is decided by
/// <see cref="PurchaseOrderCover"/>; a reminder asks for one while none covers the coming renewal.
/// </summary>
public sealed class PurchaseOrderService(RenewalsDbContext db, IClock clock)
{
    public const int MaxNumberLength = 64;

    /// <summary>
    /// Stores the order after checking it. An order without a period stands for its
    /// subscription (or, without one, for the account) until another one is registered.
    /// A duplicate number is refused with <see cref="DomainErrors.PurchaseOrderDuplicate"/>, also
    /// when a concurrent registration of the same number gets past the check (the unique index catches it).
    /// </summary>
    public async Task<PurchaseOrder> RegisterAsync(NewPurchaseOrder input, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var number = input.Number?.Trim() ?? "";
        if (number.Length == 0 || number.Length > MaxNumberLength || number.Any(char.IsControl))
        {
            throw new DomainException(DomainErrors.PurchaseOrderNumber, MaxNumberLength);
        }

        if (input.Amount is <= 0)
        {
            throw new DomainException(DomainErrors.PurchaseOrderAmount, input.Amount.Value);
        }

        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == input.AccountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, input.AccountId);

        var (from, until) = (input.ValidFrom, input.ValidUntil);
        if (input.SubscriptionId is { } subscriptionId)
        {
            var subscription = await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == subscriptionId, ct)
                ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
            if (subscription.AccountId != account.Id)
            {
                throw new DomainException(DomainErrors.SubscriptionOfAnotherAccount, subscriptionId, account.Name);
            }
        }

        if (from is { } start && until is { } end && end <= start)
        {
            throw new DomainException(DomainErrors.PurchaseOrderPeriod, start, end);
        }

        if (await db.PurchaseOrders.AnyAsync(p => p.AccountId == account.Id && p.Number == number, ct))
        {
            throw new DomainException(DomainErrors.PurchaseOrderDuplicate, number);
        }

        var order = new PurchaseOrder
        {
            AccountId = account.Id,
            SubscriptionId = input.SubscriptionId,
            Number = number,
            ValidFrom = from,
            ValidUntil = until,
            Amount = input.Amount,
            RegisteredAt = clock.GetCurrentInstant(),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.PurchaseOrders.Add(order);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e, "ix_purchase_orders_account_id_number", "purchase_orders.account_id, purchase_orders.number"))
        {
            db.ChangeTracker.Clear();
            throw new DomainException(DomainErrors.PurchaseOrderDuplicate, number);
        }

        db.Audit.Add(new AuditEntry
        {
            At = order.RegisteredAt,
            Actor = actor,
            Action = "purchase-order.registered",
            Entity = "account",
            EntityId = account.Id,
            Details = $"{number} {(from is { } f ? Iso(f) : "…")}–{(until is { } u ? Iso(u) : "…")}",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return order;
    }

    /// <summary>Every order of the account, as the cover rule reads them (registration dates in the account's time zone).</summary>
    public static async Task<IReadOnlyList<PurchaseOrderTerms>> TermsAsync(RenewalsDbContext db, long accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var zoneId = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.TimeZoneId).SingleAsync(ct);
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var orders = await db.PurchaseOrders.AsNoTracking().Where(p => p.AccountId == accountId).ToListAsync(ct);
        return [.. orders.Select(p => new PurchaseOrderTerms(
            p.Id, p.SubscriptionId, p.Number, p.ValidFrom, p.ValidUntil, p.RegisteredAt, p.RegisteredAt.InZone(zone).Date))];
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
