using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Renewals.Cli.Text;
using Renewals.Core.Engine;
using Renewals.Data;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals db backup|restore FILE</c>. SQLite: the online backup API, which copies a
/// consistent snapshot while the engine and the web host keep writing. PostgreSQL:
/// <c>pg_dump -Fc</c> (one repeatable-read snapshot) and <c>pg_restore</c>. A backup is written
/// beside its final name and moved there once complete, so FILE is never half a backup.
/// </summary>
internal sealed class DatabaseBackup(RenewalsDatabase database, CliText text, string? postgresBin)
{
    /// <summary>The first bytes of a SQLite database file and of a pg_dump custom-format archive.</summary>
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();
    private static readonly byte[] PgDumpMagic = "PGDMP"u8.ToArray();

    /// <summary>The workers that write on a SQLite database; a restore holds all their locks.</summary>
    private static readonly string[] Workers = ["engine", "dispatcher", "webhooks"];

    public const string PostgresBinVariable = "RENEWALS_PG_BIN";

    /// <summary>Writes a backup of the database to <paramref name="file"/>; returns its size in bytes.</summary>
    public async Task<long> BackupAsync(string file, bool force, CancellationToken ct)
    {
        var target = Path.GetFullPath(file);
        if (File.Exists(target) && !force)
        {
            throw new UsageException(text.Format("Db.Error.FileExists", target));
        }

        if (Path.GetDirectoryName(target) is { } folder && !Directory.Exists(folder))
        {
            throw new UsageException(text.Format("Db.Error.NoFolder", folder));
        }

        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            if (database.SqliteFile is { } source)
            {
                BackupSqlite(source, partial);
            }
            else
            {
                await RunToolAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", partial], ct);
            }

            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return new FileInfo(target).Length;
    }

    /// <summary>Replaces the database's content with the backup in <paramref name="file"/>.</summary>
    public async Task RestoreAsync(string file, bool force, CancellationToken ct)
    {
        var backup = Path.GetFullPath(file);
        if (!File.Exists(backup))
        {
            throw new UsageException(text.Format("Error.FileMissing", backup));
        }

        var kind = await KindOfAsync(backup, ct);
        var wanted = database.Provider == DatabaseProvider.Sqlite ? "SQLite" : "PostgreSQL";
        if (kind is null)
        {
            throw new UsageException(text.Format("Db.Error.NotABackup", backup));
        }

        if (kind != wanted)
        {
            throw new UsageException(text.Format("Db.Error.WrongKind", backup, kind, wanted));
        }

        if (database.SqliteFile is { } sqlite)
        {
            RestoreSqlite(backup, sqlite, force);
        }
        else
        {
            await RestorePostgresAsync(backup, force, ct);
        }
    }

    private void BackupSqlite(string source, string destination)
    {
        if (!File.Exists(source))
        {
            // Opening it would create an empty database: there is nothing to back up.
            throw new UsageException(text.Format("Error.FileMissing", source));
        }

        using (var from = Open(source, SqliteOpenMode.ReadWrite))
        using (var to = Open(destination, SqliteOpenMode.ReadWriteCreate))
        {
            from.BackupDatabase(to);

            // The copy keeps the source's WAL mode; a backup is one self-contained file.
            using var journal = to.CreateCommand();
            journal.CommandText = "PRAGMA journal_mode=DELETE";
            journal.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    private void RestoreSqlite(string backup, string target, bool force)
    {
        if (Path.GetDirectoryName(target) is { } folder && !Directory.Exists(folder))
        {
            throw new UsageException(text.Format("Db.Error.NoFolder", folder));
        }

        // While the restore runs no engine, mail or webhook pass may start on the database; one
        // working now makes the restore wait for nobody: it is refused.
        var locks = new List<EngineLock>();
        try
        {
            foreach (var worker in Workers)
            {
                try
                {
                    locks.Add(EngineLock.Acquire(database, worker));
                }
                catch (EngineBusyException)
                {
                    throw new DatabaseInUseException(text.Format("Db.Error.InUseSqlite", DbCommand.Describe(database), worker));
                }
            }

            if (File.Exists(target) && !force && SqliteHoldsData(target))
            {
                throw new UsageException(text.Format("Db.Error.NotEmpty", DbCommand.Describe(database)));
            }

            using var from = Open(backup, SqliteOpenMode.ReadOnly);
            using var to = Open(target, SqliteOpenMode.ReadWriteCreate);
            // The backup API copies page by page under the destination's write lock: connections
            // other processes hold on the target see the restored content at their next read.
            from.BackupDatabase(to);

            // The backup is kept in rollback-journal mode (one self-contained file); the restored
            // database is a working one again, in the WAL mode every connection expects.
            using var journal = to.CreateCommand();
            journal.CommandText = "PRAGMA journal_mode=WAL";
            journal.ExecuteNonQuery();
        }
        finally
        {
            foreach (var held in locks)
            {
                held.Dispose();
            }

            SqliteConnection.ClearAllPools();
        }
    }

    private async Task RestorePostgresAsync(string backup, bool force, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(ct);
            // Sessions of clients only (autovacuum works there too); one that is just closing
            // leaves the list within moments, so a few looks before calling the database busy.
            long others = 0;
            for (var look = 0; look < 10; look++)
            {
                others = await ScalarAsync<long>(connection,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", ct);
                if (others == 0)
                {
                    break;
                }

                await Task.Delay(200, ct);
            }

            if (others > 0)
            {
                throw new DatabaseInUseException(text.Format("Db.Error.InUsePostgres", DbCommand.Describe(database), others));
            }

            if (!force && await PostgresHoldsDataAsync(connection, ct))
            {
                throw new UsageException(text.Format("Db.Error.NotEmpty", DbCommand.Describe(database)));
            }
        }

        // --clean drops what the archive holds before creating it again (a migrated but empty
        // database, or one replaced with --force); one transaction: all of it or nothing.
        await RunToolAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", backup], ct);
    }

    /// <summary>"SQLite", "PostgreSQL", or null when the file is neither a Renewals backup of one nor the other.</summary>
    private async Task<string?> KindOfAsync(string backup, CancellationToken ct)
    {
        var head = new byte[SqliteMagic.Length];
        int read;
        await using (var stream = File.OpenRead(backup))
        {
            read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        }

        if (read == head.Length && head.AsSpan().SequenceEqual(SqliteMagic))
        {
            try
            {
                using var connection = Open(backup, SqliteOpenMode.ReadOnly);
                var tables = Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'");
                return tables == 1 ? "SQLite" : null;
            }
            catch (SqliteException)
            {
                return null;
            }
            finally
            {
                SqliteConnection.ClearAllPools();
            }
        }

        if (read >= PgDumpMagic.Length && head.AsSpan(0, PgDumpMagic.Length).SequenceEqual(PgDumpMagic))
        {
            // The archive's table of contents names our schema's history table when it is ours.
            var list = await RunToolAsync("pg_restore", ["--list", backup], ct, connect: false);
            return list.Contains("__EFMigrationsHistory", StringComparison.Ordinal) ? "PostgreSQL" : null;
        }

        return null;
    }

    private static bool SqliteHoldsData(string file)
    {
        using var connection = Open(file, SqliteOpenMode.ReadOnly);
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__EFMigrationsHistory'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        return tables.Any(t => Scalar<long>(connection, $"SELECT EXISTS (SELECT 1 FROM \"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\")") == 1);
    }

    private static async Task<bool> PostgresHoldsDataAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> '__EFMigrationsHistory'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            if (await ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT 1 FROM {table})", ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Runs pg_dump or pg_restore against the database: the connection's settings go in the
    /// libpq variables (PGPASSWORD among them), never on the command line where ps shows them.
    /// </summary>
    private async Task<string> RunToolAsync(string tool, string[] arguments, CancellationToken ct, bool connect = true)
    {
        var program = FindTool(tool) ?? throw new DatabaseToolException(text.Format("Db.Error.ToolMissing", tool, PostgresBinVariable));
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (connect)
        {
            var pg = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            start.Environment["PGHOST"] = pg.Host ?? "localhost";
            start.Environment["PGPORT"] = pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = pg.Username ?? Environment.UserName;
            if (pg.Password is { } password)
            {
                start.Environment["PGPASSWORD"] = password;
            }

            start.Environment["PGSSLMODE"] = pg.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            };
            start.ArgumentList.Add("--dbname");
            start.ArgumentList.Add(pg.Database ?? "");
        }

        using var process = Process.Start(start) ?? throw new DatabaseToolException(text.Format("Db.Error.ToolMissing", tool, PostgresBinVariable));
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var said = (await error).Trim();
            throw new DatabaseToolException(text.Format("Db.Error.ToolFailed", tool, process.ExitCode, said.Length > 0 ? said : (await output).Trim()));
        }

        return await output;
    }

    /// <summary>RENEWALS_PG_BIN's folder, then PATH, then the newest /usr/lib/postgresql/N/bin.</summary>
    private string? FindTool(string tool)
    {
        var folders = new List<string>();
        if (!string.IsNullOrWhiteSpace(postgresBin))
        {
            folders.Add(postgresBin);
        }

        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            folders.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return folders.Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists);
    }

    private static SqliteConnection Open(string file, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ConnectionString);
        connection.Open();
        using var wait = connection.CreateCommand();
        wait.CommandText = "PRAGMA busy_timeout=30000";
        wait.ExecuteNonQuery();
        return connection;
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>The database is being worked on: a restore would pull it from under its users.</summary>
internal sealed class DatabaseInUseException(string message) : Exception(message);

/// <summary>pg_dump or pg_restore missing or failed; the message is already in the user's language.</summary>
internal sealed class DatabaseToolException(string message) : Exception(message);
