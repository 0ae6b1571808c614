using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;

namespace Renewals.Bench;

/// <summary>What the year of engine runs did, day by day.</summary>
internal sealed record YearResult(
    Phase Phase,
    long Executed,
    long Done,
    long Skipped,
    long Batches,
    IReadOnlyList<(LocalDate Day, int Executed, TimeSpan Time)> Days,
    IReadOnlyDictionary<string, long> ByOutcome)
{
    public TimeSpan Percentile(double p)
    {
        if (Days.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var sorted = Days.Select(d => d.Time).Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public (LocalDate Day, int Executed, TimeSpan Time) Busiest => Days.MaxBy(d => d.Executed);

    public (LocalDate Day, int Executed, TimeSpan Time) Slowest => Days.MaxBy(d => d.Time);
}

/// <summary>The product's own paths: the bulk planner (DemoBook) and the engine, day after day.</summary>
internal static class ProductBench
{
    public static async Task<(Phase Phase, DemoResult Result)> PlanAsync(RenewalsDatabase database, SettableClock clock, BenchOptions o, MemoryProbe memory)
    {
        var progress = new StepProgress(o.N, "plan", "subscriptions");
        memory.Begin();
        var watch = Stopwatch.StartNew();
        var result = await new DemoBook(database, clock).GenerateAsync(o.N, o.Seed, progress);
        watch.Stop();
        var (rss, managed) = memory.End();
        var phase = new Phase("plan: DemoBook.GenerateAsync", Count(o.N) + " subscriptions", result.Rows, "rows", watch.Elapsed, rss, managed,
            $"{Count(result.Milestones)} milestones ({result.Milestones / watch.Elapsed.TotalSeconds:N0}/s), {result.Rows / (double)o.N:0.0} rows a subscription") { Cpu = memory.Cpu };
        return (phase, result);
    }

    /// <summary>
    /// ANALYZE, once, after the bulk load: gives the query planner statistics. The product does
    /// not do it (neither its migrations nor the engine); the bench does it only with --analyze.
    /// </summary>
    public static async Task<Phase> AnalyzeAsync(RenewalsDatabase database, MemoryProbe memory)
    {
        memory.Begin();
        var watch = Stopwatch.StartNew();
        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }

        watch.Stop();
        var (rss, managed) = memory.End();
        return new Phase("ANALYZE after plan (bench workaround, --analyze; not done by the product)", "whole database", 1, "runs", watch.Elapsed, rss, managed) { Cpu = memory.Cpu };
    }

    /// <summary>
    /// Each day D: the clock moves to the end of D (UTC) and every engine runs as of then, as
    /// src/Renewals.Cli/Commands/EngineDays.cs does. Several engines run concurrently (Task.WhenAll).
    /// </summary>
    public static async Task<YearResult> YearAsync(RenewalsDatabase database, SettableClock clock, BenchOptions o, MemoryProbe memory)
    {
        var engines = Enumerable.Range(1, o.Instances)
            .Select(i => new RenewalEngine(database, clock, new EngineOptions { Actor = $"bench-engine-{i}" }))
            .ToArray();
        var days = new List<(LocalDate, int, TimeSpan)>(o.Days);
        var byOutcome = new Dictionary<string, long>(StringComparer.Ordinal);
        long executed = 0, done = 0, skipped = 0, batches = 0;
        var probe = await WriteProbe.BeginAsync(database);
        memory.Begin();
        var total = Stopwatch.StartNew();
        for (var d = 0; d < o.Days; d++)
        {
            var day = o.Start.PlusDays(d);
            var asOf = EndOf(day);
            clock.Now = asOf;
            var start = Stopwatch.GetTimestamp();
            var results = await Task.WhenAll(engines.Select(e => e.RunAsync(asOf)));
            var elapsed = Stopwatch.GetElapsedTime(start);
            var dayExecuted = 0;
            foreach (var r in results)
            {
                dayExecuted += r.Executed;
                done += r.Done;
                skipped += r.Skipped;
                batches += r.Batches;
                foreach (var (outcome, count) in r.ByOutcome)
                {
                    byOutcome[outcome] = byOutcome.GetValueOrDefault(outcome) + count;
                }
            }

            executed += dayExecuted;
            days.Add((day, dayExecuted, elapsed));
            if ((d + 1) % 30 == 0 || d == o.Days - 1)
            {
                Log($"year: day {d + 1}/{o.Days} ({Iso(day)}), {executed:N0} executions, {total.Elapsed.TotalSeconds:N0} s, {executed / total.Elapsed.TotalSeconds:N0}/s");
            }
        }

        total.Stop();
        var (rss, managed) = memory.End();
        var writes = await probe.EndAsync(executed);
        Log("year: " + writes);
        var phase = new Phase($"year: {o.Days} days of RenewalEngine.RunAsync" + (o.Instances > 1 ? $" x {o.Instances} concurrent engines" : ""),
            Count(o.N) + " subscriptions", executed, "executions", total.Elapsed, rss, managed, writes) { Cpu = memory.Cpu };
        return new YearResult(phase, executed, done, skipped, batches, days, byOutcome);
    }

    /// <summary>The engine's clock at the end of a UTC day (as EngineDays.EndOf in the CLI).</summary>
    public static Instant EndOf(LocalDate day) => day.PlusDays(1).AtMidnight().InUtc().ToInstant() - Duration.Epsilon;

    public static string Iso(LocalDate day) => LocalDatePattern.Iso.Format(day);

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static void Log(string line) => Console.Error.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] {line}");

    /// <summary>Logs every tenth of the way; synchronous, so it costs nothing between reports.</summary>
    private sealed class StepProgress(int total, string phase, string unit) : IProgress<int>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private int _next = Math.Max(1, total / 10);

        public void Report(int value)
        {
            if (value >= _next || value == total)
            {
                _next = value + Math.Max(1, total / 10);
                Log($"{phase}: {value:N0}/{total:N0} {unit}, {_watch.Elapsed.TotalSeconds:N1} s");
            }
        }
    }
}
