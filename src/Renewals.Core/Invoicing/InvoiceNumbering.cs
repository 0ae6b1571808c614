using System.Data.Common;
using System.Globalization;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Gives invoices their numbers inside the transaction that issues them. Each year has one
/// counter row; taking a block of numbers updates it, which on PostgreSQL locks the row until
/// the transaction ends. So two issuers never share a number, and a rolled-back or killed
/// transaction gives its numbers back: numbers are gapless per year.
/// </summary>
public static class InvoiceNumbering
{
    /// <summary>Numbers <paramref name="invoices"/> in their order, per year of issue.</summary>
    public static async Task AssignAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, IReadOnlyList<Invoice> invoices, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        // Years in ascending order: two issuers lock the counters in the same order, never in a cycle.
        foreach (var year in invoices.Where(i => i.Number is null).GroupBy(i => i.IssuedOn.Year).OrderBy(g => g.Key))
        {
            var batch = year.ToList();
            var last = await TakeAsync(connection, transaction, provider, year.Key, batch.Count, ct);
            var first = last - batch.Count + 1;
            if (last > InvoiceNumber.MaxSequence)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The invoice numbers of {year.Key} are exhausted ({InvoiceNumber.MaxSequence} per year)."));
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Number = new InvoiceNumber(year.Key, first + i).ToString();
            }
        }
    }

    private static Task<int> TakeAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, int year, int count, CancellationToken ct) =>
        YearlyCounter.TakeAsync(connection, transaction, provider, "invoice_sequences", year, count, ct);
}

/// <summary>
/// A gapless yearly counter (invoice_sequences, credit_note_sequences): one row per year,
/// created on first use, taken by an UPDATE ... RETURNING that holds the row until the
/// transaction ends. PostgreSQL makes a second taker wait on the row lock; SQLite on its
/// single writer. A rollback gives the numbers back.
/// </summary>
internal static class YearlyCounter
{
    /// <summary>Takes <paramref name="count"/> numbers of <paramref name="year"/> from <paramref name="table"/> (a constant name); returns the last one taken.</summary>
    public static async Task<int> TakeAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string table, int year, int count, CancellationToken ct)
    {
        await using (var create = Db.Command(connection, transaction,
            $"INSERT INTO {table} (year, last_number) VALUES (@year, 0) ON CONFLICT (year) DO NOTHING"))
        {
            Db.Add(create, provider, "year", year);
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var take = Db.Command(connection, transaction,
            $"UPDATE {table} SET last_number = last_number + @count WHERE year = @year RETURNING last_number");
        Db.Add(take, provider, "count", count);
        Db.Add(take, provider, "year", year);
        return Convert.ToInt32(await take.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>Gives credit notes their CN-yyyy-nnnnnn numbers, gapless per year, inside the transaction that issues them.</summary>
public static class CreditNoteNumbering
{
    public static async Task<CreditNoteNumber> TakeAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, int year, CancellationToken ct)
    {
        var last = await YearlyCounter.TakeAsync(connection, transaction, provider, "credit_note_sequences", year, 1, ct);
        if (last > CreditNoteNumber.MaxSequence)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The credit-note numbers of {year} are exhausted ({CreditNoteNumber.MaxSequence} per year)."));
        }

        return new CreditNoteNumber(year, last);
    }
}
