using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;

namespace Renewals.Core.Invoicing;

/// <summary>Whether a listed document bills (an invoice) or cancels one (a credit note).</summary>
public enum InvoiceDocumentKind
{
    Invoice,
    CreditNote,
}

/// <summary>
/// One issued invoice or credit note as a list shows it. For an invoice, <paramref name="Replaces"/>
/// is the invoice it replaces and <paramref name="CancelledBy"/> the credit note that cancelled it;
/// for a credit note, <paramref name="Cancels"/> is the invoice it cancels and its total is negative
/// (what it takes back), as docs/operations.md says and the table prints.
/// </summary>
public sealed record InvoiceSummary(
    string Number, LocalDate IssuedOn, long AccountId, string AccountName, decimal Total, string Currency, string? PurchaseOrderNumber,
    InvoiceDocumentKind Kind = InvoiceDocumentKind.Invoice, string? Replaces = null, string? CancelledBy = null, string? Cancels = null);

/// <summary>The issued invoices and credit notes, for operators.</summary>
public static class InvoiceList
{
    /// <summary>Every numbered invoice and every credit note (of one account when <paramref name="accountId"/> is given), by date of issue then number.</summary>
    public static async Task<IReadOnlyList<InvoiceSummary>> ListAsync(RenewalsDbContext db, long? accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Invoices.AsNoTracking()
            .Where(i => i.Number != null && (accountId == null || i.AccountId == accountId))
            .Join(db.Accounts, i => i.AccountId, a => a.Id, (i, a) => new
            {
                i.Id, i.Number, i.IssuedOn, i.AccountId, AccountName = a.Name, i.Total, i.Currency, i.PurchaseOrderNumber, i.ReplacesInvoiceId,
            })
            .ToListAsync(ct);
        var notes = await db.CreditNotes.AsNoTracking()
            .Where(c => accountId == null || c.AccountId == accountId)
            .Join(db.Accounts, c => c.AccountId, a => a.Id, (c, a) => new { c.Number, c.IssuedOn, c.AccountId, AccountName = a.Name, c.Total, c.Currency, c.InvoiceId })
            .ToListAsync(ct);
        // Replaced invoices may belong to the listed account only: look their numbers up among all invoices.
        var numbers = rows.ToDictionary(r => r.Id, r => r.Number!);
        var missing = notes.Select(n => n.InvoiceId).Concat(rows.Select(r => r.ReplacesInvoiceId ?? 0)).Where(id => id != 0 && !numbers.ContainsKey(id)).Distinct().ToList();
        foreach (var other in await db.Invoices.AsNoTracking().Where(i => missing.Contains(i.Id)).Select(i => new { i.Id, i.Number }).ToListAsync(ct))
        {
            numbers[other.Id] = other.Number!;
        }

        var cancelledBy = notes.ToDictionary(n => n.InvoiceId, n => n.Number);
        var invoices = rows.Select(r => new InvoiceSummary(
            r.Number!, r.IssuedOn, r.AccountId, r.AccountName, r.Total, r.Currency, r.PurchaseOrderNumber, InvoiceDocumentKind.Invoice,
            r.ReplacesInvoiceId is { } replaced ? numbers.GetValueOrDefault(replaced) : null,
            cancelledBy.GetValueOrDefault(r.Id)));
        var credits = notes.Select(n => new InvoiceSummary(
            n.Number, n.IssuedOn, n.AccountId, n.AccountName, -n.Total, n.Currency, null, InvoiceDocumentKind.CreditNote,
            Cancels: numbers.GetValueOrDefault(n.InvoiceId)));

        // Sorted here: SQLite stores dates as text and cannot order decimals; numbers sort as text everywhere.
        return [.. invoices.Concat(credits)
            .OrderBy(r => r.IssuedOn)
            .ThenBy(r => r.Kind)
            .ThenBy(r => r.Number, StringComparer.Ordinal)];
    }
}
