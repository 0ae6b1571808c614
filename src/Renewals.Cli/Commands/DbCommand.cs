using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals db migrate</c>: creates or upgrades the database schema; <c>db backup FILE</c> and
/// <c>db restore FILE</c>: a consistent copy taken while the engine runs, and put back.
/// </summary>
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

        return new Command("db", context.Text["Db.Description"]) { migrate, Backup(context), Restore(context) };
    }

    private static Command Backup(CliContext context)
    {
        var text = context.Text;
        var file = new Argument<string>("file") { Description = text["Db.Backup.File"], HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = text["Db.Backup.Force"] };
        var command = new Command("backup", text["Db.Backup.Description"]) { file, force };
        command.SetAction((parse, ct) => Guarded(parse, context, async () =>
        {
            var size = await Backups(context).BackupAsync(parse.GetValue(file)!, parse.GetValue(force), ct);
            Operations.Say(context, text.Format("Db.BackedUp", Describe(context.Database), Path.GetFullPath(parse.GetValue(file)!), size));
        }));
        return command;
    }

    private static Command Restore(CliContext context)
    {
        var text = context.Text;
        var file = new Argument<string>("file") { Description = text["Db.Restore.File"], HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = text["Db.Restore.Force"] };
        var command = new Command("restore", text["Db.Restore.Description"]) { file, force };
        command.SetAction((parse, ct) => Guarded(parse, context, async () =>
        {
            await Backups(context).RestoreAsync(parse.GetValue(file)!, parse.GetValue(force), ct);
            Operations.Say(context, text.Format("Db.Restored", Path.GetFullPath(parse.GetValue(file)!), Describe(context.Database)));
        }));
        return command;
    }

    private static DatabaseBackup Backups(CliContext context) =>
        new(context.Database, context.Text, context.Services.GetRequiredService<IConfiguration>()["Renewals:PostgresBin"]);

    /// <summary>A database in use, or pg_dump/pg_restore missing or failing: exit 1 with one line; bad input stays exit 2.</summary>
    private static async Task<int> Guarded(ParseResult parse, CliContext context, Func<Task> work)
    {
        try
        {
            await work();
            return RenewalsCli.Ok;
        }
        catch (Exception e) when (e is DatabaseInUseException or DatabaseToolException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(context.Text.ErrorLine(e.Message));
            return RenewalsCli.Failed;
        }
        catch (IOException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(context.Text.ErrorLine(context.Text.Format("Error.FileAccess", e.Message)));
            return RenewalsCli.Failed;
        }
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
