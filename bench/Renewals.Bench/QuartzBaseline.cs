using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Quartz;

namespace Renewals.Bench;

/// <summary>
/// What a .NET developer would build instead of the engine: Quartz.NET with its ADO.NET job
/// store on the same database engine, one trigger per milestone on one durable job, and a job
/// that does a trivial database write (one INSERT of the milestone id). Measured in two parts:
/// scheduling (Quartz's bulk call, <see cref="IScheduler.ScheduleJob(IJobDetail, IReadOnlyCollection{ITrigger}, ScheduleJobOptions, CancellationToken)"/>
/// with 1000 triggers a call, scheduler in standby) and draining (the scheduler started with
/// every trigger due, until every job has run).
/// </summary>
internal sealed class QuartzBaseline
{
    public const int ScheduleChunk = 1000;
    private const string Schema = "bench_quartz";

    private static QuartzBaseline? _current;

    private readonly BenchOptions _options;
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _pg;
    private long _fired;

    private QuartzBaseline(BenchOptions options)
    {
        _options = options;
        if (options.IsPostgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(options.Pg) { SearchPath = Schema };
            _connectionString = builder.ConnectionString;
            _pg = NpgsqlDataSource.Create(_connectionString);
        }
        else
        {
            _connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(options.WorkDir, "quartz.db"),
                Pooling = true,
                DefaultTimeout = 60,
            }.ConnectionString;
        }
    }

    public string StoreDescription => _options.IsPostgres
        ? $"Quartz {QuartzVersion} ADO job store (JobStoreTX, UsePostgres, schema {Schema}), {_options.QuartzThreads} threads"
        : $"Quartz {QuartzVersion} ADO job store (JobStoreTX, UseSqlite = Microsoft.Data.Sqlite, WAL, synchronous=NORMAL), {_options.QuartzThreads} threads";

    public static string QuartzVersion =>
        typeof(IScheduler).Assembly.GetName().Version?.ToString(3) ?? "?";

    public static async Task<(Phase Schedule, Phase Drain)> RunAsync(BenchOptions options, MemoryProbe memory)
    {
        var run = new QuartzBaseline(options);
        _current = run;
        try
        {
            return await run.RunAsync(memory);
        }
        finally
        {
            _current = null;
            if (run._pg is not null)
            {
                await run._pg.DisposeAsync();
            }
        }
    }

    private async Task<(Phase, Phase)> RunAsync(MemoryProbe memory)
    {
        await PrepareDatabaseAsync();
        var n = _options.QuartzN;
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "renewals-bench");
            q.UseDefaultThreadPool(_options.QuartzThreads);
            q.UsePersistentStore(store =>
            {
                if (_options.IsPostgres)
                {
                    store.UsePostgres(_connectionString);
                }
                else
                {
                    store.UseSqlite(TunedSqliteFactory.Instance, _connectionString);
                }

                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                // Every trigger is due when the scheduler starts; none may count as misfired.
                store.ConfigureStore(s => s.MisfireThreshold = TimeSpan.FromHours(6));
            });
        }).BuildScheduler();

        var job = JobBuilder.Create<MilestoneJob>().WithIdentity("milestone", "renewals").StoreDurably().Build();
        await scheduler.AddJob(job, new AddJobOptions { Replace = true });

        // Scheduling: one trigger per milestone, all due now, the scheduler in standby.
        var due = DateTimeOffset.UtcNow;
        memory.Begin();
        var watch = Stopwatch.StartNew();
        for (var first = 0; first < n; first += ScheduleChunk)
        {
            var triggers = new List<ITrigger>(ScheduleChunk);
            for (var i = first; i < Math.Min(n, first + ScheduleChunk); i++)
            {
                triggers.Add(TriggerBuilder.Create()
                    .WithIdentity("m" + i.ToString(CultureInfo.InvariantCulture), "milestones")
                    .ForJob(job)
                    .UsingJobData("milestone", (i + 1).ToString(CultureInfo.InvariantCulture))
                    .StartAt(due)
                    .Build());
            }

            await scheduler.ScheduleJob(job, triggers, new ScheduleJobOptions { Replace = true });
        }

        watch.Stop();
        var (scheduleRss, scheduleManaged) = memory.End();
        var rows = await CountRowsAsync();
        var schedule = new Phase("Quartz schedule: " + StoreDescription + $", ScheduleJob(job, {ScheduleChunk} triggers) per call",
            ProductBench.Count(n) + " triggers", rows, "rows", watch.Elapsed, scheduleRss, scheduleManaged,
            $"{n / watch.Elapsed.TotalSeconds:N0} triggers/s; rows = QRTZ_TRIGGERS + QRTZ_SIMPLE_TRIGGERS (+1 job) after scheduling: {ProductBench.Count(rows)}") { Cpu = memory.Cpu };

        // Draining: start the scheduler and wait until every job has run once.
        memory.Begin();
        watch.Restart();
        await scheduler.Start();
        var limit = Stopwatch.StartNew();
        while (Interlocked.Read(ref _fired) < n && limit.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(5);
        }

        watch.Stop();
        var fired = Interlocked.Read(ref _fired);
        var (drainRss, drainManaged) = memory.End();
        await scheduler.Shutdown(waitForJobsToComplete: true);
        var written = await CountDoneAsync();
        var drain = new Phase("Quartz drain: scheduler started, every trigger due, job = one INSERT", ProductBench.Count(n) + " triggers", fired, "fired jobs",
            watch.Elapsed, drainRss, drainManaged,
            fired < n ? $"STOPPED after 30 min with {fired:N0} of {n:N0} fired" : $"rows the jobs wrote: {ProductBench.Count(written)}") { Cpu = memory.Cpu };
        return (schedule, drain);
    }

    private async Task PrepareDatabaseAsync()
    {
        if (_pg is not null)
        {
            await using var command = _pg.CreateCommand($"""
                DROP SCHEMA IF EXISTS {Schema} CASCADE;
                CREATE SCHEMA {Schema};
                CREATE TABLE {Schema}.quartz_done (milestone_id bigint PRIMARY KEY, fired_at timestamptz NOT NULL);
                """);
            await command.ExecuteNonQueryAsync();
            return;
        }

        var file = Path.Combine(_options.WorkDir, "quartz.db");
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(file + suffix);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE quartz_done (milestone_id INTEGER PRIMARY KEY, fired_at INTEGER NOT NULL);
            """;
        await create.ExecuteNonQueryAsync();
    }

    private async Task<long> CountRowsAsync() =>
        await ScalarAsync("SELECT (SELECT COUNT(*) FROM qrtz_triggers) + (SELECT COUNT(*) FROM qrtz_simple_triggers) + (SELECT COUNT(*) FROM qrtz_job_details)");

    private async Task<long> CountDoneAsync() => await ScalarAsync("SELECT COUNT(*) FROM quartz_done");

    private async Task<long> ScalarAsync(string sql)
    {
        if (_pg is not null)
        {
            await using var command = _pg.CreateCommand(sql);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var c = connection.CreateCommand();
        c.CommandText = sql;
        return Convert.ToInt64(await c.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The job's trivial database write: one row per fired milestone, in its own transaction.</summary>
    private async ValueTask WriteAsync(long milestoneId, CancellationToken ct)
    {
        var at = DateTimeOffset.UtcNow;
        if (_pg is not null)
        {
            await using var command = _pg.CreateCommand($"INSERT INTO {Schema}.quartz_done (milestone_id, fired_at) VALUES ($1, $2)");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = milestoneId });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = at.UtcDateTime });
            await command.ExecuteNonQueryAsync(ct);
        }
        else
        {
            await using var connection = TunedSqliteFactory.Instance.CreateConnection();
            connection.ConnectionString = _connectionString;
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO quartz_done (milestone_id, fired_at) VALUES (@id, @at)";
            var id = command.CreateParameter();
            id.ParameterName = "@id";
            id.Value = milestoneId;
            command.Parameters.Add(id);
            var fired = command.CreateParameter();
            fired.ParameterName = "@at";
            fired.Value = at.UtcTicks;
            command.Parameters.Add(fired);
            await command.ExecuteNonQueryAsync(ct);
        }

        Interlocked.Increment(ref _fired);
    }

    /// <summary>The job every milestone trigger fires.</summary>
    internal sealed class MilestoneJob : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(context);
            var id = long.Parse(context.MergedJobDataMap.GetString("milestone")!, CultureInfo.InvariantCulture);
            await (_current ?? throw new InvalidOperationException("no Quartz run in progress")).WriteAsync(id, cancellationToken);
        }
    }

    /// <summary>
    /// Microsoft.Data.Sqlite with the same settings the product uses (WAL is set on the file;
    /// synchronous=NORMAL and a busy timeout on every connection), so Quartz is not penalised by
    /// SQLite's default synchronous=FULL.
    /// </summary>
    private sealed class TunedSqliteFactory : DbProviderFactory
    {
        public static readonly TunedSqliteFactory Instance = new();

        public override DbConnection CreateConnection() => new TunedSqliteConnection();

        public override DbCommand CreateCommand() => new SqliteCommand();

        public override DbParameter CreateParameter() => new SqliteParameter();

        public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new SqliteConnectionStringBuilder();
    }

    private sealed class TunedSqliteConnection : SqliteConnection
    {
        public override void Open()
        {
            base.Open();
            using var command = CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000;";
            command.ExecuteNonQuery();
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            Open();
            return Task.CompletedTask;
        }
    }
}
