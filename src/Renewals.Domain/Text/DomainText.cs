using System.Globalization;
using System.Resources;

namespace Renewals.Domain.Text;

/// <summary>The domain's words for people, in English (neutral) and French.</summary>
public static class DomainText
{
    private static readonly ResourceManager Resources =
        new("Renewals.Domain.Text.DomainStrings", typeof(DomainText).Assembly);

    public static string Get(string key, CultureInfo culture) =>
        Resources.GetString(key, culture)
        ?? throw new InvalidOperationException($"No text for '{key}'.");

    /// <summary>Formats a text; dates and numbers follow <paramref name="culture"/>.</summary>
    public static string Format(string key, CultureInfo culture, params object[] arguments)
    {
        var localized = arguments.Select(a => Localize(a, culture)).ToArray();
        return string.Format(culture, Get(key, culture), localized);
    }

    private static object Localize(object argument, CultureInfo culture) => argument switch
    {
        NodaTime.LocalDate date => LongDate(date, culture),
        NodaTime.LocalDateTime dateTime => LongDateTime(dateTime, culture),
        Payments.InvoiceStatus status => Get($"InvoiceStatus.{status}", culture),
        _ => argument,
    };

    /// <summary>"15 January 2030" in English, "15 janvier 2030" in French (and "1er mars" for the first).</summary>
    public static string LongDate(NodaTime.LocalDate date, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return date.Day == 1 && culture.TwoLetterISOLanguageName == "fr"
            ? date.ToString("d'er' MMMM yyyy", culture)
            : date.ToString("d MMMM yyyy", culture);
    }

    /// <summary>"20 April 2027 at 10:00" in English, "20 avril 2027 à 10:00" in French.</summary>
    public static string LongDateTime(NodaTime.LocalDateTime at, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var time = at.ToString("HH:mm", CultureInfo.InvariantCulture);
        return culture.TwoLetterISOLanguageName == "fr"
            ? $"{LongDate(at.Date, culture)} à {time}"
            : $"{LongDate(at.Date, culture)} at {time}";
    }
}
