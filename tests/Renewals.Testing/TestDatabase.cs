using Microsoft.Data.Sqlite;
using Renewals.Data;

namespace Renewals.Testing;

/// <summary>A migrated, empty database for one test: a SQLite file or a PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    private TestDatabase(RenewalsDatabase database, string? folder)
    {
        Database = database;
        _folder = folder;
    }

    public RenewalsDatabase Database { get; }

    /// <summary>What the command line's --db option takes to reach this database.</summary>
    public string Setting => Database.SqliteFile ?? Database.ConnectionString;

    /// <summary>
    /// A migrated, empty database. The migrations run once per test process and provider, into a
    /// template every test database is copied from (a file copy for SQLite, CREATE DATABASE ...
    /// TEMPLATE for PostgreSQL): a copy is what migrating afresh gives, without the seconds each
    /// migration took per test.
    /// </summary>
    /// <param name="provider">SQLite or PostgreSQL.</param>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "renewals-test-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, "renewals.db");
            File.Copy(await SqliteTemplate.Value, file);
            return new TestDatabase(RenewalsDatabase.FromSetting(file), folder);
        }

        var cluster = await PostgresCluster.SharedAsync();
        var connectionString = await cluster.CreatePreparedDatabaseAsync(c => RenewalsDatabase.FromSetting(c).MigrateAsync());
        return new TestDatabase(RenewalsDatabase.FromSetting(connectionString), null);
    }

    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "renewals-template-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        var file = Path.Combine(folder, "renewals.db");
        var template = RenewalsDatabase.FromSetting(file);
        await template.MigrateAsync();

        // The write-ahead log folded into the file, which alone is then the whole database.
        await using var connection = new SqliteConnection(template.ConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
        SqliteConnection.ClearPool(connection);
        return file;
    }

    /// <summary>
    /// A new test database holding what this one holds now: a copy of its file for SQLite, CREATE
    /// DATABASE ... TEMPLATE for PostgreSQL. Nothing may be writing to this one meanwhile. PostgreSQL
    /// copies only a database nobody is connected to, so the idle connections EF Core's pool keeps
    /// open to this one are ended first (the pool cannot be emptied from outside): on PostgreSQL,
    /// this database is not to be used again after a copy, only copied again or disposed.
    /// </summary>
    public async Task<TestDatabase> CopyAsync()
    {
        if (Database.SqliteFile is { } file)
        {
            await using (var connection = new SqliteConnection(Database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await checkpoint.ExecuteNonQueryAsync();
                SqliteConnection.ClearPool(connection);
            }

            var folder = Path.Combine(Path.GetTempPath(), "renewals-test-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            var copy = Path.Combine(folder, "renewals.db");
            File.Copy(file, copy);
            return new TestDatabase(RenewalsDatabase.FromSetting(copy), folder);
        }

        var cluster = await PostgresCluster.SharedAsync();
        var name = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString).Database!;
        return new TestDatabase(RenewalsDatabase.FromSetting(await cluster.CopyDatabaseAsync(name)), null);
    }

    public RenewalsDbContext Context() => Database.CreateContext();

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Database.Provider == DatabaseProvider.PostgreSql)
        {
            // Each test database has its own pool; idle connections would otherwise stay open for
            // minutes and, summed over hundreds of tests, exhaust the shared cluster's connections.
            await PostgresCluster.EndSessionsAsync(Database.ConnectionString);
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
