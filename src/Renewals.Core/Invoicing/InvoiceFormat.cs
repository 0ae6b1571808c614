using System.Globalization;
using System.Resources;
using NodaTime;
using Renewals.Data.Model;
using Renewals.Domain.Text;

namespace Renewals.Core.Invoicing;

/// <summary>
/// How an invoice words and writes its values. French uses fr-FR ("1 234,56 €", "15 janvier
/// 2030"); English uses en-GB ("€1,234.56", "15 January 2030"). The currency is the invoice's:
/// its symbol for EUR, GBP and USD, else its ISO code set apart by a space ("CHF 1,234.56").
/// </summary>
public static class InvoiceFormat
{
    private static readonly ResourceManager Resources =
        new("Renewals.Core.Invoicing.InvoiceStrings", typeof(InvoiceFormat).Assembly);

    /// <summary>"fr" for French, "en" for anything else.</summary>
    public static string Language(string? language) =>
        string.Equals(language, "fr", StringComparison.OrdinalIgnoreCase) ? "fr" : "en";

    /// <summary>The culture an invoice in <paramref name="language"/> is written in: fr-FR or en-GB.</summary>
    public static CultureInfo Culture(string language) =>
        CultureInfo.GetCultureInfo(Language(language) == "fr" ? "fr-FR" : "en-GB");

    /// <summary>A label of the invoice, in the invoice's culture.</summary>
    public static string Text(string key, CultureInfo culture) =>
        Resources.GetString(key, culture) ?? throw new InvalidOperationException($"No invoice text for '{key}'.");

    public static string Text(string key, CultureInfo culture, params object[] arguments) =>
        string.Format(culture, Text(key, culture), arguments);

    /// <summary>An amount in <paramref name="currency"/>, two decimals, in the culture's way.</summary>
    public static string Money(decimal amount, string currency, CultureInfo culture) => MoneyText.Format(amount, currency, culture);

    /// <summary>A quantity, grouped the culture's way.</summary>
    public static string Quantity(int quantity, CultureInfo culture) => quantity.ToString("N0", culture);

    /// <summary>A VAT rate stored as a fraction: "20 %" in French, "20%" in English, up to two decimals ("5,5 %").</summary>
    public static string Rate(decimal rate, CultureInfo culture) => MoneyText.Percent(rate, culture);

    /// <summary>"15 January 2030", "15 janvier 2030".</summary>
    public static string Date(LocalDate date, CultureInfo culture) => DomainText.LongDate(date, culture);

    /// <summary>From the first to the last day covered: "15 January 2027 – 14 January 2028".</summary>
    public static string Period(InvoicePeriod period, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(period);
        // Each date stays whole (no-break spaces): a narrow column breaks only between them.
        return Text("Period", culture, Unbroken(Date(period.Start, culture)), Unbroken(Date(period.LastDay, culture)));
    }

    private static string Unbroken(string text) => text.Replace(' ', '\u00A0');

    /// <summary>
    /// What the invoice is for: the first invoice, a yearly instalment, a renewal (for the months
    /// of its period: the term it bills, 24 when an amendment made it two years) or added seats.
    /// </summary>
    public static string Kind(InvoiceKind kind, InvoicePeriod period, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(period);
        return kind switch
        {
            InvoiceKind.Initial => Text("Kind.Initial", culture),
            InvoiceKind.Yearly => Text("Kind.Yearly", culture),
            InvoiceKind.Renewal => Text("Kind.Renewal", culture, NodaTime.Period.Between(period.Start, period.End, PeriodUnits.Months).Months),
            InvoiceKind.Addition => Text("Kind.Addition", culture),
        };
    }
}
