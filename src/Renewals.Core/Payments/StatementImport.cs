using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Import;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Payments;

namespace Renewals.Core.Payments;

/// <summary>
/// A bank statement as CSV (layout: docs/payments.md): the credits received, one a line. Each line
/// is matched to invoices by the invoice numbers its reference names and by its amount, which must
/// be exactly what those invoices still owe; a line that cannot be matched so (no number, a number
/// no invoice has, another amount, an invoice already paid) is kept for a person to decide. A line
/// whose transaction was imported before is recognised by its id and not paid again. A file with
/// any fault is refused whole, every fault named with its line: nothing is stored.
/// </summary>
/// <param name="seller">The configured vendor, whose zone dates the books.</param>
public sealed partial class StatementImport(RenewalsDbContext db, IClock clock, Invoicing.Seller seller)
{
    public const string BookedOn = "booked_on";
    public const string Amount = "amount";
    public const string Currency = "currency";
    public const string Reference = "reference";
    public const string TransactionId = "transaction_id";
    public const int MaxLines = 10_000;
    public const int MaxTransactionId = 100;

    public static IReadOnlyList<string> Columns { get; } = [BookedOn, Amount, Currency, Reference, TransactionId];

    public async Task<StatementResult> ImportAsync(Actor actor, string fileName, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireFinance();
        var rows = Read(bytes);
        var now = clock.GetCurrentInstant();
        var today = seller.Today(now);
        var name = Path.GetFileName(fileName ?? "");
        name = name.Length is 0 ? "statement.csv" : name[..Math.Min(name.Length, 260)];

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var ids = rows.Select(r => r.TransactionId).ToList();
        var known = (await db.StatementLines.AsNoTracking().Where(l => ids.Contains(l.TransactionId)).Select(l => l.TransactionId).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var numbers = rows.SelectMany(r => r.Numbers).Distinct(StringComparer.Ordinal).ToList();
        var invoices = await db.Invoices.Where(i => i.Number != null && numbers.Contains(i.Number)).ToDictionaryAsync(i => i.Number!, StringComparer.Ordinal, ct);
        var invoiceIds = invoices.Values.Select(i => i.Id).ToList();
        var states = await InvoiceStatuses.ReadAsync(db, db.Invoices.Where(i => invoiceIds.Contains(i.Id)).Select(i => i.Id), today, ct);
        // What each invoice still owes as the lines above it in this file are matched.
        var owed = states.ToDictionary(s => s.Key, s => s.Value.Status is InvoiceStatus.Credited ? 0m : s.Value.Balance);
        var payments = new PaymentService(db, clock, seller);
        var outcomes = new List<StatementLineOutcome>();
        var matched = 0;
        foreach (var row in rows)
        {
            if (known.Contains(row.TransactionId))
            {
                outcomes.Add(Outcome(row, StatementOutcome.AlreadyImported, null));
                continue;
            }

            var reason = Unmatched(row, invoices, owed);
            var line = new StatementLine
            {
                TransactionId = row.TransactionId, BookedOn = row.BookedOn, Amount = row.Amount, Currency = row.Currency, Reference = row.Reference,
                State = reason is null ? StatementLineState.Matched : StatementLineState.Unmatched, UnmatchedReason = reason,
                InvoiceNumbers = row.Numbers.Count == 0 ? null : Truncate(string.Join(",", row.Numbers), 300),
                FileName = name, ImportedAt = now, ImportedBy = actor.AuditName,
            };
            db.StatementLines.Add(line);
            await db.SaveChangesAsync(ct);
            if (reason is null)
            {
                var plan = row.Numbers.Select(n => (invoices[n], owed[invoices[n].Id])).ToList();
                foreach (var (invoice, share) in plan)
                {
                    owed[invoice.Id] -= share;
                }

                await payments.StoreAsync(actor, row.BookedOn, row.Amount, row.Currency, row.Reference, PaymentSources.Statement, line, plan, now, today, ct);
                matched++;
            }

            outcomes.Add(Outcome(row, reason is null ? StatementOutcome.Matched : StatementOutcome.Unmatched, reason));
        }

        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = actor.AuditName, Action = "statement.imported", Entity = "statement", EntityId = 0,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"{name}: {rows.Count} lines, {matched} matched, {outcomes.Count(o => o.Outcome == StatementOutcome.Unmatched)} unmatched, {outcomes.Count(o => o.Outcome == StatementOutcome.AlreadyImported)} already imported"),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new StatementResult(outcomes);
    }

    /// <summary>Why the line cannot be matched on its own; null when its invoices owe exactly its amount.</summary>
    private static string? Unmatched(Row row, Dictionary<string, Invoice> invoices, Dictionary<long, decimal> owed)
    {
        if (row.Numbers.Count == 0)
        {
            return UnmatchedReasons.NoInvoiceNumber;
        }

        if (row.Numbers.Any(n => !invoices.ContainsKey(n)))
        {
            return UnmatchedReasons.UnknownNumber;
        }

        var named = row.Numbers.Select(n => invoices[n]).ToList();
        if (named.Any(i => owed[i.Id] <= 0m))
        {
            return UnmatchedReasons.AlreadyPaid;
        }

        return named.All(i => i.Currency == row.Currency) && named.Sum(i => owed[i.Id]) == row.Amount ? null : UnmatchedReasons.AmountMismatch;
    }

    private static StatementLineOutcome Outcome(Row row, StatementOutcome outcome, string? reason) =>
        new(row.Line, row.TransactionId, row.BookedOn, row.Amount, row.Currency, row.Reference, outcome, reason, row.Numbers);

    /// <summary>The file's lines, every one checked; any fault refuses the whole file.</summary>
    internal static List<Row> Read(ReadOnlyMemory<byte> bytes)
    {
        var errors = new LineErrors<StatementError>((line, column, refused) => new StatementError(line, column, refused.Code, refused.Arguments));
        var rows = new List<Row>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var csv = new CsvLines(bytes);
        if (csv.Header.Count != Columns.Count || Columns.Any(c => !csv.Header.Contains(c)))
        {
            throw new StatementRefusedException([new StatementError(1, null, DomainErrors.StatementHeader, [string.Join(",", Columns)])]);
        }

        while (csv.TryRead(out var values))
        {
            var line = values.Line;
            if (rows.Count + errors.Count >= MaxLines)
            {
                throw new StatementRefusedException([new StatementError(line, null, DomainErrors.StatementTooLarge, [MaxLines])]);
            }

            if (values.FieldCount != csv.Header.Count)
            {
                // A comma or a quote out of place shifts the columns: no field of the line can be trusted.
                errors.Add(new StatementError(line, null, DomainErrors.StatementFieldCount, [line, values.FieldCount, csv.Header.Count]));
                continue;
            }

            if (values.ColumnsWithLineBreak.Count > 0)
            {
                // A statement's fields hold one line each: a field that spans lines swallowed the lines between.
                errors.AddRange(values.ColumnsWithLineBreak.Select(c => new StatementError(line, c, DomainErrors.StatementFieldLineBreak, [])));
                continue;
            }

            var before = errors.Count;
            var bookedOn = errors.Check(line, BookedOn, () => PaymentService.ParseDate(values[BookedOn]));
            var amount = errors.Check(line, Amount, () => PaymentService.ParseAmount(values[Amount]));
            var currency = errors.Check(line, Currency, () => PaymentService.ParseCurrency(values[Currency]));
            var reference = errors.Check(line, Reference, () => PaymentService.ParseReference(values[Reference]));
            var transaction = values[TransactionId];
            if (transaction.Length is 0 or > MaxTransactionId)
            {
                errors.Add(new StatementError(line, TransactionId, DomainErrors.StatementTransactionId, [MaxTransactionId]));
            }
            else if (seen.TryGetValue(transaction, out var first))
            {
                errors.Add(new StatementError(line, null, DomainErrors.StatementTransactionRepeated, [line, transaction, first]));
            }
            else
            {
                seen[transaction] = line;
            }

            if (errors.Count == before)
            {
                rows.Add(new Row(line, transaction, bookedOn, amount, currency!, reference!, NumbersIn(reference!)));
            }
        }

        if (csv.MalformedAt is { } malformed)
        {
            errors.Add(new StatementError(malformed, null, DomainErrors.StatementMalformed, [malformed]));
        }

        if (errors.Count > 0)
        {
            throw new StatementRefusedException(errors);
        }

        return rows.Count == 0 ? throw new StatementRefusedException([new StatementError(2, null, DomainErrors.StatementEmpty, [])]) : rows;
    }

    /// <summary>The invoice numbers a reference names, as written on invoices (INV-2027-000001), in capitals, each once.</summary>
    public static IReadOnlyList<string> NumbersIn(string reference) =>
        [.. InvoiceNumberPattern().Matches(reference).Select(m => m.Value.ToUpperInvariant()).Distinct(StringComparer.Ordinal)];

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    [GeneratedRegex(@"INV-\d{4}-\d{6}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InvoiceNumberPattern();

    internal sealed record Row(int Line, string TransactionId, LocalDate BookedOn, decimal Amount, string Currency, string Reference, IReadOnlyList<string> Numbers);
}
