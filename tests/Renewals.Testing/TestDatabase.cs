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

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        TestDatabase test;
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "renewals-test-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            test = new TestDatabase(RenewalsDatabase.FromSetting(Path.Combine(folder, "renewals.db")), folder);
        }
        else
        {
            var cluster = await PostgresCluster.SharedAsync();
            test = new TestDatabase(RenewalsDatabase.FromSetting(await cluster.CreateDatabaseAsync()), null);
        }

        await test.Database.MigrateAsync();
        return test;
    }

    public RenewalsDbContext Context() => Database.CreateContext();

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Database.Provider == DatabaseProvider.PostgreSql)
        {
            // Each test database has its own pool; idle connections would otherwise stay open for
            // minutes and, summed over hundreds of tests, exhaust the shared cluster's connections.
            using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
            Npgsql.NpgsqlConnection.ClearPool(connection);
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

        return ValueTask.CompletedTask;
    }
}
