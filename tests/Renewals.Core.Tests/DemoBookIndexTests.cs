using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Renewals.Core.Demo;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteDemoBookIndexTests() : DemoBookIndexTests(DatabaseProvider.Sqlite);

public sealed class PostgresDemoBookIndexTests() : DemoBookIndexTests(DatabaseProvider.PostgreSql);

/// <summary>
/// A fresh demo book drops the secondary indexes of the tables it loads and builds them again
/// afterwards: the schema it leaves must be the one the migrations built, index for index.
/// </summary>
public abstract class DemoBookIndexTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task After_a_fresh_book_the_milestone_indexes_are_exactly_the_models()
    {
        await new DemoBook(Database.Database, Clock).GenerateAsync(60);

        await using var db = Database.Context();
        var table = db.GetService<IDesignTimeModel>().Model.GetRelationalModel().FindTable("milestones", null)!;
        var expected = table.Indexes.Select(i => i.Name).ToList();
        if (Provider == DatabaseProvider.PostgreSql)
        {
            // pg_indexes lists the primary key's index too; SQLite's rowid key has none.
            expected.Add(table.PrimaryKey!.Name);
        }

        var found = (await IndexesAsync(Database, "milestones")).Keys.ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
        // Written by hand from RenewalsDbContext: the engine's two partial indexes are back.
        Assert.Contains("ix_milestones_pending_due_at_id", found);
        Assert.Contains("ix_milestones_pending_subscription_id_due_at", found);
    }

    [Fact]
    public async Task After_a_fresh_book_every_loaded_table_has_the_index_definitions_of_a_migrated_database()
    {
        await new DemoBook(Database.Database, Clock).GenerateAsync(60);
        await using var migrated = await TestDatabase.CreateAsync(Provider);
        foreach (var table in DemoBook.BulkTables)
        {
            var expected = await IndexesAsync(migrated, table);
            var found = await IndexesAsync(Database, table);
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), found.OrderBy(e => e.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task An_empty_book_defers_the_non_unique_indexes_only()
    {
        var deferred = await DeferredIndexes.DropIfEmptyAsync(Database.Database, DemoBook.BulkTables, CancellationToken.None);
        Assert.NotNull(deferred);
        Assert.Contains("ix_milestones_pending_due_at_id", deferred.Names);
        Assert.DoesNotContain("ix_milestones_pending_due_at_id", (await IndexesAsync(Database, "milestones")).Keys);
        // The unique key that makes a second execution impossible stays through the load.
        Assert.Contains((await IndexesAsync(Database, "milestones")).Values, d => d.Contains("UNIQUE", StringComparison.Ordinal));
        await deferred.RestoreAsync(Database.Database, CancellationToken.None);
        Assert.Contains("ix_milestones_pending_due_at_id", (await IndexesAsync(Database, "milestones")).Keys);
    }

    [Fact]
    public async Task A_book_that_is_not_empty_keeps_its_indexes()
    {
        await new DemoBook(Database.Database, Clock).GenerateAsync(10);
        Assert.Null(await DeferredIndexes.DropIfEmptyAsync(Database.Database, DemoBook.BulkTables, CancellationToken.None));
        Assert.Contains("ix_milestones_pending_due_at_id", (await IndexesAsync(Database, "milestones")).Keys);
    }

    /// <summary>Index name → its definition, read from the database's own catalog.</summary>
    private static async Task<Dictionary<string, string>> IndexesAsync(TestDatabase database, string table)
    {
        await using var db = database.Context();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Database.Provider == DatabaseProvider.Sqlite
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @t AND sql IS NOT NULL"
            : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = @t";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@t";
        parameter.Value = table;
        command.Parameters.Add(parameter);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }
}
