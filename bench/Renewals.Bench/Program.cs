using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Renewals.Bench;
using Renewals.Data;

// The benchmark of Renewals: plan N subscriptions with the bulk path, run the engine over a
// year of days, and measure the baselines (raw ADO.NET inserts and updates, Quartz.NET) in the
// same run; print the figures and write them into docs/performance.md.
if (args is ["--phase", ..])
{
    return await Phases.RunAsync(args);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException e)
{
    if (e.Message.Length > 0)
    {
        Console.Error.WriteLine("renewals-bench: " + e.Message);
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

RenewalsDatabase database;
string databaseVersion;
if (options.IsPostgres)
{
    try
    {
        databaseVersion = await PreparePostgresAsync(options);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine("renewals-bench: " + e.Message);
        return 2;
    }

    database = RenewalsDatabase.FromSetting(options.Pg);
}
else
{
    Directory.CreateDirectory(options.WorkDir);
    var file = Path.Combine(options.WorkDir, "renewals.db");
    foreach (var suffix in new[] { "", "-wal", "-shm", ".engine-lock" })
    {
        File.Delete(file + suffix);
    }

    database = RenewalsDatabase.FromSetting(file);
    await using var connection = new SqliteConnection("Data Source=:memory:");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT sqlite_version()";
    databaseVersion = $"{await command.ExecuteScalarAsync()} (Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version?.ToString(3)}), file {file}";
}

ProductBench.Log($"{Report.Title(options)}: migrating {(options.IsPostgres ? "the PostgreSQL database" : options.WorkDir)}");
await database.MigrateAsync();

// The clock stands at midnight UTC of the first day; the year moves it day by day.
var clock = new SettableClock(options.Start.AtMidnight().InUtc().ToInstant());
using var memory = new MemoryProbe();
var when = DateTimeOffset.UtcNow;

ProductBench.Log($"plan: {options.N:N0} subscriptions");
var (plan, demo) = await ProductBench.PlanAsync(database, clock, options, memory);
ProductBench.Log($"plan: {plan.Work:N0} rows in {plan.Time.TotalSeconds:N1} s = {plan.Rate:N0} rows/s");
Settle();

Phase? analyze = null;
if (options.Analyze)
{
    analyze = await ProductBench.AnalyzeAsync(database, memory);
    ProductBench.Log($"ANALYZE: {analyze.Time.TotalSeconds:N1} s");
}

ProductBench.Log($"year: {options.Days} days, {options.Instances} engine(s)");
var year = await ProductBench.YearAsync(database, clock, options, memory);
ProductBench.Log($"year: {year.Executed:N0} executions in {year.Phase.Time.TotalSeconds:N1} s = {year.Phase.Rate:N0}/s");
Settle();

Phase? rawInsert = null, rawUpdate = null;
if (!options.NoRaw)
{
    await using var raw = RawBaseline.Create(options);
    ProductBench.Log($"raw insert: {plan.Work:N0} rows");
    rawInsert = await raw.InsertAsync(plan.Work, memory);
    ProductBench.Log($"raw insert: {rawInsert.Rate:N0} rows/s");
    Settle();
    ProductBench.Log($"raw update: {year.Executed:N0} rows");
    rawUpdate = await raw.UpdateAsync(Math.Max(year.Executed, 1), plan.Work, memory);
    ProductBench.Log($"raw update: {rawUpdate.Rate:N0} rows/s");
    Settle();
}

Phase? quartzSchedule = null, quartzDrain = null;
if (options.QuartzN > 0)
{
    ProductBench.Log($"Quartz: {options.QuartzN:N0} triggers");
    (quartzSchedule, quartzDrain) = await QuartzBaseline.RunAsync(options, memory);
    ProductBench.Log($"Quartz: schedule {options.QuartzN / quartzSchedule.Time.TotalSeconds:N0} triggers/s, drain {quartzDrain.Rate:N0} fired/s");
}

using var process = Process.GetCurrentProcess();
var run = new BenchRun(options, Machine.Describe(options.IsPostgres ? "PostgreSQL" : "SQLite", databaseVersion), plan, demo.Milestones, analyze, year,
    rawInsert, rawUpdate, quartzSchedule, quartzDrain, process.PeakWorkingSet64, when);
Console.WriteLine();
Console.WriteLine(Report.Console(run));
if (options.Out is { } outPath)
{
    Report.Write(outPath, run);
    ProductBench.Log($"wrote {Path.GetFullPath(outPath)} (section {Report.SectionKey(options)})");
}

if (!options.IsPostgres && !options.Keep)
{
    SqliteConnection.ClearAllPools();
    foreach (var name in new[] { "renewals.db", "raw.db", "quartz.db" })
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", ".engine-lock" })
        {
            File.Delete(Path.Combine(options.WorkDir, name + suffix));
        }
    }
}

return 0;

// Between phases: nothing of the previous phase stays in the next one's memory figure.
static void Settle()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
}

// The database must be empty, or --reset given: the plan measures a fresh book.
static async Task<string> PreparePostgresAsync(BenchOptions options)
{
    await using var source = NpgsqlDataSource.Create(options.Pg!);
    await using (var check = source.CreateCommand("SELECT to_regclass('public.milestones') IS NOT NULL"))
    {
        var used = (bool)(await check.ExecuteScalarAsync())!;
        if (used && !options.Reset)
        {
            throw new UsageException("the PostgreSQL database already has Renewals tables: give --reset to drop them, or use an empty database");
        }
    }

    if (options.Reset)
    {
        await using var reset = source.CreateCommand(
            "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS bench_raw CASCADE; DROP SCHEMA IF EXISTS bench_quartz CASCADE;");
        await reset.ExecuteNonQueryAsync();
    }

    await using var version = source.CreateCommand("SHOW server_version");
    var builder = new NpgsqlConnectionStringBuilder(options.Pg);
    return $"{await version.ExecuteScalarAsync()} (Npgsql {typeof(NpgsqlConnection).Assembly.GetName().Version?.ToString(3)}), {builder.Host}:{builder.Port}/{builder.Database}";
}
