using System.Globalization;

namespace Renewals.Domain.Text;

/// <summary>
/// Amounts and rates written the way the reader's language writes them: "1 234,56 €" and
/// "20 %" in French, "€1,234.56" and "20%" in English. Currencies without a common symbol
/// keep their ISO code ("CHF 1,234.56"). Spaces inside are no-break: an amount never splits
/// across lines. Neutral cultures take fr-FR and en-GB number formats.
/// </summary>
public static class MoneyText
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EUR"] = "€",
        ["GBP"] = "£",
        ["USD"] = "$",
    };

    public static string Format(decimal amount, string currency, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var format = (NumberFormatInfo)Specific(culture).NumberFormat.Clone();
        format.CurrencyDecimalDigits = 2;
        if (Symbols.TryGetValue(currency, out var symbol))
        {
            format.CurrencySymbol = symbol;
        }
        else
        {
            format.CurrencySymbol = currency.ToUpperInvariant();
            // A code reads "CHF 1,234.56" or "1 234,56 CHF", never "CHF1,234.56".
            format.CurrencyPositivePattern = format.CurrencyPositivePattern switch
            {
                0 => 2,
                1 => 3,
                var keep => keep,
            };
            format.CurrencyNegativePattern = format.CurrencyNegativePattern switch
            {
                1 => 9,
                5 => 8,
                var keep => keep,
            };
        }

        return amount.ToString("C", format).Replace(' ', '\u00A0');
    }

    /// <summary>A rate stored as a fraction: "20 %" in French, "20%" in English, up to two decimals ("5,5 %").</summary>
    public static string Percent(decimal rate, CultureInfo culture)
    {
        var specific = Specific(culture);
        var percent = (rate * 100m).ToString("0.##", specific);
        return specific.TwoLetterISOLanguageName == "fr" ? percent + "\u00A0%" : percent + "%";
    }

    /// <summary>The culture whose number format applies: fr-FR or en-GB for the neutral ones.</summary>
    public static CultureInfo Specific(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.IsNeutralCulture
            ? CultureInfo.GetCultureInfo(culture.TwoLetterISOLanguageName == "fr" ? "fr-FR" : "en-GB")
            : culture;
    }
}
