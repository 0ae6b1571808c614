using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Everything printed on an issued invoice, read once from storage: the PDF, the invoice email
/// and any other rendering work from this and never from the rows.
/// </summary>
/// <param name="Language">"fr" or "en": the bill-to contact's language.</param>
/// <param name="VatAmount">The stored total minus the stored net, so the printed figures always add up.</param>
/// <param name="Replaces">The number of the invoice this one replaces (cancelled by a credit note), when it is a reissue.</param>
public sealed record InvoiceDocument(
    string Number,
    InvoiceKind Kind,
    LocalDate IssuedOn,
    LocalDate DueOn,
    InvoicePeriod Period,
    string Currency,
    IReadOnlyList<InvoiceDocumentLine> Lines,
    decimal Net,
    decimal VatRate,
    decimal VatAmount,
    decimal Total,
    Seller Seller,
    BillTo BillTo,
    string? PurchaseOrderNumber,
    string Language,
    string? Replaces = null);

/// <summary>One line: a product, how many, for which period, at what price.</summary>
public sealed record InvoiceDocumentLine(string Description, int Quantity, InvoicePeriod Period, decimal UnitPrice, decimal Amount);

/// <summary>A billed period [<paramref name="Start"/>, <paramref name="End"/>): the end is exclusive, as terms are.</summary>
public sealed record InvoicePeriod(LocalDate Start, LocalDate End)
{
    /// <summary>The last day covered, the one an invoice prints.</summary>
    public LocalDate LastDay => End.PlusDays(-1);
}

/// <summary>Who the invoice is addressed to: the accounts-payable contact, else the primary one.</summary>
/// <param name="BillingAddress">The account's billing address, one line per line of text; null when none was recorded.</param>
/// <param name="VatNumber">The buyer's intra-community VAT number; null when none was recorded.</param>
public sealed record BillTo(string ContactName, string Email, string AccountName, string? BillingAddress = null, string? VatNumber = null)
{
    /// <summary>The billing address's non-blank lines.</summary>
    public IReadOnlyList<string> AddressLines => BillingAddress is null
        ? []
        : [.. BillingAddress.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
}

/// <summary>The vendor printed at the top of every invoice.</summary>
public sealed record Seller(string Name, IReadOnlyList<string> Address, string VatNumber, string Email)
{
    public const string NameVariable = "RENEWALS_SELLER_NAME";
    public const string AddressVariable = "RENEWALS_SELLER_ADDRESS";
    public const string VatNumberVariable = "RENEWALS_SELLER_VAT";
    public const string EmailVariable = "RENEWALS_SELLER_EMAIL";

    /// <summary>The zone the vendor keeps its books and calendar in (apart from the four printed settings: it has a default).</summary>
    public const string TimeZoneVariable = "RENEWALS_SELLER_TIME_ZONE";

    public const string DefaultTimeZoneId = "Europe/Paris";

    /// <summary>
    /// The vendor's own zone (an IANA id, checked at start): when an invoice is late, the day a
    /// newsletter is scheduled for, a callback's due time for an unknown caller, the scorecard's
    /// months, the staff's emails. An account's dates stay in the account's zone.
    /// </summary>
    public string TimeZoneId { get; init; } = DefaultTimeZoneId;

    public DateTimeZone Zone => DateTimeZoneProviders.Tzdb[TimeZoneId];

    /// <summary>The vendor's date at <paramref name="now"/>.</summary>
    public LocalDate Today(Instant now) => now.InZone(Zone).Date;

    /// <summary>Every setting of the seller, in the order they are checked.</summary>
    public static IReadOnlyList<string> Variables { get; } = [NameVariable, AddressVariable, VatNumberVariable, EmailVariable];

    /// <summary>
    /// The seller from its settings (<paramref name="setting"/> looks one up; the address's lines
    /// are separated by '|'): <see cref="Default"/> when none is set; when only some are,
    /// null and the first one missing in <paramref name="missing"/> (an invoice without the
    /// seller's address or VAT number is not one a finance department accepts).
    /// </summary>
    public static Seller? FromSettings(Func<string, string?> setting, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var values = Variables.Select(v => setting(v)?.Trim()).ToArray();
        missing = null;
        if (values.All(string.IsNullOrEmpty))
        {
            return Default;
        }

        var absent = Array.FindIndex(values, string.IsNullOrEmpty);
        if (absent >= 0)
        {
            missing = Variables[absent];
            return null;
        }

        var address = values[1]!.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new Seller(values[0]!, address, values[2]!, values[3]!);
    }

    /// <summary>
    /// A neutral vendor until the deployment configures its own (<see cref="FromSettings"/> gives it
    /// when no seller setting is set). Services never fall back to it: they require the configured
    /// seller, and tests, the bench and the chaos harness pass this one to what they build by hand,
    /// standing for a host given no seller settings.
    /// </summary>
    public static Seller Default { get; } = new(
        "Alderwood Software SAS",
        ["14 rue des Tanneurs", "69002 Lyon", "France"],
        "FR00 999999999",
        "billing@alderwood.example");
}

/// <summary>Reads issued invoices into <see cref="InvoiceDocument"/>s.</summary>
public static class InvoiceDocuments
{
    /// <summary>The issued invoice with this id; null when there is none (or it has no number yet).</summary>
    public static async Task<InvoiceDocument?> LoadAsync(RenewalsDbContext db, long invoiceId, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines)
            .SingleOrDefaultAsync(i => i.Id == invoiceId && i.Number != null, ct);
        return invoice is null ? null : await ToDocumentAsync(db, invoice, seller, ct);
    }

    /// <summary>The invoice numbered <paramref name="number"/> (any letter case, surrounding blanks ignored); null when there is none.</summary>
    public static async Task<InvoiceDocument?> LoadByNumberAsync(RenewalsDbContext db, string number, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!InvoiceNumber.TryParse(number, out var parsed))
        {
            return null;
        }

        var canonical = parsed.ToString();
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Number == canonical, ct);
        return invoice is null ? null : await ToDocumentAsync(db, invoice, seller, ct);
    }

    private static async Task<InvoiceDocument> ToDocumentAsync(RenewalsDbContext db, Invoice invoice, Seller seller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(seller);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == invoice.AccountId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == invoice.BillToContactId, ct)
            ?? throw new InvalidOperationException($"Invoice {invoice.Number} bills contact {invoice.BillToContactId}, which does not exist.");

        var lines = invoice.Lines
            .OrderBy(l => l.Id)
            .Select(l => new InvoiceDocumentLine(l.Description, l.Quantity, new InvoicePeriod(l.PeriodStart, l.PeriodEnd), l.UnitPrice, l.Amount))
            .ToArray();
        return new InvoiceDocument(
            invoice.Number!,
            invoice.Kind,
            invoice.IssuedOn,
            invoice.DueOn,
            new InvoicePeriod(invoice.PeriodStart, invoice.PeriodEnd),
            invoice.Currency,
            lines,
            invoice.Net,
            invoice.VatRate,
            invoice.Total - invoice.Net,
            invoice.Total,
            seller,
            BillToOf(contact, account),
            string.IsNullOrWhiteSpace(invoice.PurchaseOrderNumber) ? null : invoice.PurchaseOrderNumber,
            InvoiceFormat.Language(contact.Language),
            invoice.ReplacesInvoiceId is { } replaced
                ? await db.Invoices.AsNoTracking().Where(i => i.Id == replaced).Select(i => i.Number).SingleAsync(ct)
                : null);
    }

    /// <summary>The bill-to block of a contact of <paramref name="account"/>: its name and email, the account's name, billing address and VAT number.</summary>
    internal static BillTo BillToOf(Contact contact, Account account) => new(
        contact.Name, contact.Email, account.Name,
        string.IsNullOrWhiteSpace(account.BillingAddress) ? null : account.BillingAddress.Trim(),
        string.IsNullOrWhiteSpace(account.VatNumber) ? null : account.VatNumber.Trim());
}
