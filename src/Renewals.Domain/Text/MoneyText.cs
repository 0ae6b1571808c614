using System.Globalization;

namespace Renewals.Domain.Text;

/// <summary>
/// Amounts written the way the reader's language writes them: "1 234,56 €" in French,
/// "€1,234.56" in English. Currencies without a common symbol keep their ISO code.
/// </summary>
public static class MoneyText
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EUR"] = "€",
        ["USD"] = "$",
        ["GBP"] = "£",
        ["JPY"] = "¥",
    };

    public static string Format(decimal amount, string currency, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var format = (NumberFormatInfo)Culture(culture).NumberFormat.Clone();
        format.CurrencySymbol = Symbols.GetValueOrDefault(currency, currency.ToUpperInvariant());
        format.CurrencyDecimalDigits = 2;
        return amount.ToString("C", format);
    }

    /// <summary>"20 %" in French, "20%" in English.</summary>
    public static string Percent(decimal rate, CultureInfo culture)
    {
        var format = (NumberFormatInfo)Culture(culture).NumberFormat.Clone();
        format.PercentDecimalDigits = rate * 100 % 1 == 0 ? 0 : 2;
        return rate.ToString("P", format);
    }

    /// <summary>A specific culture for number formats: fr-FR for French, en-GB for English.</summary>
    private static CultureInfo Culture(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.IsNeutralCulture
            ? CultureInfo.GetCultureInfo(culture.TwoLetterISOLanguageName == "fr" ? "fr-FR" : "en-GB")
            : culture;
    }
}
