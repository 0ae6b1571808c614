using System.CommandLine;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals db migrate</c>: creates or upgrades the database schema.</summary>
internal static class DbCommand
{
    public static Command Create(CliContext context)
    {
        var migrate = new Command("migrate", context.Text["Db.Migrate.Description"]);
        migrate.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            await database.MigrateAsync(ct);
            context.Console.MarkupLine(Markup.Escape(context.Text.Format("Db.Migrated", Describe(database))));
            return RenewalsCli.Ok;
        });

        return new Command("db", context.Text["Db.Description"]) { migrate };
    }

    /// <summary>A file path, or host and database name: never a password.</summary>
    public static string Describe(Data.RenewalsDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.SqliteFile is { } file)
        {
            return $"SQLite {file}";
        }

        var pg = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}";
    }
}
