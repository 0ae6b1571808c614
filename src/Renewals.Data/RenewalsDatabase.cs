using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Renewals.Data;

/// <summary>
/// Chooses the database: a PostgreSQL connection string ("Host=...") or a SQLite file (a path,
/// or "Data Source=..."). The default is a SQLite file in the working folder.
/// </summary>
public sealed class RenewalsDatabase
{
    public const string EnvironmentVariable = "RENEWALS_DB";
    public const string DefaultSqliteFile = "renewals.db";

    private RenewalsDatabase(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The SQLite file, when the database is one.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite
        ? Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource)
        : null;

    public static RenewalsDatabase FromSetting(string? setting)
    {
        var value = string.IsNullOrWhiteSpace(setting) ? DefaultSqliteFile : setting.Trim();
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            var pg = new NpgsqlConnectionStringBuilder(value);
            return new RenewalsDatabase(DatabaseProvider.PostgreSql, pg.ConnectionString);
        }

        var sqlite = value.Contains("Data Source=", StringComparison.OrdinalIgnoreCase)
            ? new SqliteConnectionStringBuilder(value)
            : new SqliteConnectionStringBuilder { DataSource = value };
        sqlite.Pooling = true;
        return new RenewalsDatabase(DatabaseProvider.Sqlite, sqlite.ConnectionString);
    }

    public RenewalsDbContext CreateContext() => Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteRenewalsDbContext(SqliteOptions(ConnectionString)),
        DatabaseProvider.PostgreSql => new PostgresRenewalsDbContext(PostgresOptions(ConnectionString)),
    };

    public static DbContextOptions<SqliteRenewalsDbContext> SqliteOptions(string connectionString) =>
        new DbContextOptionsBuilder<SqliteRenewalsDbContext>()
            .UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(RenewalsDatabase).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new SqlitePragmas())
            .Options;

    public static DbContextOptions<PostgresRenewalsDbContext> PostgresOptions(string connectionString) =>
        new DbContextOptionsBuilder<PostgresRenewalsDbContext>()
            .UseNpgsql(connectionString, o => o.UseNodaTime())
            .UseSnakeCaseNamingConvention()
            .Options;

    /// <summary>Creates or upgrades the schema to the latest migration.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
    }
}
