using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// When the hosted engine runs next: every <see cref="EngineScheduleOptions.IntervalMinutes"/>
/// when set, else at the next start of a day in any of the accounts' time zones, since that is
/// when their key dates fall due (a day that starts at 01:00 because of a clock change starts then).
/// </summary>
public static class EngineSchedule
{
    /// <summary>The first instant after <paramref name="now"/> at which a new local day begins in one of <paramref name="zones"/>.</summary>
    public static Instant NextStartOfDay(Instant now, IEnumerable<DateTimeZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        Instant? next = null;
        foreach (var zone in zones.DefaultIfEmpty(DateTimeZone.Utc))
        {
            var start = zone.AtStartOfDay(now.InZone(zone).Date.PlusDays(1)).ToInstant();
            if (next is null || start < next)
            {
                next = start;
            }
        }

        return next!.Value;
    }

    /// <summary>The accounts' zones, read from the database.</summary>
    public static async Task<IReadOnlyList<DateTimeZone>> AccountZonesAsync(RenewalsDatabase database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var db = database.CreateContext();
        var ids = await db.Accounts.AsNoTracking().Select(a => a.TimeZoneId).Distinct().ToListAsync(ct);
        return [.. ids.Select(id => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)).OfType<DateTimeZone>()];
    }
}
