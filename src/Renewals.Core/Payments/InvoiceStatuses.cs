using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Domain.Payments;

namespace Renewals.Core.Payments;

/// <summary>An invoice's status with the amounts behind it, as lists show it.</summary>
public sealed record InvoiceState(long InvoiceId, InvoiceStatus Status, decimal Total, decimal Paid, decimal Balance, LocalDate DueOn)
{
    public string Code => Domain.Payments.InvoiceStanding.Code(Status);
}

/// <summary>
/// Reads the stored facts of invoices (allocated payments, credit note, open dispute, due date)
/// and derives each status with the one domain rule, for the vendor's date today.
/// </summary>
public static class InvoiceStatuses
{
    /// <summary>The standing of each invoice of <paramref name="invoiceIds"/> that exists, on <paramref name="today"/>.</summary>
    public static async Task<IReadOnlyDictionary<long, InvoiceState>> ReadAsync(
        RenewalsDbContext db, IQueryable<long> invoiceIds, LocalDate today, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var invoices = await db.Invoices.AsNoTracking().Where(i => invoiceIds.Contains(i.Id))
            .Select(i => new { i.Id, i.Total, i.DueOn }).ToListAsync(ct);
        // Summed here: SQLite cannot add decimals in SQL. A reversed payment (bounced) pays nothing.
        var paid = (await db.PaymentAllocations.AsNoTracking()
            .Where(a => invoiceIds.Contains(a.InvoiceId) && db.Payments.Any(p => p.Id == a.PaymentId && p.ReversedAt == null))
            .Select(a => new { a.InvoiceId, a.Amount }).ToListAsync(ct))
            .GroupBy(a => a.InvoiceId).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        var credited = (await db.CreditNotes.AsNoTracking().Where(c => invoiceIds.Contains(c.InvoiceId)).Select(c => c.InvoiceId).ToListAsync(ct)).ToHashSet();
        var disputed = (await db.InvoiceDisputes.AsNoTracking().Where(d => d.ClearedAt == null && invoiceIds.Contains(d.InvoiceId))
            .Select(d => d.InvoiceId).ToListAsync(ct)).ToHashSet();
        return invoices.ToDictionary(i => i.Id, i =>
        {
            var facts = new InvoiceFacts(i.Total, paid.GetValueOrDefault(i.Id), i.DueOn, credited.Contains(i.Id), disputed.Contains(i.Id));
            return new InvoiceState(i.Id, Domain.Payments.InvoiceStanding.Of(facts, today), i.Total, facts.Paid, facts.Balance, i.DueOn);
        });
    }

    /// <summary>One invoice's standing on <paramref name="today"/>, or null when there is no such invoice.</summary>
    public static async Task<InvoiceState?> OfAsync(RenewalsDbContext db, long invoiceId, LocalDate today, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var all = await ReadAsync(db, db.Invoices.Where(i => i.Id == invoiceId).Select(i => i.Id), today, ct);
        return all.GetValueOrDefault(invoiceId);
    }
}
