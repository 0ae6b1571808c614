using Microsoft.EntityFrameworkCore.Design;

namespace Renewals.Data;

/// <summary>Lets `dotnet ef migrations add` build each provider's context.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRenewalsDbContext>
{
    public SqliteRenewalsDbContext CreateDbContext(string[] args) =>
        new(RenewalsDatabase.SqliteOptions("Data Source=design-time.db"));
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRenewalsDbContext>
{
    public PostgresRenewalsDbContext CreateDbContext(string[] args) =>
        new(RenewalsDatabase.PostgresOptions("Host=localhost;Database=renewals_design"));
}
