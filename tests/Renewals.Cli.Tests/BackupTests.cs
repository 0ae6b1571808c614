using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using Xunit.Abstractions;

namespace Renewals.Cli.Tests;

/// <summary>
/// <c>renewals db backup</c> taken while an engine process carries out a simulated year and
/// <c>db restore</c> into a fresh database: the copy is one consistent moment of the run (a
/// batch boundary), the restored database holds what the source held, and the engine run on
/// from the restored copy ends exactly where the uninterrupted run ended, invoice numbers
/// included.
/// </summary>
public sealed class BackupTests(ITestOutputHelper output)
{
    private const int Subscriptions = 1500;
    private const int Seed = 11;
    private static readonly Instant AsOf = Instant.FromUtc(2028, 6, 30, 23, 59);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Backup_taken_while_the_engine_runs_restores_and_the_engine_runs_on_to_the_same_end(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        await new DemoBook(source.Database, new FakeClock(CliRun.Today)).GenerateAsync(Subscriptions, Seed);
        var dueAtStart = await PendingDueAsync(source.Database);
        var doneAtStart = (await StateAsync(source.Database)).MilestonesDone;
        Assert.True(dueAtStart > 1000, $"only {dueAtStart} milestones due");

        var folder = Directory.CreateTempSubdirectory("renewals-backup-").FullName;
        try
        {
            // The engine works in small batches so the backup lands in the middle of its run.
            var midRunFile = Path.Combine(folder, "mid-run.backup");
            using (var engine = CliRun.Start(RunArgs(source.Setting)))
            {
                var waited = Stopwatch.StartNew();
                while (!engine.HasExited && (await StateAsync(source.Database)).MilestonesDone < doneAtStart + 300 && waited.Elapsed < TimeSpan.FromMinutes(3))
                {
                    await Task.Delay(20);
                }

                Assert.False(engine.HasExited, "the engine finished before the backup could be taken");
                var backup = await CliRun.AsProcess("db", "backup", midRunFile, "--db", source.Setting);
                Assert.True(backup.ExitCode == 0, backup.Error);
                Assert.Contains(midRunFile, backup.Output, StringComparison.Ordinal);
                var stillRunning = !engine.HasExited;
                await engine.WaitForExitAsync();
                Assert.Equal(0, engine.ExitCode);
                output.WriteLine($"{provider}: {dueAtStart} due at start; engine still running when the backup ended: {stillRunning}");
            }

            var endFile = Path.Combine(folder, "end.backup");
            Assert.Equal(0, (await CliRun.AsProcess("db", "backup", endFile, "--db", source.Setting)).ExitCode);

            // The backup of the finished run restores to the same rows, invoice numbers included.
            var whole = await EmptyTargetAsync(provider, folder, "whole");
            var restored = await CliRun.AsProcess("db", "restore", endFile, "--db", whole.Setting);
            Assert.True(restored.ExitCode == 0, restored.Error);
            var sourceState = await StateAsync(source.Database);
            Assert.Equal(sourceState, await StateAsync(whole.Database));
            Assert.Equal(Subscriptions, sourceState.Subscriptions);

            // The mid-run backup is a moment between two batches: part of the work done, and
            // every milestone done has all its effects (the engine finishes from there alike).
            var midRun = await EmptyTargetAsync(provider, folder, "mid");
            Assert.Equal(0, (await CliRun.AsProcess("db", "restore", midRunFile, "--db", midRun.Setting)).ExitCode);
            var doneInCopy = (await StateAsync(midRun.Database)).MilestonesDone;
            output.WriteLine($"{provider}: {doneAtStart} milestones done at start, {doneInCopy} in the mid-run copy, {sourceState.MilestonesDone} at the end");
            Assert.InRange(doneInCopy, doneAtStart + 300, sourceState.MilestonesDone - 1);
            Assert.True(await PendingDueAsync(midRun.Database) > 0);
            var runOn = await CliRun.AsProcess(RunArgs(midRun.Setting));
            Assert.True(runOn.ExitCode == 0, runOn.Error);
            Assert.Equal(sourceState, await StateAsync(midRun.Database));
            Assert.Equal(0, await PendingDueAsync(midRun.Database));
            await whole.DisposeAsync();
            await midRun.DisposeAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Restore_refuses_a_database_that_holds_data_unless_forced_and_one_in_use(DatabaseProvider provider)
    {
        await using var source = await TestDatabase.CreateAsync(provider);
        await new DemoBook(source.Database, new FakeClock(CliRun.Today)).GenerateAsync(40, Seed);
        // The target is filled without a connection pool: an idle pooled session of the test's
        // would count as a user of the database, which the restore refuses.
        await using var target = await UnpooledAsync(provider);
        await target.Database.MigrateAsync();
        await new DemoBook(target.Database, new FakeClock(CliRun.Today)).GenerateAsync(25, Seed + 1);
        var folder = Directory.CreateTempSubdirectory("renewals-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, "book.backup");
            Assert.Equal(0, (await CliRun.InProcess("db", "backup", file, "--db", source.Setting)).ExitCode);

            // A second backup to the same file would replace it: refused without --force.
            var again = await CliRun.InProcess("db", "backup", file, "--db", source.Setting);
            Assert.Equal(2, again.ExitCode);
            Assert.Equal($"error: {file} already exists; add --force to replace it.", again.Error.Trim());
            Assert.Equal(0, (await CliRun.InProcess("db", "backup", file, "--force", "--db", source.Setting)).ExitCode);

            var refused = await CliRun.InProcess("db", "restore", file, "--db", target.Setting);
            Assert.True(refused.ExitCode == 2, refused.Error);
            Assert.Contains("already holds data; add --force to replace it with the backup.", refused.Error, StringComparison.Ordinal);
            var refusedFr = await CliRun.InProcess("db", "restore", file, "--db", target.Setting, "--lang", "fr");
            Assert.Equal(2, refusedFr.ExitCode);
            Assert.Contains("contient déjà des données ; ajoutez --force pour la remplacer par la sauvegarde.", refusedFr.Error, StringComparison.Ordinal);
            Assert.Equal(25, (await StateAsync(target.Database)).Subscriptions);

            // In use: on SQLite a worker holds its lock; on PostgreSQL another session is connected.
            await using (var busy = await HoldAsync(target.Database))
            {
                var inUse = await CliRun.InProcess("db", "restore", file, "--force", "--db", target.Setting);
                Assert.Equal(1, inUse.ExitCode);
                Assert.Contains("is in use", inUse.Error, StringComparison.Ordinal);
                var inUseFr = await CliRun.InProcess("db", "restore", file, "--force", "--db", target.Setting, "--lang", "fr");
                Assert.Contains("est en cours d'utilisation", inUseFr.Error, StringComparison.Ordinal);
            }

            Assert.Equal(25, (await StateAsync(target.Database)).Subscriptions);
            var forced = await CliRun.InProcess("db", "restore", file, "--force", "--db", target.Setting);
            Assert.True(forced.ExitCode == 0, forced.Error);
            Assert.Equal(await StateAsync(source.Database), await StateAsync(target.Database));
            Assert.Equal(40, (await StateAsync(target.Database)).Subscriptions);

            // Neither a backup nor a file at all: refused, nothing touched.
            var notBackup = Path.Combine(folder, "notes.txt");
            await File.WriteAllTextAsync(notBackup, "not a database");
            var wrong = await CliRun.InProcess("db", "restore", notBackup, "--force", "--db", target.Setting);
            Assert.Equal(2, wrong.ExitCode);
            Assert.Equal($"error: {notBackup} is not a Renewals backup (neither a SQLite database nor a pg_dump archive of a Renewals database).", wrong.Error.Trim());
            var missing = await CliRun.InProcess("db", "restore", Path.Combine(folder, "nowhere.backup"), "--db", target.Setting, "--lang", "fr");
            Assert.Equal(2, missing.ExitCode);
            Assert.Equal($"erreur : le fichier {Path.Combine(folder, "nowhere.backup")} n'existe pas.", missing.Error.Trim());
            Assert.Equal(40, (await StateAsync(target.Database)).Subscriptions);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_backup_of_one_kind_is_refused_by_a_database_of_the_other()
    {
        await using var sqlite = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var postgres = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var folder = Directory.CreateTempSubdirectory("renewals-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, "sqlite.backup");
            Assert.Equal(0, (await CliRun.InProcess("db", "backup", file, "--db", sqlite.Setting)).ExitCode);
            var refused = await CliRun.InProcess("db", "restore", file, "--db", postgres.Setting);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("is a SQLite backup and the database is PostgreSQL: restore it into a SQLite database (--db).", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_SQLite_backup_restored_into_a_new_file_or_opened_itself_is_a_working_database()
    {
        await using var source = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await new DemoBook(source.Database, new FakeClock(CliRun.Today)).GenerateAsync(30, Seed);
        var folder = Directory.CreateTempSubdirectory("renewals-backup-").FullName;
        try
        {
            var file = Path.Combine(folder, "book.backup");
            Assert.Equal(0, (await CliRun.AsProcess("db", "backup", file, "--db", source.Setting)).ExitCode);
            // The SQLite file format's header: bytes 18 and 19 are 1 in rollback-journal mode, 2 in WAL.
            Assert.Equal(1, HeaderJournalMode(file));

            // The restore creates the file; the next command is the first to open it.
            var target = Path.Combine(folder, "restored.db");
            var restored = await CliRun.AsProcess("db", "restore", file, "--db", target);
            Assert.True(restored.ExitCode == 0, restored.Error);
            Assert.Equal(2, HeaderJournalMode(target));
            var migrate = await CliRun.AsProcess("db", "migrate", "--db", target);
            Assert.True(migrate.ExitCode == 0, migrate.Error);
            var run = await CliRun.AsProcess(RunArgs(target));
            Assert.True(run.ExitCode == 0, run.Error);

            // A command pointed at the backup itself works too (it reads it first, read-only).
            var fromBackup = await CliRun.AsProcess("db", "migrate", "--db", file);
            Assert.True(fromBackup.ExitCode == 0, fromBackup.Error);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int HeaderJournalMode(string file)
    {
        var header = new byte[20];
        using var stream = File.OpenRead(file);
        stream.ReadExactly(header);
        Assert.Equal(header[18], header[19]);
        return header[18];
    }

    private static string[] RunArgs(string setting) =>
        ["run", "--db", setting, "--as-of", NodaTime.Text.InstantPattern.ExtendedIso.Format(AsOf), "--batch-size", "10", "--no-send"];

    /// <summary>A database the restore creates: a SQLite path with no file yet, or an empty PostgreSQL database.</summary>
    private static async Task<Target> EmptyTargetAsync(DatabaseProvider provider, string folder, string name)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(folder, name + ".db");
            return new Target(file, RenewalsDatabase.FromSetting(file));
        }

        var connection = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
        return new Target(connection, RenewalsDatabase.FromSetting(connection));
    }

    /// <summary>What a user of the database holds open: the engine's lock on SQLite, a session on PostgreSQL.</summary>
    private static async Task<IAsyncDisposable> HoldAsync(RenewalsDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            return new Held(EngineLock.Acquire(database));
        }

        var session = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await session.OpenAsync();
        return session;
    }

    /// <summary>A new database reached without a connection pool: a SQLite file not made yet, or an empty PostgreSQL database.</summary>
    private static async Task<Target> UnpooledAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(Directory.CreateTempSubdirectory("renewals-backup-").FullName, "target.db");
            return new Target(file, RenewalsDatabase.FromSetting(file), OwnFolder: true);
        }

        var connection = new Npgsql.NpgsqlConnectionStringBuilder(await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync()) { Pooling = false }.ConnectionString;
        return new Target(connection, RenewalsDatabase.FromSetting(connection));
    }

    /// <summary>The test reads without a pool, so it holds no session open between its checks.</summary>
    private static RenewalsDbContext Read(RenewalsDatabase database) =>
        database.Provider == DatabaseProvider.PostgreSql
            ? RenewalsDatabase.FromSetting(new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString).CreateContext()
            : database.CreateContext();

    private static async Task<int> PendingDueAsync(RenewalsDatabase database)
    {
        await using var db = Read(database);
        return await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending && m.DueAt <= AsOf);
    }

    /// <summary>Counts of the rows that matter and every invoice number with the milestone it bills.</summary>
    private static async Task<State> StateAsync(RenewalsDatabase database)
    {
        await using var db = Read(database);
        var milestones = await db.Milestones.AsNoTracking()
            .Select(m => new { m.Id, Key = m.SubscriptionId + "/" + m.TermNumber + "/" + (int)m.Kind + "/" + m.Variant, m.Status, m.Outcome })
            .ToListAsync();
        var key = milestones.ToDictionary(m => m.Id, m => m.Key);
        var invoices = await db.Invoices.AsNoTracking().Select(i => new { i.Number, i.MilestoneId, i.Total }).ToListAsync();
        return new State(
            await db.Subscriptions.CountAsync(),
            milestones.Count,
            milestones.Count(m => m.Status != MilestoneStatus.Pending),
            invoices.Count,
            await db.Outbox.CountAsync(),
            string.Join("\n", invoices
                .Select(i => $"{i.Number} {(i.MilestoneId is { } id ? key[id] : "-")} {i.Total}")
                .Order(StringComparer.Ordinal)),
            string.Join("\n", milestones.Select(m => $"{m.Key} {m.Status} {m.Outcome}").Order(StringComparer.Ordinal)));
    }

    private sealed record State(int Subscriptions, int Milestones, int MilestonesDone, int Invoices, int Messages, string InvoiceNumbers, string MilestoneOutcomes);

    private sealed record Target(string Setting, RenewalsDatabase Database, bool OwnFolder = false) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (OwnFolder && Database.SqliteFile is { } file)
            {
                Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
            }

            if (Database.Provider == DatabaseProvider.PostgreSql)
            {
                using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
                Npgsql.NpgsqlConnection.ClearPool(connection);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class Held(EngineLock held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            held.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
