using NodaTime;

namespace Renewals.Domain.Engagement;

/// <summary>
/// When a callback falls due: within one business day of the request, in the customer's own
/// time zone, so the next business day (Saturday and Sunday skipped) at the same local time.
/// A request made on a Saturday or a Sunday is due on Monday at that time.
/// </summary>
public static class CallbackDue
{
    /// <summary>The moment the callback is due, in the zone of <paramref name="requestedAt"/>.</summary>
    public static ZonedDateTime After(ZonedDateTime requestedAt)
    {
        var local = requestedAt.LocalDateTime;
        var day = NextBusinessDay(local.Date);
        // The same wall-clock time; a time a DST change skips moves forward by the gap, one it repeats takes the earlier.
        return (day + local.TimeOfDay).InZoneLeniently(requestedAt.Zone);
    }

    /// <summary>The business day after <paramref name="date"/> (Monday to Friday).</summary>
    public static LocalDate NextBusinessDay(LocalDate date)
    {
        var next = date.PlusDays(1);
        while (next.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
        {
            next = next.PlusDays(1);
        }

        return next;
    }
}
