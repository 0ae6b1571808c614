using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Renewals.Data;

namespace Renewals.Bench;

/// <summary>
/// <c>--phase partition</c>: the milestone queue as one table (today's) against the same table
/// partitioned by due month, on PostgreSQL, with raw SQL on a copy of the schema (schema
/// bench_part; the product's own tables are not touched). Both are filled with the same rows,
/// 7 milestones a subscription over two terms (due before the start: done; after: pending),
/// given the same indexes as public.milestones (on the partitioned one every unique index also
/// holds due_at, as PostgreSQL requires), then worked day by day, the two interleaved so both
/// see the same machine: the engine's claim (its WHERE, anti-join, ORDER BY and FOR UPDATE
/// SKIP LOCKED, on the milestones alone) and its set-based status update, 1,000 at a time.
/// Autovacuum is off on both during the pass, so both carry the same dead rows; then VACUUM
/// of each, and retention: deleting the oldest year's rows and vacuuming (one table) against
/// detaching and dropping its partitions.
/// </summary>
internal static partial class PartitionBench
{
    private static readonly LocalDate Start = new(2026, 11, 26);

    // Days from the term's anniversary: a previous check-in, the term's start, its check-in, reminders at 120 and 60 days, the notice deadline, the renewal.
    private static readonly int[] Offsets = [-700, -365, -335, -120, -90, -60, 0];

    public static async Task<int> RunAsync(string[] args)
    {
        var n = 1_000_000;
        var days = 90;
        var batch = 1000;
        string? pg = null;
        var bounded = false;
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--n": n = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--days": days = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--pg": pg = Value(); break;
                case "--bounded": bounded = true; break;
                default: throw new UsageException($"--phase partition: --n N (1000000), --days D (90), --batch B (1000), --bounded, --pg CS (required; schema bench_part is dropped); not {name}");
            }
        }

        await using var source = NpgsqlDataSource.Create(pg ?? throw new UsageException("--phase partition needs --pg"));
        await RenewalsDatabase.FromSetting(pg).MigrateAsync();
        var log = new List<string>();
        void Note(string line)
        {
            ProductBench.Log("partition: " + line);
            log.Add(line);
        }

        Bounded = bounded;
        Note($"N = {n:N0} subscriptions, {n * Offsets.Length:N0} milestones a table, {days} days from {Start:yyyy-MM-dd}, batches of {batch}{(bounded ? ", the partitioned table's statements bounded below by its oldest pending due month" : "")}; load average {DeliveryBench.Load()}");
        await Sql.ExecAsync(source, "DROP SCHEMA IF EXISTS bench_part CASCADE; CREATE SCHEMA bench_part;");
        await Sql.ExecAsync(source, "CREATE TABLE bench_part.flat (LIKE public.milestones INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        await Sql.ExecAsync(source, "CREATE TABLE bench_part.part (LIKE public.milestones INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (due_at)");
        // One partition a month, from the oldest row to a year past the newest, and a default one.
        var first = new LocalDate(Start.Year - 2, Start.Month, 1).PlusMonths(-1);
        var partitions = new List<(string Name, LocalDate From)>();
        for (var month = first; month < Start.PlusYears(2); month = month.PlusMonths(1))
        {
            var name = $"part_{month:yyyy_MM}";
            partitions.Add((name, month));
            await Sql.ExecAsync(source, $"CREATE TABLE bench_part.{name} PARTITION OF bench_part.part FOR VALUES FROM ('{month:yyyy-MM-dd} 00:00+00') TO ('{month.PlusMonths(1):yyyy-MM-dd} 00:00+00')");
        }

        await Sql.ExecAsync(source, "CREATE TABLE bench_part.part_default PARTITION OF bench_part.part DEFAULT");

        // Same rows in both: subscription s renews on a day of the coming year spread by a hash.
        var fill = await Sql.ExecAsync(source, $"""
            INSERT INTO bench_part.flat (id, subscription_id, term_number, kind, variant, date, due_at, status, recommended_validation, completed_at, outcome)
            SELECT s * {Offsets.Length} + k, s, CASE WHEN k = 0 THEN 1 ELSE 2 END, k, 0, d, d::timestamp AT TIME ZONE 'UTC',
                   CASE WHEN d < DATE '{Start:yyyy-MM-dd}' THEN 1 ELSE 0 END, false,
                   CASE WHEN d < DATE '{Start:yyyy-MM-dd}' THEN d::timestamp AT TIME ZONE 'UTC' END,
                   CASE WHEN d < DATE '{Start:yyyy-MM-dd}' THEN 'done' END
            FROM generate_series(1, {n}) AS s,
                 LATERAL (SELECT k, DATE '{Start.PlusDays(1):yyyy-MM-dd}' + ((hashint4(s) & 2147483647) % 365) + (ARRAY[{string.Join(',', Offsets)}])[k + 1] AS d
                          FROM generate_series(0, {Offsets.Length - 1}) AS k) AS m
            """);
        var copy = await Sql.ExecAsync(source, "INSERT INTO bench_part.part SELECT * FROM bench_part.flat");
        Note($"fill: one table {fill.TotalSeconds:N1} s (generated), partitioned {copy.TotalSeconds:N1} s (INSERT ... SELECT from it)");

        // The product's indexes on both; on the partitioned table the primary key and any unique index hold due_at too.
        var definitions = new List<string>();
        await using (var list = source.CreateCommand("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'milestones' ORDER BY indexname"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                definitions.Add(reader.GetString(0));
            }
        }

        TimeSpan flatIndexes = TimeSpan.Zero, partIndexes = TimeSpan.Zero;
        foreach (var definition in definitions)
        {
            var isPrimary = definition.Contains("pk_", StringComparison.Ordinal) || definition.Contains("_pkey", StringComparison.Ordinal);
            var flat = IndexName().Replace(definition.Replace("ON public.milestones", "ON bench_part.flat", StringComparison.Ordinal), m => m.Groups[1].Value + "flat_" + m.Groups[2].Value, 1);
            var part = IndexName().Replace(definition.Replace("ON public.milestones", "ON bench_part.part", StringComparison.Ordinal), m => m.Groups[1].Value + "part_" + m.Groups[2].Value, 1);
            if (definition.Contains("UNIQUE", StringComparison.Ordinal) && !definition.Contains("due_at", StringComparison.Ordinal))
            {
                var close = part.IndexOf(')', part.IndexOf("USING btree (", StringComparison.Ordinal));
                part = part[..close] + ", due_at" + part[close..];
            }

            flatIndexes += await Sql.ExecAsync(source, flat);
            partIndexes += await Sql.ExecAsync(source, part);
            if (isPrimary)
            {
                var flatName = IndexName().Match(flat).Groups[2].Value;
                var partName = IndexName().Match(part).Groups[2].Value;
                await Sql.ExecAsync(source, $"ALTER TABLE bench_part.flat ADD CONSTRAINT {flatName} PRIMARY KEY USING INDEX {flatName}");
                // A partitioned table takes its primary key as a constraint, built on every partition.
                await Sql.ExecAsync(source, $"DROP INDEX bench_part.{partName}");
                partIndexes += await Sql.ExecAsync(source, "ALTER TABLE bench_part.part ADD PRIMARY KEY (id, due_at)");
            }
        }

        Note($"indexes ({definitions.Count}, as public.milestones): one table {flatIndexes.TotalSeconds:N1} s, partitioned {partIndexes.TotalSeconds:N1} s");
        await Sql.ExecAsync(source, "ALTER TABLE bench_part.flat SET (autovacuum_enabled = false)");
        foreach (var (name, _) in partitions)
        {
            await Sql.ExecAsync(source, $"ALTER TABLE bench_part.{name} SET (autovacuum_enabled = false)");
        }

        await Sql.ExecAsync(source, "ALTER TABLE bench_part.part_default SET (autovacuum_enabled = false)");
        await Sql.ExecAsync(source, "VACUUM ANALYZE bench_part.flat");
        await Sql.ExecAsync(source, "VACUUM ANALYZE bench_part.part");
        Note($"sizes before the pass: one table {await SizeAsync(source, "flat")}, partitioned {await SizeAsync(source, "part")}");

        var totals = new Dictionary<string, (TimeSpan Claim, TimeSpan Update, long Rows, long Claims)>
        {
            ["flat"] = default,
            ["part"] = default,
        };
        var pass = Stopwatch.StartNew();
        for (var d = 0; d < days; d++)
        {
            var asOf = ProductBench.EndOf(Start.PlusDays(d));
            foreach (var table in new[] { "flat", "part" })
            {
                var (claim, update, rows, claims) = await DayAsync(source, table, asOf, batch);
                var t = totals[table];
                totals[table] = (t.Claim + claim, t.Update + update, t.Rows + rows, t.Claims + claims);
            }

            if (d % 15 == 14 || d == days - 1)
            {
                ProductBench.Log($"partition: day {d + 1}, {totals["flat"].Rows:N0} rows each, {pass.Elapsed.TotalSeconds:N0} s; load average {DeliveryBench.Load()}");
            }
        }

        foreach (var (table, t) in totals)
        {
            Note($"pass {Label(table)}: {t.Rows:N0} milestones in {t.Claims:N0} claims; claim {t.Claim.TotalSeconds:N1} s ({t.Claim.TotalMilliseconds / Math.Max(1, t.Claims):N1} ms a claim), "
                + $"update {t.Update.TotalSeconds:N1} s ({t.Update.TotalMilliseconds / Math.Max(1, t.Claims):N1} ms a batch); {t.Rows / (t.Claim + t.Update).TotalSeconds:N0} milestones/s");
        }

        Note($"load average after the pass {DeliveryBench.Load()}; dead rows: one table {await Sql.ScalarAsync<long>(source, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = 'bench_part' AND relname = 'flat'"):N0}, "
            + $"partitioned {await Sql.ScalarAsync<decimal>(source, "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE schemaname = 'bench_part' AND relname LIKE 'part_%'"):N0}");
        // The next day's first claim, with every dead row of the pass still there.
        var next = ProductBench.EndOf(Start.PlusDays(days));
        foreach (var table in new[] { "flat", "part" })
        {
            Note($"first claim of day {days + 1} before VACUUM, {Label(table)}: {(await ClaimOnceAsync(source, table, next, batch)).TotalMilliseconds:N1} ms");
        }

        var vacuumFlat = await Sql.ExecAsync(source, "VACUUM bench_part.flat");
        var touched = partitions.Where(p => p.From.PlusMonths(1) > Start && p.From <= Start.PlusDays(days)).ToList();
        var vacuumTouched = TimeSpan.Zero;
        foreach (var (name, _) in touched)
        {
            vacuumTouched += await Sql.ExecAsync(source, $"VACUUM bench_part.{name}");
        }

        Note($"VACUUM: one table {vacuumFlat.TotalSeconds:N1} s; partitioned, the {touched.Count} partitions the pass touched {vacuumTouched.TotalSeconds:N1} s (the others have no dead rows)");
        foreach (var table in new[] { "flat", "part" })
        {
            Note($"first claim of day {days + 1} after VACUUM, {Label(table)}: {(await ClaimOnceAsync(source, table, next, batch)).TotalMilliseconds:N1} ms");
        }

        // Retention: the rows due more than a year before the start are history, all done.
        var cut = new LocalDate(Start.Year - 1, Start.Month, 1);
        var old = partitions.Where(p => p.From.PlusMonths(1) <= cut).ToList();
        var deleted = await Sql.ScalarAsync<long>(source, $"SELECT count(*) FROM bench_part.flat WHERE due_at < '{cut:yyyy-MM-dd} 00:00+00'");
        var delete = await Sql.ExecAsync(source, $"DELETE FROM bench_part.flat WHERE due_at < '{cut:yyyy-MM-dd} 00:00+00'");
        var vacuumAfterDelete = await Sql.ExecAsync(source, "VACUUM bench_part.flat");
        var detach = TimeSpan.Zero;
        foreach (var (name, _) in old)
        {
            detach += await Sql.ExecAsync(source, $"ALTER TABLE bench_part.part DETACH PARTITION bench_part.{name}; DROP TABLE bench_part.{name}");
        }

        Note($"retention, the {deleted:N0} milestones due before {cut:yyyy-MM-dd}: one table DELETE {delete.TotalSeconds:N1} s + VACUUM {vacuumAfterDelete.TotalSeconds:N1} s (the file keeps its size: {await SizeAsync(source, "flat")}); "
            + $"partitioned, DETACH + DROP of {old.Count} partitions {detach.TotalSeconds:N2} s ({await SizeAsync(source, "part")})");
        Console.WriteLine();
        foreach (var line in log)
        {
            Console.WriteLine("- " + line);
        }

        return 0;
    }

    /// <summary>
    /// With --bounded, the partitioned table's claim and update also say due_at >= the oldest
    /// pending milestone's due time, read once a day (no pending row is older, so the same rows
    /// come back) and the update due_at <= as-of: PostgreSQL then plans and locks only the
    /// partitions between, instead of every partition of the history.
    /// </summary>
    private static bool Bounded { get; set; }

    private static string Label(string table) => table == "flat" ? "one table" : Bounded ? "partitioned by due month, bounded" : "partitioned by due month";

    private static async Task<string> SizeAsync(NpgsqlDataSource source, string table)
    {
        var bytes = table == "flat"
            ? await Sql.ScalarAsync<long>(source, "SELECT pg_total_relation_size('bench_part.flat')")
            : await Sql.ScalarAsync<decimal>(source, "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('bench_part.part')");
        return $"{(double)bytes / (1024 * 1024):N0} MiB";
    }

    private static bool IsBounded(string table) => Bounded && table == "part";

    private static string ClaimSql(string table, int batch) => $"""
        SELECT m.id, m.due_at FROM bench_part.{table} m
        WHERE m.status = 0 AND m.due_at <= @as_of{(IsBounded(table) ? " AND m.due_at >= @low" : "")}
          AND NOT EXISTS (
              SELECT 1 FROM bench_part.{table} e
              WHERE e.subscription_id = m.subscription_id AND e.status = 0{(IsBounded(table) ? " AND e.due_at >= @low AND e.due_at <= @as_of" : "")}
                AND (e.due_at < m.due_at OR (e.due_at = m.due_at AND e.kind < m.kind)))
        ORDER BY m.due_at, m.id
        LIMIT {batch}
        FOR UPDATE OF m SKIP LOCKED
        """;

    /// <summary>Claims and marks done what is due at <paramref name="asOf"/>, a batch a transaction, until nothing is left.</summary>
    private static async Task<(TimeSpan Claim, TimeSpan Update, long Rows, long Claims)> DayAsync(NpgsqlDataSource source, string table, Instant asOf, int batch)
    {
        TimeSpan claimTime = TimeSpan.Zero, updateTime = TimeSpan.Zero;
        long rows = 0, claims = 0;
        await using var connection = await source.OpenConnectionAsync();
        var lowWatch = Stopwatch.StartNew();
        var low = await LowAsync(connection, table);
        claimTime += lowWatch.Elapsed;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var ids = new List<long>(batch);
            var dues = new List<DateTime>(batch);
            var watch = Stopwatch.StartNew();
            await using (var claim = new NpgsqlCommand(ClaimSql(table, batch), connection, transaction))
            {
                claim.Parameters.AddWithValue("as_of", NpgsqlDbType.TimestampTz, asOf.ToDateTimeUtc());
                claim.Parameters.AddWithValue("low", NpgsqlDbType.TimestampTz, low);
                await using var reader = await claim.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    ids.Add(reader.GetInt64(0));
                    dues.Add(reader.GetDateTime(1));
                }
            }

            claimTime += watch.Elapsed;
            claims++;
            if (ids.Count == 0)
            {
                await transaction.CommitAsync();
                return (claimTime, updateTime, rows, claims);
            }

            watch.Restart();
            // As the engine: one statement a batch; due_at given too, so each row is looked up in its own partition.
            await using (var update = new NpgsqlCommand($"""
                UPDATE bench_part.{table} m SET status = 1, completed_at = @now, outcome = 'reminded'
                FROM unnest(@ids, @dues) AS u(id, due_at)
                WHERE m.id = u.id AND m.due_at = u.due_at AND m.status = 0{(IsBounded(table) ? " AND m.due_at >= @low AND m.due_at <= @now" : "")}
                """, connection, transaction))
            {
                update.Parameters.AddWithValue("low", NpgsqlDbType.TimestampTz, low);
                update.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, asOf.ToDateTimeUtc());
                update.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, ids.ToArray());
                update.Parameters.AddWithValue("dues", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, dues.ToArray());
                var changed = await update.ExecuteNonQueryAsync();
                if (changed != ids.Count)
                {
                    throw new InvalidOperationException($"{table}: {changed} rows updated for {ids.Count} claimed");
                }
            }

            await transaction.CommitAsync();
            updateTime += watch.Elapsed;
            rows += ids.Count;
        }
    }

    private static async Task<TimeSpan> ClaimOnceAsync(NpgsqlDataSource source, string table, Instant asOf, int batch)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var claim = new NpgsqlCommand(ClaimSql(table, batch), connection, transaction);
        claim.Parameters.AddWithValue("as_of", NpgsqlDbType.TimestampTz, asOf.ToDateTimeUtc());
        var watch = Stopwatch.StartNew();
        claim.Parameters.AddWithValue("low", NpgsqlDbType.TimestampTz, await LowAsync(connection, table));
        await using (var reader = await claim.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
            }
        }

        var elapsed = watch.Elapsed;
        await transaction.RollbackAsync();
        return elapsed;
    }

    /// <summary>The oldest pending milestone's due time (bounded runs only; otherwise unused).</summary>
    private static async Task<DateTime> LowAsync(NpgsqlConnection connection, string table)
    {
        if (!IsBounded(table))
        {
            return DateTime.UnixEpoch;
        }

        await using var command = new NpgsqlCommand($"SELECT min(due_at) FROM bench_part.{table} WHERE status = 0", connection);
        return await command.ExecuteScalarAsync() is DateTime low ? low : DateTime.UnixEpoch;
    }

    [GeneratedRegex(@"(INDEX )(\w+)")]
    private static partial Regex IndexName();
}
