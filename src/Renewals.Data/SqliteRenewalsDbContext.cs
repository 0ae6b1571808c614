using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using NodaTime.Text;

namespace Renewals.Data;

/// <summary>
/// SQLite: dates as ISO text (they sort as they compare), instants as ticks since the Unix
/// epoch (integers, cheap to compare in the engine's scan).
/// </summary>
public sealed class SqliteRenewalsDbContext(DbContextOptions<SqliteRenewalsDbContext> options) : RenewalsDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<LocalDate>().HaveConversion<LocalDateAsText>().HaveMaxLength(10);
        configurationBuilder.Properties<LocalDateTime>().HaveConversion<LocalDateTimeAsText>().HaveMaxLength(19);
        configurationBuilder.Properties<Instant>().HaveConversion<InstantAsTicks>();
    }

    public static string ToText(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static long ToTicks(Instant instant) => instant.ToUnixTimeTicks();

    private sealed class LocalDateAsText() : ValueConverter<LocalDate, string>(
        d => LocalDatePattern.Iso.Format(d),
        s => LocalDatePattern.Iso.Parse(s).Value);

    private sealed class LocalDateTimeAsText() : ValueConverter<LocalDateTime, string>(
        d => LocalDateTimePattern.GeneralIso.Format(d),
        s => LocalDateTimePattern.GeneralIso.Parse(s).Value);

    private sealed class InstantAsTicks() : ValueConverter<Instant, long>(
        i => i.ToUnixTimeTicks(),
        t => Instant.FromUnixTimeTicks(t));
}

/// <summary>
/// WAL and NORMAL sync: a commit survives a process crash (kill -9); a power cut may lose the
/// last commits but never corrupts the file. A 64 MiB page cache keeps the engine's indexes hot.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const string Statements = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536;";

    /// <summary>
    /// A read-only connection (EF's check that the file exists opens one) cannot switch a file in
    /// rollback-journal mode, such as a backup, to WAL: it only reads, so it leaves the mode alone.
    /// </summary>
    public const string ReadOnlyStatements = "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536;";

    // A process uses a handful of connection strings; parsing one at every open would cost more.
    private static readonly ConcurrentDictionary<string, bool> ReadOnly = new(StringComparer.Ordinal);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        var readOnly = ReadOnly.GetOrAdd(connection.ConnectionString, cs => new SqliteConnectionStringBuilder(cs).Mode == SqliteOpenMode.ReadOnly);
        command.CommandText = readOnly ? ReadOnlyStatements : Statements;
        command.ExecuteNonQuery();
    }
}
