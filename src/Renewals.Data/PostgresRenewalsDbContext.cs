using Microsoft.EntityFrameworkCore;

namespace Renewals.Data;

/// <summary>PostgreSQL: NodaTime types map to date and timestamptz through the Npgsql plugin.</summary>
public sealed class PostgresRenewalsDbContext(DbContextOptions<PostgresRenewalsDbContext> options) : RenewalsDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}
