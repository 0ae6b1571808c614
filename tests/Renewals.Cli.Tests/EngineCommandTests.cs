using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using System.Text.Json;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

public sealed class EngineCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);

    private string DbFile => Path.Combine(_folder, "book.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    [Fact]
    public async Task Migrate_then_run_on_an_empty_database_does_nothing_and_says_so()
    {
        var migrate = await Cli("db", "migrate", "--db", DbFile);
        var run = await Cli("run", "--db", DbFile);

        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("Database ready: SQLite", migrate.Output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0 done, 0 skipped", run.Output);
    }

    [Fact]
    public async Task The_database_can_be_chosen_by_environment_variable()
    {
        var environment = new Dictionary<string, string?> { [RenewalsDatabase.EnvironmentVariable] = DbFile };

        var run = await CliRun.InProcess(_clock, environment, "db", "migrate");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(DbFile));
    }

    [Fact]
    public async Task Demo_then_run_carries_out_what_is_due_once()
    {
        var demo = await Cli("demo", "--subscriptions", "300", "--db", DbFile);
        var first = await Cli("run", "--db", DbFile, "--as-of", "2027-03-01");
        var second = await Cli("run", "--db", DbFile, "--as-of", "2027-03-01");

        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("Generated 300 subscriptions", demo.Output);
        Assert.Equal(0, first.ExitCode);
        Assert.DoesNotContain(" 0 done", first.Output);
        Assert.Contains("0 done, 0 skipped", second.Output);
        var database = RenewalsDatabase.FromSetting(DbFile);
        await using var db = database.CreateContext();
        var dueInstant = Instant.FromUtc(2027, 3, 2, 0, 0);
        Assert.False(await db.Milestones.AnyAsync(m => m.Status == MilestoneStatus.Pending && m.DueAt < dueInstant));
    }

    [Fact]
    public async Task Run_and_simulate_write_one_json_document_that_agrees_with_the_stored_milestones_and_the_mail_sent()
    {
        await Cli("db", "migrate", "--db", DbFile);
        var book = new TestBook(RenewalsDatabase.FromSetting(DbFile), _clock);
        await book.ExampleAsync(); // 3 years from 15 January 2027, Paris
        await book.ExampleAsync("fr");
        var pickup = Path.Combine(_folder, "pickup");
        var environment = new Dictionary<string, string?> { ["RENEWALS_PICKUP"] = pickup };

        var simulate = await CliRun.InProcess(_clock, environment, "simulate", "--until", "2027-01-20", "--format", "json", "--db", DbFile);
        var run = await CliRun.InProcess(_clock, environment, "run", "--as-of", "2027-06-30", "--format", "json", "--no-send", "--db", DbFile);

        Assert.Equal((0, ""), (simulate.ExitCode, simulate.Error));
        using var simulated = System.Text.Json.JsonDocument.Parse(simulate.Output);
        var root = simulated.RootElement;
        Assert.Equal(("2026-12-01", "2027-01-20", false), (root.GetProperty("from").GetString(), root.GetProperty("until").GetString(), root.GetProperty("dryRun").GetBoolean()));
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        var doneByJanuary20 = await db.Milestones.AsNoTracking().Where(m => m.Status != MilestoneStatus.Pending && m.Date <= new LocalDate(2027, 1, 20)).ToListAsync();
        // Both day ones fall on 15 January in Paris, which begins at 23:00 UTC on the 14th: the
        // simulated (UTC) day that did something is the 14th, and it did what the table stores.
        var day = Assert.Single(root.GetProperty("days").EnumerateArray());
        Assert.Equal("2027-01-14", day.GetProperty("day").GetString());
        Assert.Equal(doneByJanuary20.Count, root.GetProperty("total").GetProperty("executed").GetInt32());
        Assert.Equal(
            doneByJanuary20.GroupBy(m => m.Outcome!).ToDictionary(g => g.Key, g => g.Count()),
            day.GetProperty("engine").GetProperty("byOutcome").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var messages = root.GetProperty("messages");
        Assert.Equal(Directory.GetFiles(pickup, "*.eml").Length, messages.GetProperty("sent").GetInt32());
        Assert.True(messages.GetProperty("sent").GetInt32() >= 2, simulate.Output);
        Assert.Equal(pickup, messages.GetProperty("transport").GetString());

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        using var ran = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal("2027-06-30T23:59:59.999999999Z", ran.RootElement.GetProperty("asOf").GetString());
        Assert.Equal(JsonValueKind.Null, ran.RootElement.GetProperty("messages").ValueKind);
        var laterDone = await db.Milestones.AsNoTracking().CountAsync(m => m.Status != MilestoneStatus.Pending && m.Date > new LocalDate(2027, 1, 20));
        Assert.True(laterDone > 0);
        Assert.Equal(laterDone, ran.RootElement.GetProperty("engine").GetProperty("executed").GetInt32());
    }

    [Fact]
    public async Task A_dry_run_shows_each_day_and_changes_nothing()
    {
        await Cli("demo", "--subscriptions", "200", "--db", DbFile);
        var before = await SnapshotAsync();

        var dry = await Cli("simulate", "--until", "2027-03-31", "--dry-run", "--db", DbFile);

        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Nothing was changed", dry.Output);
        Assert.Contains("│ 2026-12-", dry.Output);
        Assert.Equal(before, await SnapshotAsync());

        var real = await Cli("simulate", "--until", "2027-03-31", "--db", DbFile);

        Assert.Equal(0, real.ExitCode);
        Assert.NotEqual(before, await SnapshotAsync());
        // The dry run announced what the real run then did.
        Assert.Equal(TotalLine(dry.Output), TotalLine(real.Output));
    }

    [Fact]
    public async Task The_demo_with_simulated_days_prints_a_table_of_what_each_day_did()
    {
        var run = await Cli("demo", "--subscriptions", "150", "--simulate-days", "30", "--db", DbFile, "--lang", "fr");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Renouvellements", run.Output);
        Assert.Contains("Simulation du 1er décembre 2026 au 30 décembre 2026", run.Output);
    }

    [Theory]
    [InlineData("error: --as-of expects a date", "run", "--as-of", "2027-02-30")]
    [InlineData("error: --until: 30 November 2026 is not between today (1 December 2026)", "simulate", "--until", "2026-11-30")]
    [InlineData("error: --until: 1 January 2040 is not between today", "simulate", "--until", "2040-01-01")]
    [InlineData("error: --until expects a date", "simulate", "--until", "tomorrow")]
    [InlineData("error: --subscriptions must be between 1 and 10000000, not 0.", "demo", "--subscriptions", "0")]
    [InlineData("error: --batch-size must be between 1 and 100000, not -5.", "run", "--batch-size", "-5")]
    public async Task Bad_input_gets_a_clear_error_and_changes_nothing(string expected, params string[] args)
    {
        await Cli("demo", "--subscriptions", "50", "--db", DbFile);
        var before = await SnapshotAsync();

        var run = await Cli([.. args, "--db", DbFile]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, run.Error);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Running_on_a_database_that_is_not_set_up_says_so_and_creates_no_file()
    {
        var run = await Cli("run", "--db", DbFile);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not set up: run 'renewals db migrate' first", run.Error);
        Assert.False(File.Exists(DbFile));
    }

    [Fact]
    public async Task A_second_engine_on_the_same_sqlite_file_is_told_another_one_is_running()
    {
        await Cli("db", "migrate", "--db", DbFile);
        using var first = EngineLock.Acquire(RenewalsDatabase.FromSetting(DbFile));

        var second = await CliRun.AsProcess("run", "--db", DbFile);

        Assert.Equal(1, second.ExitCode);
        Assert.Contains("another engine is already running", second.Error);
    }

    private async Task<string> SnapshotAsync()
    {
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        var statuses = await db.Milestones.GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).OrderBy(x => x.Key).ToListAsync();
        return string.Join(";", statuses.Select(s => $"{s.Key}={s.Count}"))
            + $"|outbox={await db.Outbox.CountAsync()}|invoices={await db.Invoices.CountAsync()}|terms={await db.Terms.CountAsync()}|audit={await db.Audit.CountAsync()}";
    }

    private static string TotalLine(string output) => output.Split('\n').Single(l => l.StartsWith("│ Total", StringComparison.Ordinal));
}
