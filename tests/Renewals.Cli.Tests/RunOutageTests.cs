using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using Xunit.Abstractions;

namespace Renewals.Cli.Tests;

/// <summary>
/// `renewals run` when PostgreSQL goes away: a `run --watch` process rides out an immediate
/// restart of the server (one line on standard error, no stack trace, the milestones that fall
/// due afterwards carried out once each, exit 0 on SIGTERM); a one-shot `run`, or a watch that
/// gives up, ends with one line and exit code 3. The server is a throwaway cluster of the test's
/// own, so restarting it disturbs no other test.
/// </summary>
public sealed class RunOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_watch_rides_out_an_immediate_postgresql_restart_and_carries_out_what_falls_due_afterwards_once()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var database = RenewalsDatabase.FromSetting(await cluster.CreateDatabaseAsync());
        await database.MigrateAsync();
        var now = SystemClock.Instance.GetCurrentInstant();
        await new DemoBook(database, new FakeClock(now)).GenerateAsync(150, seed: 11);
        // What is already due is carried out here, so that the process has only what the test makes due.
        await new RenewalEngine(database, new FakeClock(now)).RunAsync(now);
        var next = await NextPendingAsync(database, 40);
        var before = next[..10];
        var after = next[10..];

        using var process = CliRun.Start("run", "--db", database.ConnectionString, "--watch", "--every", "1", "--no-send");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var errorLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var stderr = ReadLinesAsync(process.StandardError, errorLines);
        try
        {
            // Due now, while the server is up: the watch is working before the restart.
            await MakeDueAsync(database, before);
            await WaitCarriedOutAsync(database, before, process);

            await cluster.RestartImmediatelyAsync();
            // The test's own pooled connections died with the server too: it reads through a new pool.
            database = RenewalsDatabase.FromSetting(database.ConnectionString + ";Application Name=after-restart");
            // Due only after the restart: the watch must have come back to carry them out.
            await MakeDueAsync(database, after);
            await WaitCarriedOutAsync(database, after, process);
            // The engine's batches may commit while a later step still meets a dead pooled connection:
            // the watch says it is back once a whole pass has gone through.
            var waited = Stopwatch.StartNew();
            while (!errorLines.Any(l => l.StartsWith("the database answers again after ", StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
            }

            // A few more passes over the same book: nothing is done again.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(process.HasExited, "the watch stopped on its own");
        }
        finally
        {
            if (!process.HasExited)
            {
                await SignalAsync(process, "TERM");
            }
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await stderr;
        var errors = string.Join('\n', errorLines);
        output.WriteLine($"stdout:\n{await stdout}\nstderr:\n{errors}");
        Assert.Equal(0, process.ExitCode);
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("warning: the database is unreachable (", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("the database answers again after ", StringComparison.Ordinal));
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("Exception", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);

        // Each of them carried out once: done or skipped, with exactly one audit entry.
        await using var db = database.CreateContext();
        var audited = await db.Audit.Where(a => a.Entity == "milestone" && next.Contains(a.EntityId))
            .GroupBy(a => a.EntityId).Select(g => new { Id = g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal(next.Order(), audited.Select(a => a.Id).Order());
        Assert.All(audited, a => Assert.Equal(1, a.Count));
        Assert.Equal(0, await db.Milestones.CountAsync(m => next.Contains(m.Id) && m.Status == MilestoneStatus.Pending));
    }

    [Fact]
    public async Task One_shot_run_against_a_database_out_of_reach_fails_with_one_line_and_exit_code_3()
    {
        var run = await CliRun.AsProcess("run", "--db", $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=postgres;Database=renewals");

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the database is unreachable (", line, StringComparison.Ordinal);
        Assert.EndsWith("run the command again once it answers.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_watch_gives_up_after_the_time_it_is_given_with_one_line_and_exit_code_3()
    {
        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.AsProcess("--lang", "fr", "run", "--db", $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=postgres;Database=renewals",
            "--watch", "--give-up-after", "3");

        Assert.Equal(3, run.ExitCode);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("avertissement : la base de données est injoignable (", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("erreur : la base de données est injoignable depuis 3 s (", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("abandon (code de sortie 3).", lines[1], StringComparison.Ordinal);
        // Tries after 1, 2 and 4 s: it gives up on the first try past 3 s, not much later.
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 3, 60);
    }

    [Fact]
    public async Task Run_watch_cannot_be_combined_with_as_of()
    {
        var run = await CliRun.AsProcess("run", "--db", "Host=127.0.0.1;Port=1;Username=postgres;Database=renewals", "--watch", "--as-of", "2027-01-01");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --watch runs as of now, again and again, with its own report: it cannot be used with --as-of.", run.Error.Trim());
    }

    private static async Task ReadLinesAsync(StreamReader reader, System.Collections.Concurrent.ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Enqueue(line);
        }
    }

    /// <summary>The next pending milestones by due instant (the ones least disturbed by falling due a little early).</summary>
    private static async Task<long[]> NextPendingAsync(RenewalsDatabase database, int count)
    {
        await using var db = database.CreateContext();
        var ids = await db.Milestones.AsNoTracking().Where(m => m.Status == MilestoneStatus.Pending)
            .OrderBy(m => m.DueAt).ThenBy(m => m.Id).Select(m => m.Id).Take(count).ToArrayAsync();
        Assert.Equal(count, ids.Length);
        return ids;
    }

    private static async Task MakeDueAsync(RenewalsDatabase database, long[] ids)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        await using var db = database.CreateContext();
        Assert.Equal(ids.Length, await db.Milestones.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.DueAt, now)));
    }

    private static async Task WaitCarriedOutAsync(RenewalsDatabase database, long[] ids, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await using var db = database.CreateContext();
            if (await db.Milestones.CountAsync(m => ids.Contains(m.Id) && m.Status == MilestoneStatus.Pending) == 0)
            {
                return;
            }

            Assert.False(process.HasExited, $"the watch ended (exit code {(process.HasExited ? process.ExitCode : 0)}) with milestones still due");
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), "the milestones were not carried out within 3 minutes");
            await Task.Delay(200);
        }
    }

    /// <summary>Sends a signal as a service manager would (Process.Kill sends SIGKILL, which cannot be handled).</summary>
    private static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }
}
