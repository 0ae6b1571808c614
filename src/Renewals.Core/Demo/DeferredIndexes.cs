using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Renewals.Data;

namespace Renewals.Core.Demo;

/// <summary>
/// The non-unique secondary indexes of tables about to be bulk-loaded while they are empty,
/// dropped before the load and created again after it: one sorted build per index instead of
/// one index insertion per row. Unique indexes and primary keys stay (they guard the load).
/// The index definitions come from the EF model (as a migration would create them), so they
/// cannot drift from the schema the migrations build.
/// </summary>
public sealed class DeferredIndexes
{
    private readonly IReadOnlyList<CreateIndexOperation> dropped;

    private DeferredIndexes(IReadOnlyList<CreateIndexOperation> dropped) => this.dropped = dropped;

    /// <summary>Index names dropped (and to be created again), for tests and logs.</summary>
    public IReadOnlyList<string> Names => dropped.Select(d => d.Name).ToList();

    /// <summary>
    /// Drops the non-unique indexes of <paramref name="tables"/> when every one of them is
    /// empty; null (nothing dropped) otherwise.
    /// </summary>
    public static async Task<DeferredIndexes?> DropIfEmptyAsync(RenewalsDatabase database, IReadOnlyCollection<string> tables, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        var model = db.GetService<IDesignTimeModel>().Model;
        var targets = model.GetRelationalModel().Tables.Where(t => t.Schema is null && tables.Contains(t.Name)).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        foreach (var table in targets)
        {
            // The name comes from the model, delimited by the provider: no outside input.
            var probe = "SELECT COUNT(*) AS \"Value\" FROM (SELECT 1 AS one FROM " + sql.DelimitIdentifier(table.Name) + " LIMIT 1) q";
            var any = await db.Database.SqlQueryRaw<long>(probe).SingleAsync(ct);
            if (any != 0)
            {
                return null;
            }
        }

        var indexes = targets.SelectMany(t => t.Indexes).Where(i => !i.IsUnique).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        if (indexes.Count == 0)
        {
            return null;
        }

        var creates = indexes.Select(CreateIndexOperation.CreateFrom).ToList();
        await ExecuteAsync(db, model, creates.Select(c => new DropIndexOperation { Name = c.Name, Table = c.Table, Schema = c.Schema }).ToList(), ct);
        return new DeferredIndexes(creates);
    }

    /// <summary>Creates the dropped indexes again, exactly as the model defines them.</summary>
    public async Task RestoreAsync(RenewalsDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        await ExecuteAsync(db, db.GetService<IDesignTimeModel>().Model, dropped, ct);
    }

    private static async Task ExecuteAsync(RenewalsDbContext db, IModel model, IReadOnlyList<MigrationOperation> operations, CancellationToken ct)
    {
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await db.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, db.GetService<IRelationalConnection>(), ct);
    }
}
