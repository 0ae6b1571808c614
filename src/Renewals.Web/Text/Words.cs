using System.Globalization;
using NodaTime;
using Renewals.Domain.Text;

namespace Renewals.Web.Text;

/// <summary>Dates and amounts in the page's language, written as the emails and invoices write them.</summary>
public static class Words
{
    private static CultureInfo Culture => CultureInfo.CurrentUICulture;

    /// <summary>"15 January 2030", "1er mars 2030".</summary>
    public static string Date(LocalDate date) => DomainText.LongDate(date, Culture);

    /// <summary>"20 April 2027 at 10:00", "20 avril 2027 à 10:00".</summary>
    public static string DateTime(LocalDateTime at) => DomainText.LongDateTime(at, Culture);

    /// <summary>
    /// "20 April 2027 at 10:00 UTC": an instant on the staff pages, whose readers may sit in any
    /// time zone, so the zone is named rather than guessed.
    /// </summary>
    public static string Utc(Instant at) => DateTime(at.InUtc().LocalDateTime) + " UTC";

    public static string Money(decimal amount, string currency) => MoneyText.Format(amount, currency, Culture);

    /// <summary>A number for SVG coordinates: always a dot, whatever the language.</summary>
    public static string Svg(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
