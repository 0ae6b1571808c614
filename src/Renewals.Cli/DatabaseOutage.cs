using Npgsql;

namespace Renewals.Cli;

/// <summary>
/// Tells an outage of the database server (refused or cut connections, a server shutting down or
/// starting up) from an error in the work itself, so that the command line can say so in one line
/// instead of a stack trace, and `run --watch` can wait for the server rather than stop.
/// </summary>
internal static class DatabaseOutage
{
    /// <summary>The reason worth one line, when <paramref name="error"/> (or what it wraps) is the server being out of reach.</summary>
    public static string? Reason(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Class 08 (connection exception), 57P01..57P03 (shutting down, crashed, starting up).
                case PostgresException server when server.SqlState.StartsWith("08", StringComparison.Ordinal)
                    || server.SqlState.StartsWith("57P", StringComparison.Ordinal):
                    return server.MessageText;
                case PostgresException:
                    return null;
                // A refused or broken connection, a timeout reaching the server.
                case NpgsqlException { IsTransient: true } client:
                    return Innermost(client).Message;
            }
        }

        return null;
    }

    public static bool Is(Exception error) => Reason(error) is not null;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
        {
            e = inner;
        }

        return e;
    }
}
