using System.Data.Common;
using NodaTime;

namespace Renewals.Data.Sql;

/// <summary>
/// The one place that knows how each provider stores a value, so hand-written SQL (the
/// engine's and the bulk planner's hot paths) reads and writes exactly what EF Core would.
/// </summary>
public static class Db
{
    public static object ToParameter(DatabaseProvider provider, object? value) => value switch
    {
        null => DBNull.Value,
        LocalDate d when provider == DatabaseProvider.Sqlite => SqliteRenewalsDbContext.ToText(d),
        Instant i when provider == DatabaseProvider.Sqlite => SqliteRenewalsDbContext.ToTicks(i),
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    };

    public static LocalDate ReadDate(DbDataReader reader, int ordinal, DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite
            ? NodaTime.Text.LocalDatePattern.Iso.Parse(reader.GetString(ordinal)).Value
            : reader.GetFieldValue<LocalDate>(ordinal);

    public static Instant ReadInstant(DbDataReader reader, int ordinal, DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite
            ? Instant.FromUnixTimeTicks(reader.GetInt64(ordinal))
            : reader.GetFieldValue<Instant>(ordinal);

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static void Add(DbCommand command, DatabaseProvider provider, string name, object? value)
    {
        var parameter = command.CreateParameter();
        // Microsoft.Data.Sqlite matches an unprefixed name by trying each prefix in turn: give it the "@".
        parameter.ParameterName = provider == DatabaseProvider.Sqlite ? "@" + name : name;
        parameter.Value = ToParameter(provider, value);
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// Reserves <paramref name="count"/> ids of <paramref name="table"/> for rows about to be
    /// inserted with explicit ids. On SQLite the caller holds the write lock (one writer);
    /// on PostgreSQL the table's identity sequence hands them out.
    /// </summary>
    public static async Task<long[]> AllocateIdsAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string table, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var ids = new long[count];
        if (provider == DatabaseProvider.Sqlite)
        {
            // sqlite_sequence is not used (no AUTOINCREMENT): max(id) is the high-water mark.
            await using var command = Command(connection, transaction, $"SELECT COALESCE(MAX(id), 0) FROM {table}");
            var max = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
            {
                ids[i] = max + 1 + i;
            }

            return ids;
        }

        await using (var command = Command(connection, transaction,
            $"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, @n)"))
        {
            Add(command, provider, "n", count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var i = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                ids[i++] = reader.GetInt64(0);
            }
        }

        return ids;
    }
}
