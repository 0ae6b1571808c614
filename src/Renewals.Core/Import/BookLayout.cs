namespace Renewals.Core.Import;

/// <summary>
/// The columns of a book file (docs/import.md): one row per subscription line. The account's
/// and the subscription's columns repeat on each of their rows and must agree. Export writes
/// the same layout, so an exported book imports again.
/// </summary>
public static class BookLayout
{
    public const string Account = "account";
    public const string Language = "language";
    public const string TimeZone = "time_zone";
    public const string RequiresPurchaseOrder = "requires_po";
    public const string VatRate = "vat_rate";
    public const string BillingAddress = "billing_address";
    public const string VatNumber = "vat_number";
    public const string AdvisorEmail = "advisor_email";
    public const string Partner = "partner";
    public const string PrimaryContact = "primary_contact";
    public const string PrimaryEmail = "primary_email";
    public const string PayablesContact = "payables_contact";
    public const string PayablesEmail = "payables_email";
    public const string Subscription = "subscription";
    public const string Start = "start";
    public const string TermYears = "term_years";
    public const string Billing = "billing";
    public const string LicenceDelivery = "licence_delivery";
    public const string Product = "product";
    public const string Quantity = "quantity";
    public const string YearlyUnitPrice = "yearly_unit_price";
    public const string Currency = "currency";

    /// <summary>Every column, in the order export writes them.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        Account, Language, TimeZone, RequiresPurchaseOrder, VatRate, BillingAddress, VatNumber, AdvisorEmail, Partner,
        PrimaryContact, PrimaryEmail, PayablesContact, PayablesEmail,
        Subscription, Start, TermYears, Billing, LicenceDelivery, Product, Quantity, YearlyUnitPrice, Currency,
    ];

    /// <summary>The columns a file must have; the others may be left out (empty, or their default).</summary>
    public static readonly IReadOnlyList<string> Required =
        [Account, Language, TimeZone, PrimaryContact, PrimaryEmail, Subscription, Start, TermYears, Product, Quantity];

    /// <summary>The columns that describe the account: equal on every row of one account.</summary>
    public static readonly IReadOnlyList<string> AccountColumns =
    [
        Language, TimeZone, RequiresPurchaseOrder, VatRate, BillingAddress, VatNumber, AdvisorEmail, Partner,
        PrimaryContact, PrimaryEmail, PayablesContact, PayablesEmail,
    ];

    /// <summary>The columns that describe the subscription: equal on every row of one subscription.</summary>
    public static readonly IReadOnlyList<string> SubscriptionColumns = [Account, Start, TermYears, Billing, LicenceDelivery];

    public const string Yearly = "yearly";
    public const string Upfront = "upfront";
    public const string Extend = "extend";
    public const string WebAccount = "web-account";
    public const string Yes = "yes";
    public const string No = "no";

    /// <summary>Billing address lines: the lines of a quoted field, or " | " between lines on one line.</summary>
    public const string AddressLineSeparator = " | ";
}
