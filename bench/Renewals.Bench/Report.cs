using System.Globalization;
using System.Text;

namespace Renewals.Bench;

/// <summary>Everything one run measured.</summary>
internal sealed record BenchRun(
    BenchOptions Options,
    IReadOnlyList<(string Key, string Value)> Machine,
    Phase Plan,
    long Milestones,
    Phase? Analyze,
    YearResult Year,
    Phase? RawInsert,
    Phase? RawUpdate,
    Phase? QuartzSchedule,
    Phase? QuartzDrain,
    long ProcessPeakWorkingSet,
    DateTimeOffset When);

/// <summary>Prints the figures and writes them into docs/performance.md.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One section per provider, engines, ANALYZE, N and days: rerunning the same configuration replaces its section.</summary>
    public static string SectionKey(BenchOptions o) =>
        (o.IsPostgres ? $"postgres-{o.Instances}-engine{(o.Instances > 1 ? "s" : "")}" : "sqlite")
        + (o.Analyze ? "-analyze" : "")
        + $"-n{o.N.ToString(Inv)}"
        + (o.Days != 365 ? $"-d{o.Days.ToString(Inv)}" : "");

    public static string Title(BenchOptions o) =>
        (o.IsPostgres
            ? $"PostgreSQL, {o.Instances} engine{(o.Instances > 1 ? "s" : "")}, N = {o.N.ToString("N0", Inv)} subscriptions"
            : $"SQLite, N = {o.N.ToString("N0", Inv)} subscriptions")
        + (o.Days != 365 ? $", {o.Days.ToString(Inv)} days" : "")
        + (o.Analyze ? ", ANALYZE after plan" : ", as shipped (no ANALYZE)");

    public static IReadOnlyList<Phase> Phases(BenchRun r) =>
        [.. new[] { r.Plan, r.Analyze, r.Year.Phase, r.RawInsert, r.RawUpdate, r.QuartzSchedule, r.QuartzDrain }.OfType<Phase>()];

    /// <summary>Each target of the issue: what it asks, what was measured, the ratio to the target, met or not.</summary>
    public static IReadOnlyList<(string Target, string Measured, string Verdict)> Targets(BenchRun r)
    {
        var o = r.Options;
        var list = new List<(string, string, string)>();
        if (r.RawInsert is { } ri)
        {
            var ratio = r.Plan.Rate / ri.Rate;
            list.Add(("plan >= 0.5 x raw inserts",
                $"{Rate(r.Plan)} / {Rate(ri)} = **{ratio:0.000}x**",
                Verdict(ratio, 0.5)));
        }

        if (r.RawUpdate is { } ru)
        {
            var ratio = r.Year.Phase.Rate / ru.Rate;
            list.Add(("year >= 0.25 x raw updates",
                $"{Rate(r.Year.Phase)} / {Rate(ru)} = **{ratio:0.000}x**",
                Verdict(ratio, 0.25)));
        }

        if (r.QuartzDrain is { } qd)
        {
            var ratio = r.Year.Phase.Rate / qd.Rate;
            list.Add(("year >= 20 x Quartz (executions/s vs fired jobs/s)",
                $"{Rate(r.Year.Phase)} / {Rate(qd)} (Quartz at {o.QuartzN.ToString("N0", Inv)} triggers) = **{ratio:0.0}x**",
                Verdict(ratio, 20)));
        }

        var peak = Math.Max(r.Plan.PeakRss, r.Year.Phase.PeakRss);
        var mem = $"plan {Machine.Mib(r.Plan.PeakRss):N0} MiB, year {Machine.Mib(r.Year.Phase.PeakRss):N0} MiB (whole process incl. baselines: {Machine.Mib(r.ProcessPeakWorkingSet):N0} MiB)";
        list.Add(("peak memory <= 1 GiB at N = 1,000,000",
            mem,
            o.N == 1_000_000
                ? (Machine.Mib(peak) <= 1024
                    ? string.Create(Inv, $"met ({Machine.Mib(peak) / 1024:P0} of 1 GiB)")
                    : string.Create(Inv, $"**missed** by {Machine.Mib(peak) - 1024:N0} MiB ({Machine.Mib(peak) / 1024:0.00}x the limit)"))
                : $"not judged: N = {o.N.ToString("N0", Inv)}, the target is for 1,000,000"));
        list.Add(("PostgreSQL, 2 instances >= 10,000 executions/s",
            o.IsPostgres && o.Instances == 2 ? $"**{Rate(r.Year.Phase)}** (N = {o.N.ToString("N0", Inv)})" : "not measured in this run",
            o.IsPostgres && o.Instances == 2 ? Verdict(r.Year.Phase.Rate / 10_000, 1) : "-"));
        return list;
    }

    public static string Console(BenchRun r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"== {Title(r.Options)} ==");
        foreach (var (k, v) in r.Machine)
        {
            sb.AppendLine(Inv, $"{k,-15} {v}");
        }

        sb.AppendLine(Inv, $"{"Command",-15} {r.Options.CommandLine}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"{"phase",-60} {"work",16} {"time s",9} {"rate /s",12} {"peak RSS",10} {"CPU s own/other",16}");
        foreach (var p in Phases(r))
        {
            var name = p.Name.Length > 60 ? p.Name[..57] + "..." : p.Name;
            sb.AppendLine(Inv, $"{name,-60} {p.Work,16:N0} {p.Time.TotalSeconds,9:N1} {p.Rate,12:N0} {Machine.Mib(p.PeakRss),7:N0} MiB {p.Cpu.Own,7:N0}/{p.Cpu.Others,-7:N0}");
            if (p.Notes.Length > 0)
            {
                sb.AppendLine(Inv, $"    {p.Notes}");
            }
        }

        sb.AppendLine();
        sb.AppendLine(YearLine(r.Year).Replace("**", "", StringComparison.Ordinal));
        sb.AppendLine();
        foreach (var (target, measured, verdict) in Targets(r))
        {
            sb.AppendLine(Inv, $"{target,-52} {measured.Replace("**", "", StringComparison.Ordinal)}  -> {verdict}");
        }

        foreach (var line in ExtraRatios(r))
        {
            sb.AppendLine(line.Replace("**", "", StringComparison.Ordinal));
        }

        return sb.ToString();
    }

    public static string Markdown(BenchRun r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"### {Title(r.Options)}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Generated by `bench/Renewals.Bench` on {r.When:yyyy-MM-dd HH:mm} UTC; rerunning the same command replaces this section.");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Command: `{r.Options.CommandLine}`");
        sb.AppendLine();
        sb.AppendLine("| machine | |");
        sb.AppendLine("| --- | --- |");
        foreach (var (k, v) in r.Machine)
        {
            sb.AppendLine(Inv, $"| {k} | {v} |");
        }

        sb.AppendLine();
        sb.AppendLine("| phase | size | work | time | rate | peak RSS | peak managed heap | CPU: bench / other processes |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in Phases(r))
        {
            var rate = p.Unit == "runs" ? "-" : $"**{p.Rate:N0} {p.Unit}/s**";
            sb.AppendLine(Inv,
                $"| {p.Name} | {p.N} | {p.Work:N0} {p.Unit} | {p.Time.TotalSeconds:N1} s | {rate} | {Machine.Mib(p.PeakRss):N0} MiB | {Machine.Mib(p.PeakManaged):N0} MiB | {p.Cpu.Own:N1} s / {p.Cpu.Others:N1} s |");
        }

        sb.AppendLine();
        foreach (var p in Phases(r).Where(p => p.Notes.Length > 0))
        {
            sb.AppendLine(Inv, $"- {p.Name.Split(':')[0]}: {p.Notes}");
        }

        sb.AppendLine(Inv, $"- {YearLine(r.Year)}");
        sb.AppendLine(Inv, $"- year outcomes: {string.Join(", ", r.Year.ByOutcome.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        sb.AppendLine();
        sb.AppendLine("| target | measured | verdict |");
        sb.AppendLine("| --- | --- | --- |");
        foreach (var (target, measured, verdict) in Targets(r))
        {
            sb.AppendLine(Inv, $"| {target} | {measured} | {verdict} |");
        }

        sb.AppendLine();
        foreach (var line in ExtraRatios(r))
        {
            sb.AppendLine("- " + line);
        }

        return sb.ToString();
    }

    /// <summary>Puts this run's section into the report, replacing the previous run of the same kind.</summary>
    public static void Write(string path, BenchRun r)
    {
        var key = SectionKey(r.Options);
        var begin = $"<!-- bench:{key}:begin -->";
        var end = $"<!-- bench:{key}:end -->";
        var section = $"{begin}\n{Markdown(r)}{end}";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n\nFigures measured by `bench/Renewals.Bench`.\n";
        var at = existing.IndexOf(begin, StringComparison.Ordinal);
        var stop = existing.IndexOf(end, StringComparison.Ordinal);
        var updated = at >= 0 && stop > at
            ? existing[..at] + section + existing[(stop + end.Length)..]
            : existing.TrimEnd('\n') + "\n\n" + section + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, updated);
    }

    private static IEnumerable<string> ExtraRatios(BenchRun r)
    {
        if (r.QuartzSchedule is { } qs)
        {
            var triggers = r.Options.QuartzN / qs.Time.TotalSeconds;
            var milestones = r.Milestones / r.Plan.Time.TotalSeconds;
            yield return string.Create(Inv,
                $"scheduling, plan vs Quartz: rows/s {r.Plan.Rate:N0} vs {qs.Rate:N0} = **{r.Plan.Rate / qs.Rate:0.0}x**; "
                + $"milestones/s {milestones:N0} vs triggers/s {triggers:N0} = **{milestones / triggers:0.0}x** "
                + $"(plan at N = {r.Options.N:N0} subscriptions, Quartz at {r.Options.QuartzN:N0} triggers)");
        }
    }

    private static string YearLine(YearResult y)
    {
        if (y.Days.Count == 0)
        {
            return "year: no day simulated (--days 0)";
        }

        var busiest = y.Busiest;
        var slowest = y.Slowest;
        return string.Create(Inv,
            $"year: {y.Executed:N0} executions ({y.Done:N0} done, {y.Skipped:N0} skipped) in {y.Batches:N0} batches; per-day latency **p50 {Ms(y.Percentile(0.5))}**, "
            + $"**p99 {Ms(y.Percentile(0.99))}**, max {Ms(slowest.Time)} ({ProductBench.Iso(slowest.Day)}); busiest day {ProductBench.Iso(busiest.Day)}: "
            + $"{busiest.Executed:N0} executions in {Ms(busiest.Time)} ({busiest.Executed / Math.Max(busiest.Time.TotalSeconds, 1e-9):N0}/s)");
    }

    private static string Ms(TimeSpan t) => t.TotalSeconds >= 10
        ? t.TotalSeconds.ToString("N1", Inv) + " s"
        : t.TotalMilliseconds.ToString("N0", Inv) + " ms";

    private static string Rate(Phase p) => $"{p.Rate.ToString("N0", Inv)} {p.Unit}/s";

    private static string Verdict(double ratio, double target)
    {
        var share = ratio / target;
        return share >= 1
            ? string.Create(Inv, $"met ({share:0.00}x the target)")
            : string.Create(Inv, $"**missed**: {share:P0} of the target, {1 / share:0.0}x short");
    }
}
