using Microsoft.Data.Sqlite;
using Npgsql;

namespace Renewals.Core.Invoicing;

/// <summary>
/// Recognises a write refused by a unique index, on either database, so that a concurrent
/// duplicate that slipped past a check surfaces as the same domain error as the check's.
/// </summary>
internal static class UniqueViolation
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>
    /// Whether <paramref name="error"/> (or an inner one) is a unique violation; with
    /// <paramref name="index"/> (PostgreSQL's index name) and <paramref name="columns"/> (SQLite's
    /// "table.column, ..." wording), only a violation of that index.
    /// </summary>
    public static bool Is(Exception error, string? index = null, string? columns = null)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when pg.SqlState == PostgresErrorCodes.UniqueViolation:
                    return index is null || string.Equals(pg.ConstraintName, index, StringComparison.Ordinal);
                case SqliteException lite when lite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey:
                    // SQLite names the columns, not the index: "UNIQUE constraint failed: purchase_orders.account_id, ...".
                    return columns is null || lite.Message.Contains(columns, StringComparison.Ordinal);
            }
        }

        return false;
    }
}
