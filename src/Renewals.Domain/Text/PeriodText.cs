using System.Globalization;
using NodaTime;

namespace Renewals.Domain.Text;

/// <summary>
/// The one way a term, an invoice period or a licence period is written for people: its first
/// and its last day, both included ("from 15 January 2027 to 14 January 2028 inclusive",
/// "du 15 janvier 2027 au 14 janvier 2028 inclus"). Periods are stored with an exclusive end
/// (the next term's first day); people read the last day covered.
/// </summary>
public static class PeriodText
{
    /// <summary>The period from <paramref name="start"/> up to, not including, <paramref name="exclusiveEnd"/>.</summary>
    public static string Format(LocalDate start, LocalDate exclusiveEnd, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        if (exclusiveEnd <= start)
        {
            throw new ArgumentException($"A period ends after it starts ({start:uuuu-MM-dd} to {exclusiveEnd:uuuu-MM-dd}).", nameof(exclusiveEnd));
        }

        var first = DomainText.LongDate(start, culture);
        var last = DomainText.LongDate(LastDay(exclusiveEnd), culture);
        return culture.TwoLetterISOLanguageName == "fr"
            ? $"du {first} au {last} inclus"
            : $"from {first} to {last} inclusive";
    }

    /// <summary>The last day covered by a period that ends (exclusive) on <paramref name="exclusiveEnd"/>.</summary>
    public static LocalDate LastDay(LocalDate exclusiveEnd) => exclusiveEnd.PlusDays(-1);
}
