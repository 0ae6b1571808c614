using System.Diagnostics;
using System.Globalization;
using NodaTime;
using Npgsql;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;

namespace Renewals.Bench;

/// <summary>
/// <c>--phase sizes</c>: what a subscription costs on disk in PostgreSQL. A demo book of N
/// subscriptions planned into an emptied database, every table's rows and bytes
/// (pg_total_relation_size: heap, indexes, TOAST) read; then D days of the engine (one run a
/// day, as the bench's year), and read again. Divided by N, the figures docs/scale.md starts from.
/// </summary>
internal static class PartitionSizes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = 100_000;
        var days = 365;
        string? pg = null;
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--n": n = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--days": days = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--pg": pg = Value(); break;
                default: throw new UsageException($"--phase sizes: --n N (100000), --days D (365), --pg CS (required; schema public is dropped); not {name}");
            }
        }

        await using var source = NpgsqlDataSource.Create(pg ?? throw new UsageException("--phase sizes needs --pg"));
        await Sql.ExecAsync(source, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
        var database = RenewalsDatabase.FromSetting(pg);
        await database.MigrateAsync();
        var clock = new SettableClock(new LocalDate(2026, 11, 26).AtMidnight().InUtc().ToInstant());
        var watch = Stopwatch.StartNew();
        await new DemoBook(database, clock).GenerateAsync(n, 2027);
        ProductBench.Log($"sizes: planned {n:N0} subscriptions in {watch.Elapsed.TotalSeconds:N0} s; load average {DeliveryBench.Load()}");
        var planned = await ReadAsync(source);
        watch.Restart();
        var engine = new RenewalEngine(database, clock);
        long executed = 0;
        for (var d = 0; d < days; d++)
        {
            var day = new LocalDate(2026, 11, 26).PlusDays(d);
            clock.Now = ProductBench.EndOf(day);
            executed += (await engine.RunAsync(clock.Now)).Executed;
            if (d % 30 == 29)
            {
                ProductBench.Log($"sizes: day {d + 1}, {executed:N0} executions, {watch.Elapsed.TotalSeconds:N0} s; load average {DeliveryBench.Load()}");
            }
        }

        await Sql.ExecAsync(source, "VACUUM ANALYZE");
        var year = await ReadAsync(source);
        Console.WriteLine($"Sizes, N = {n:N0} subscriptions; after the plan, and after {days} days of the engine ({executed:N0} executions) and VACUUM ANALYZE");
        Console.WriteLine();
        Console.WriteLine("| table | rows after plan | bytes after plan | rows after the year | bytes after the year | rows / subscription (year) | bytes / subscription (year) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (table, (rows, bytes)) in year.OrderByDescending(t => t.Value.Bytes))
        {
            var (planRows, planBytes) = planned.GetValueOrDefault(table);
            Console.WriteLine($"| {table} | {planRows:N0} | {planBytes:N0} | {rows:N0} | {bytes:N0} | {rows / (double)n:N2} | {bytes / (double)n:N0} |");
        }

        Console.WriteLine($"| all | {planned.Values.Sum(v => v.Rows):N0} | {planned.Values.Sum(v => v.Bytes):N0} | {year.Values.Sum(v => v.Rows):N0} | {year.Values.Sum(v => v.Bytes):N0} | {year.Values.Sum(v => v.Rows) / (double)n:N2} | {year.Values.Sum(v => v.Bytes) / (double)n:N0} |");
        return 0;
    }

    /// <summary>Exact rows and total bytes of every table of the public schema.</summary>
    private static async Task<Dictionary<string, (long Rows, long Bytes)>> ReadAsync(NpgsqlDataSource source)
    {
        var tables = new List<string>();
        await using (var list = source.CreateCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new Dictionary<string, (long, long)>();
        foreach (var table in tables)
        {
            await using var count = source.CreateCommand($"SELECT count(*), pg_total_relation_size('public.\"{table}\"') FROM public.\"{table}\"");
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = (reader.GetInt64(0), reader.GetInt64(1));
        }

        return result;
    }
}

/// <summary>Raw SQL helpers of the PostgreSQL phases.</summary>
internal static class Sql
{
    public static async Task<TimeSpan> ExecAsync(NpgsqlDataSource source, string sql)
    {
        var watch = Stopwatch.StartNew();
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
        return watch.Elapsed;
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
