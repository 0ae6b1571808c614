using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Import;
using Renewals.Data;
using Renewals.Data.Model;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Core.Export;

/// <summary>The CSV files Renewals writes: the pipeline, the subscriptions (in the import layout) and the invoices.</summary>
public enum ExportKind
{
    Pipeline,
    Subscriptions,
    Invoices,
}

/// <summary>
/// Writes the book as CSV (RFC 4180, UTF-8, dates yyyy-mm-dd, amounts with a decimal point).
/// The subscriptions file is in <see cref="BookLayout"/>, so it imports again into an empty
/// Renewals with the same accounts, contracts and key dates.
/// </summary>
public sealed class BookExport(RenewalsDbContext db, IClock clock)
{
    public static readonly IReadOnlyList<string> PipelineColumns =
        ["subscription", "account", "renewal_date", "amount", "currency", "status", "notice_received", "po_missing", "partner"];

    public static readonly IReadOnlyList<string> InvoiceColumns =
        ["number", "kind", "issued_on", "due_on", "account", "subscription", "period_start", "period_end", "net", "vat_rate", "total", "currency", "purchase_order"];

    public Task WriteAsync(ExportKind kind, Stream output, CancellationToken ct = default) => kind switch
    {
        ExportKind.Pipeline => PipelineAsync(output, ct),
        ExportKind.Subscriptions => SubscriptionsAsync(output, ct),
        _ => InvoicesAsync(output, ct),
    };

    /// <summary>
    /// The renewals of the next 12 months: each subscription still running whose current term
    /// renews from today (in the customer's zone) to 12 months later, with the yearly amount of
    /// the coming term and what puts it at risk: a written notice received, or an account that
    /// needs a purchase order and has none covering the coming term.
    /// </summary>
    public async Task PipelineAsync(Stream output, CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var rows = await db.Subscriptions.AsNoTracking()
            .Where(s => s.Status != SubscriptionStatus.Ended)
            .Select(s => new
            {
                s.Id, s.Status, s.CurrentTermNumber, Account = s.Account!.Name, s.Account.TimeZoneId, s.Account.RequiresPurchaseOrder, s.AccountId,
                Partner = s.PartnerContract!.Partner!.Name,
                Renewal = s.Terms.Where(t => t.Number == s.CurrentTermNumber).Select(t => (LocalDate?)t.End).FirstOrDefault(),
                Lines = s.Lines.Select(l => new { l.Quantity, l.YearlyUnitPrice, l.Currency }).ToList(),
            })
            .OrderBy(s => s.Id)
            .ToListAsync(ct);
        var noticed = (await db.CancellationNotices.AsNoTracking().Where(n => n.WithdrawnAt == null)
            .Select(n => new { n.SubscriptionId, n.ReceivedInTerm }).ToListAsync(ct)).ToHashSet();
        var orders = await db.PurchaseOrders.AsNoTracking()
            .Select(p => new { p.AccountId, p.SubscriptionId, p.ValidFrom, p.ValidUntil }).ToListAsync(ct);
        var ordersByAccount = orders.ToLookup(o => o.AccountId);

        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader([.. PipelineColumns]);
        foreach (var s in rows)
        {
            if (s.Renewal is not { } renewal)
            {
                continue;
            }

            var today = now.InZone(DateTimeZoneProviders.Tzdb[s.TimeZoneId]).Date;
            if (renewal < today || renewal > today.PlusMonths(12))
            {
                continue;
            }

            var next = renewal.PlusMonths(12);
            var covered = ordersByAccount[s.AccountId].Any(o => (o.SubscriptionId == null || o.SubscriptionId == s.Id)
                && (o.ValidFrom is not { } from || from <= renewal) && (o.ValidUntil is not { } until || next <= until));
            var amount = s.Lines.Sum(l => l.Quantity * l.YearlyUnitPrice);
            csv.WriteRecord([
                Number(s.Id), s.Account, Iso(renewal), Money(amount), s.Lines.FirstOrDefault()?.Currency ?? "",
                s.Status == SubscriptionStatus.Ending ? "ending" : "renewing",
                YesNo(noticed.Contains(new { SubscriptionId = s.Id, ReceivedInTerm = s.CurrentTermNumber })),
                YesNo(s.RequiresPurchaseOrder && !covered),
                s.Partner ?? "",
            ]);
        }
    }

    /// <summary>Every subscription line with its account and contract, in the import layout.</summary>
    public async Task SubscriptionsAsync(Stream output, CancellationToken ct = default)
    {
        var accounts = await db.Accounts.AsNoTracking().Include(a => a.Contacts).Include(a => a.Advisor).Include(a => a.Partner)
            .ToDictionaryAsync(a => a.Id, ct);
        var subscriptions = await db.Subscriptions.AsNoTracking().Include(s => s.Lines).ThenInclude(l => l.Product)
            .OrderBy(s => s.AccountId).ThenBy(s => s.Id).ToListAsync(ct);

        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader([.. BookLayout.Columns]);
        foreach (var s in subscriptions)
        {
            var a = accounts[s.AccountId];
            var primary = a.Contacts.OrderBy(c => c.Id).FirstOrDefault(c => c.Role == ContactRole.Primary) ?? a.Contacts.OrderBy(c => c.Id).FirstOrDefault();
            var payables = a.Contacts.OrderBy(c => c.Id).FirstOrDefault(c => c.Role == ContactRole.AccountsPayable);
            foreach (var line in s.Lines.OrderBy(l => l.Id))
            {
                var values = new Dictionary<string, string>
                {
                    [BookLayout.Account] = a.Name,
                    [BookLayout.Language] = a.Language,
                    [BookLayout.TimeZone] = a.TimeZoneId,
                    [BookLayout.RequiresPurchaseOrder] = YesNo(a.RequiresPurchaseOrder),
                    [BookLayout.VatRate] = a.VatRate.ToString("0.00##", CultureInfo.InvariantCulture),
                    [BookLayout.BillingAddress] = a.BillingAddress?.Replace("\n", BookLayout.AddressLineSeparator, StringComparison.Ordinal) ?? "",
                    [BookLayout.VatNumber] = a.VatNumber ?? "",
                    [BookLayout.AdvisorEmail] = a.Advisor?.Email ?? "",
                    [BookLayout.Partner] = a.Partner?.Name ?? "",
                    [BookLayout.PrimaryContact] = primary?.Name ?? "",
                    [BookLayout.PrimaryEmail] = primary?.Email ?? "",
                    [BookLayout.PayablesContact] = payables?.Name ?? "",
                    [BookLayout.PayablesEmail] = payables?.Email ?? "",
                    [BookLayout.Subscription] = "S" + Number(s.Id),
                    [BookLayout.Start] = Iso(s.Start),
                    [BookLayout.TermYears] = Number(s.InitialTermYears),
                    [BookLayout.Billing] = s.Billing == BillingMode.Upfront ? BookLayout.Upfront : BookLayout.Yearly,
                    [BookLayout.LicenceDelivery] = s.LicenceDelivery == LicenceDelivery.AvailableInWebAccount ? BookLayout.WebAccount : BookLayout.Extend,
                    [BookLayout.Product] = line.Product!.Code,
                    [BookLayout.Quantity] = Number(line.Quantity),
                    [BookLayout.YearlyUnitPrice] = Money(line.YearlyUnitPrice),
                    [BookLayout.Currency] = line.Currency,
                };
                csv.WriteRecord([.. BookLayout.Columns.Select(c => values[c])]);
            }
        }
    }

    /// <summary>Every numbered invoice, oldest first.</summary>
    public async Task InvoicesAsync(Stream output, CancellationToken ct = default)
    {
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.Number != null)
            .OrderBy(i => i.IssuedOn).ThenBy(i => i.Id)
            .Select(i => new
            {
                i.Number, i.Kind, i.IssuedOn, i.DueOn, Account = db.Accounts.Where(a => a.Id == i.AccountId).Select(a => a.Name).First(),
                i.SubscriptionId, i.PeriodStart, i.PeriodEnd, i.Net, i.VatRate, i.Total, i.Currency, i.PurchaseOrderNumber,
            })
            .ToListAsync(ct);
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader([.. InvoiceColumns]);
        foreach (var i in invoices)
        {
            csv.WriteRecord([
                i.Number, i.Kind.ToString().ToLowerInvariant(), Iso(i.IssuedOn), Iso(i.DueOn), i.Account, Number(i.SubscriptionId),
                // Stored periods end the day after their last day: the file says the last day covered.
                Iso(i.PeriodStart), Iso(i.PeriodEnd.PlusDays(-1)), Money(i.Net), i.VatRate.ToString("0.00##", CultureInfo.InvariantCulture), Money(i.Total), i.Currency,
                i.PurchaseOrderNumber ?? "",
            ]);
        }
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? BookLayout.Yes : BookLayout.No;
}
