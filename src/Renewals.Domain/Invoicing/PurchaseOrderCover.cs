using NodaTime;

namespace Renewals.Domain.Invoicing;

/// <summary>
/// A registered purchase order as the cover rule needs it. <paramref name="ValidUntil"/> is
/// exclusive (the day after the last day covered), as stored; a missing bound is open.
/// <paramref name="RegisteredOn"/> is the customer's local date of <paramref name="RegisteredAt"/>.
/// </summary>
public sealed record PurchaseOrderTerms(
    long Id, long? SubscriptionId, string Number, LocalDate? ValidFrom, LocalDate? ValidUntil, Instant RegisteredAt, LocalDate RegisteredOn)
{
    /// <summary>An order with neither bound: it stands for its subscription (or account) until another one replaces it.</summary>
    public bool IsStanding => ValidFrom is null && ValidUntil is null;
}

/// <summary>An invoice, issued or about to be: its subscription, its period [start, end) and its date of issue.</summary>
public sealed record InvoiceToCover(long SubscriptionId, LocalDate PeriodStart, LocalDate PeriodEnd, LocalDate IssuedOn);

/// <summary>
/// Which purchase order an invoice carries. The one rule the engine (issuing) and the reissue
/// (putting an invoice right) both follow:
/// <list type="number">
/// <item>The subscription's own orders are tried first; the account-wide orders (no
/// subscription) only when none of the subscription's own covers the invoice.</item>
/// <item>An order with a period covers an invoice whose whole period lies inside it:
/// <c>ValidFrom ≤ PeriodStart</c> and <c>PeriodEnd ≤ ValidUntil</c>, both ends exclusive as
/// stored, so an order [2028-01-15, 2029-01-15) covers the invoice for 15 January 2028 to
/// 14 January 2029 and not one that runs a day longer.</item>
/// <item>An order without a period stands from the day it is registered until the next one
/// without a period is registered for the same subscription (or account): it covers the
/// invoices issued while it stands, whatever their period. An invoice issued before any
/// such order was registered is covered by the first one registered after it (the order
/// that came to put it right).</item>
/// <item>When several orders cover an invoice, the latest registered wins.</item>
/// </list>
/// </summary>
public static class PurchaseOrderCover
{
    /// <summary>The order <paramref name="invoice"/> carries, among <paramref name="accountOrders"/> (all orders of its account); null when none covers it.</summary>
    public static PurchaseOrderTerms? Find(IEnumerable<PurchaseOrderTerms> accountOrders, InvoiceToCover invoice)
    {
        ArgumentNullException.ThrowIfNull(accountOrders);
        ArgumentNullException.ThrowIfNull(invoice);
        var orders = accountOrders as IReadOnlyCollection<PurchaseOrderTerms> ?? [.. accountOrders];
        return Latest(orders.Where(o => o.SubscriptionId == invoice.SubscriptionId), invoice)
            ?? Latest(orders.Where(o => o.SubscriptionId is null), invoice);
    }

    /// <summary>Whether an order with a period holds the invoice's whole period (stored ends exclusive).</summary>
    public static bool PeriodHolds(PurchaseOrderTerms order, LocalDate periodStart, LocalDate periodEnd)
    {
        ArgumentNullException.ThrowIfNull(order);
        return (order.ValidFrom is not { } from || from <= periodStart) && (order.ValidUntil is not { } until || periodEnd <= until);
    }

    private static PurchaseOrderTerms? Latest(IEnumerable<PurchaseOrderTerms> group, InvoiceToCover invoice)
    {
        var orders = group.OrderBy(o => o.RegisteredAt).ThenBy(o => o.Id).ToList();
        var standing = orders.Where(o => o.IsStanding).ToList();
        var standingAtIssue = standing.LastOrDefault(o => o.RegisteredOn <= invoice.IssuedOn) ?? standing.FirstOrDefault();
        return orders.LastOrDefault(o => o.IsStanding
            ? ReferenceEquals(o, standingAtIssue)
            : PeriodHolds(o, invoice.PeriodStart, invoice.PeriodEnd));
    }
}
