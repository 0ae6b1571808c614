using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Renewals.Bench;

/// <summary>
/// The physical limit the product is compared with: rows of a milestone-like table (id + 8
/// columns: integers, a date, an instant) written with the fastest plain ADO.NET path, in a
/// table of its own with nothing but its primary key. Inserts: SQLite a prepared INSERT reused
/// in one transaction (WAL, synchronous=NORMAL); PostgreSQL one binary COPY. Updates: one
/// status change per row, ids scattered over the table (a stride permutation, as the engine's
/// due rows are scattered by id); SQLite a prepared UPDATE in one transaction per 1000 rows,
/// PostgreSQL one UPDATE ... FROM unnest(ids) of 1000 ids per transaction.
/// </summary>
internal abstract class RawBaseline : IAsyncDisposable
{
    public const int UpdateBatch = 1000;

    private static readonly string[] Dates = [.. Enumerable.Range(0, 1000).Select(i => new DateOnly(2026, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))];

    public abstract string InsertDescription { get; }

    public abstract string UpdateDescription { get; }

    public static RawBaseline Create(BenchOptions o) => o.IsPostgres ? new Postgres(o.Pg!) : new Sqlite(Path.Combine(o.WorkDir, "raw.db"));

    public async Task<Phase> InsertAsync(long rows, MemoryProbe memory)
    {
        await PrepareAsync();
        memory.Begin();
        var watch = Stopwatch.StartNew();
        await InsertRowsAsync(rows);
        watch.Stop();
        var (rss, managed) = memory.End();
        return new Phase("raw insert: " + InsertDescription, ProductBench.Count(rows) + " rows (= plan's rows)", rows, "rows", watch.Elapsed, rss, managed) { Cpu = memory.Cpu };
    }

    public async Task<Phase> UpdateAsync(long updates, long rows, MemoryProbe memory)
    {
        memory.Begin();
        var watch = Stopwatch.StartNew();
        await UpdateRowsAsync(updates, rows);
        watch.Stop();
        var (rss, managed) = memory.End();
        return new Phase("raw update: " + UpdateDescription, ProductBench.Count(updates) + " updates (= year's executions)", updates, "rows", watch.Elapsed, rss, managed) { Cpu = memory.Cpu };
    }

    public abstract ValueTask DisposeAsync();

    protected abstract Task PrepareAsync();

    protected abstract Task InsertRowsAsync(long rows);

    protected abstract Task UpdateRowsAsync(long updates, long rows);

    /// <summary>The row ids to update, in an order that scatters them over the table.</summary>
    protected static IEnumerable<long> ScatteredIds(long updates, long rows)
    {
        var stride = 1_000_003L;
        while (Gcd(stride, rows) != 1)
        {
            stride += 2;
        }

        for (long i = 0; i < updates; i++)
        {
            yield return (i * stride % rows) + 1;
        }
    }

    protected static string Date(long i) => Dates[(int)(i % Dates.Length)];

    protected static long DueAtTicks(long i) => 639_000_000_000_000_000L + (i % 1000 * TimeSpan.TicksPerDay);

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    private sealed class Sqlite(string file) : RawBaseline
    {
        private SqliteConnection? _connection;

        public override string InsertDescription => "Microsoft.Data.Sqlite, prepared INSERT reused, one transaction, WAL, synchronous=NORMAL";

        public override string UpdateDescription => "Microsoft.Data.Sqlite, prepared UPDATE ... WHERE id = @id, one transaction per 1000 rows";

        protected override async Task PrepareAsync()
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }

            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString);
            await _connection.OpenAsync();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Execute("""
                CREATE TABLE raw_milestones (
                    id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, term_number INTEGER NOT NULL, kind INTEGER NOT NULL,
                    variant INTEGER NOT NULL, date TEXT NOT NULL, due_at INTEGER NOT NULL, status INTEGER NOT NULL, completed_at INTEGER)
                """);
        }

        protected override Task InsertRowsAsync(long rows)
        {
            using var transaction = _connection!.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO raw_milestones (subscription_id, term_number, kind, variant, date, due_at, status, completed_at) "
                + "VALUES (@s, @t, @k, @v, @d, @due, 0, NULL)";
            var s = command.Parameters.Add("@s", SqliteType.Integer);
            var t = command.Parameters.Add("@t", SqliteType.Integer);
            var k = command.Parameters.Add("@k", SqliteType.Integer);
            var v = command.Parameters.Add("@v", SqliteType.Integer);
            var d = command.Parameters.Add("@d", SqliteType.Text);
            var due = command.Parameters.Add("@due", SqliteType.Integer);
            command.Prepare();
            for (long i = 0; i < rows; i++)
            {
                s.Value = (i / 7) + 1;
                t.Value = 1;
                k.Value = (int)(i % 7);
                v.Value = 0;
                d.Value = Date(i);
                due.Value = DueAtTicks(i);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            return Task.CompletedTask;
        }

        protected override Task UpdateRowsAsync(long updates, long rows)
        {
            var at = DueAtTicks(0);
            using var command = _connection!.CreateCommand();
            command.CommandText = "UPDATE raw_milestones SET status = 1, completed_at = @at WHERE id = @id";
            var atParameter = command.Parameters.Add("@at", SqliteType.Integer);
            var id = command.Parameters.Add("@id", SqliteType.Integer);
            atParameter.Value = at;
            SqliteTransaction? transaction = null;
            var prepared = false;
            long done = 0;
            foreach (var rowId in ScatteredIds(updates, rows))
            {
                if (transaction is null)
                {
                    transaction = _connection.BeginTransaction();
                    command.Transaction = transaction;
                    if (!prepared)
                    {
                        command.Prepare();
                        prepared = true;
                    }
                }

                id.Value = rowId;
                command.ExecuteNonQuery();
                if (++done % UpdateBatch == 0)
                {
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = null;
                }
            }

            transaction?.Commit();
            transaction?.Dispose();
            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }

        private void Execute(string sql)
        {
            using var command = _connection!.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private sealed class Postgres(string connectionString) : RawBaseline
    {
        private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

        public override string InsertDescription => "Npgsql binary COPY, one COPY";

        public override string UpdateDescription => "Npgsql, UPDATE ... FROM unnest(@ids) of 1000 ids, one transaction each";

        protected override async Task PrepareAsync()
        {
            await using var command = _source.CreateCommand("""
                CREATE SCHEMA IF NOT EXISTS bench_raw;
                DROP TABLE IF EXISTS bench_raw.raw_milestones;
                CREATE TABLE bench_raw.raw_milestones (
                    id bigint PRIMARY KEY, subscription_id bigint NOT NULL, term_number integer NOT NULL, kind integer NOT NULL,
                    variant integer NOT NULL, date date NOT NULL, due_at timestamptz NOT NULL, status integer NOT NULL, completed_at timestamptz);
                """);
            await command.ExecuteNonQueryAsync();
        }

        protected override async Task InsertRowsAsync(long rows)
        {
            await using var connection = await _source.OpenConnectionAsync();
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY bench_raw.raw_milestones (id, subscription_id, term_number, kind, variant, date, due_at, status, completed_at) FROM STDIN (FORMAT BINARY)");
            var dates = Enumerable.Range(0, 1000).Select(i => new DateOnly(2026, 1, 1).AddDays(i)).ToArray();
            for (long i = 0; i < rows; i++)
            {
                importer.StartRow();
                importer.Write(i + 1, NpgsqlDbType.Bigint);
                importer.Write((i / 7) + 1, NpgsqlDbType.Bigint);
                importer.Write(1, NpgsqlDbType.Integer);
                importer.Write((int)(i % 7), NpgsqlDbType.Integer);
                importer.Write(0, NpgsqlDbType.Integer);
                importer.Write(dates[i % dates.Length], NpgsqlDbType.Date);
                importer.Write(new DateTime(DueAtTicks(i) + DateTime.UnixEpoch.Ticks, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                importer.Write(0, NpgsqlDbType.Integer);
                importer.WriteNull();
            }

            await importer.CompleteAsync();
        }

        protected override async Task UpdateRowsAsync(long updates, long rows)
        {
            await using var connection = await _source.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(
                "UPDATE bench_raw.raw_milestones r SET status = 1, completed_at = @at FROM unnest(@ids) AS u(id) WHERE r.id = u.id", connection);
            command.Parameters.Add(new NpgsqlParameter<DateTime>("at", NpgsqlDbType.TimestampTz)
            {
                TypedValue = new DateTime(DueAtTicks(0) + DateTime.UnixEpoch.Ticks, DateTimeKind.Utc),
            });
            var ids = command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            await command.PrepareAsync();
            var batch = new List<long>(UpdateBatch);
            foreach (var id in ScatteredIds(updates, rows))
            {
                batch.Add(id);
                if (batch.Count == UpdateBatch)
                {
                    ids.Value = batch.ToArray();
                    await command.ExecuteNonQueryAsync();
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                ids.Value = batch.ToArray();
                await command.ExecuteNonQueryAsync();
            }
        }

        public override async ValueTask DisposeAsync() => await _source.DisposeAsync();
    }
}
