using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;

namespace Renewals.Core.Invoicing;

/// <summary>One issued invoice as a list shows it.</summary>
public sealed record InvoiceSummary(
    string Number, LocalDate IssuedOn, long AccountId, string AccountName, decimal Total, string Currency, string? PurchaseOrderNumber);

/// <summary>The issued invoices, for operators.</summary>
public static class InvoiceList
{
    /// <summary>Every numbered invoice (of one account when <paramref name="accountId"/> is given), by date of issue then number.</summary>
    public static async Task<IReadOnlyList<InvoiceSummary>> ListAsync(RenewalsDbContext db, long? accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Invoices.AsNoTracking()
            .Where(i => i.Number != null && (accountId == null || i.AccountId == accountId))
            .Join(db.Accounts, i => i.AccountId, a => a.Id, (i, a) => new { i.Number, i.IssuedOn, i.AccountId, AccountName = a.Name, i.Total, i.Currency, i.PurchaseOrderNumber })
            .ToListAsync(ct);

        // Sorted here: SQLite stores dates as text and cannot order decimals; numbers sort as text everywhere.
        return [.. rows
            .OrderBy(r => r.IssuedOn)
            .ThenBy(r => r.Number, StringComparer.Ordinal)
            .Select(r => new InvoiceSummary(r.Number!, r.IssuedOn, r.AccountId, r.AccountName, r.Total, r.Currency, r.PurchaseOrderNumber))];
    }
}
