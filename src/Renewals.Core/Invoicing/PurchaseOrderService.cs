using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;

namespace Renewals.Core.Invoicing;

/// <summary>A purchase-order number a customer registers, optionally for one subscription, a period and an amount.</summary>
public sealed record NewPurchaseOrder(
    long AccountId, string Number, long? SubscriptionId = null, LocalDate? ValidFrom = null, LocalDate? ValidUntil = null, decimal? Amount = null);

/// <summary>
/// Registers purchase orders. The invoice of a period shows the newest order that covers the
/// period's first day; a reminder asks for one while none covers the coming renewal.
/// </summary>
public sealed class PurchaseOrderService(RenewalsDbContext db, IClock clock)
{
    public const int MaxNumberLength = 64;

    /// <summary>
    /// Stores the order after checking it. For a subscription with no period given, the order
    /// covers the coming term: the 12 months from the current term's renewal date.
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

            if (from is null && until is null)
            {
                var terms = new DomainSubscription(account.Name, subscription.Start, subscription.InitialTermYears,
                    DateTimeZoneProviders.Tzdb[account.TimeZoneId]);
                var coming = terms.Term(subscription.CurrentTermNumber + 1);
                (from, until) = (coming.Start, coming.End);
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
        await db.SaveChangesAsync(ct);
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

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
