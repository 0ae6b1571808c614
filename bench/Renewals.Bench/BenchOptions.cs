using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Renewals.Bench;

/// <summary>The command line of the benchmark. Every option has a default; see <see cref="Usage"/>.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        renewals-bench: measures plan (DemoBook), a year of the engine, and their baselines.

          dotnet run -c Release --project bench/Renewals.Bench -- [options]

          --n N               subscriptions to plan (default 1000000)
          --provider P        sqlite (default) or postgres
          --pg CS             PostgreSQL connection string (required with --provider postgres; the
                              database must be empty, or give --reset to drop what is in it)
          --reset             PostgreSQL: drop the schemas public, bench_raw and bench_quartz first
          --instances K       engines running each day concurrently (default 1 on SQLite, 2 on PostgreSQL)
          --days D            days of engine runs (default 365)
          --start DATE        the clock's first day, ISO (default 2026-11-26)
          --seed S            DemoBook seed (default 2027)
          --quartz-n M        Quartz triggers to schedule and drain (default 20000; 0 skips Quartz)
          --quartz-threads T  Quartz thread pool size (default 10, Quartz's default)
          --analyze           run ANALYZE once after the plan (a workaround the product does not do:
                              without statistics SQLite plans the engine's claim query badly)
          --no-raw            skip the raw insert/update baselines
          --work-dir DIR      SQLite files go here (default <temp>/renewals-bench); emptied first
          --keep              keep the SQLite files afterwards
          --out FILE          markdown report to write/update (default docs/performance.md; "-" for none)
        """;

    public int N { get; init; } = 1_000_000;

    public string Provider { get; init; } = "sqlite";

    public string? Pg { get; init; }

    public bool Reset { get; init; }

    public int? InstancesOption { get; init; }

    public int Instances => InstancesOption ?? (IsPostgres ? 2 : 1);

    public int Days { get; init; } = 365;

    public LocalDate Start { get; init; } = new(2026, 11, 26);

    public int Seed { get; init; } = 2027;

    public int QuartzN { get; init; } = 20_000;

    public int QuartzThreads { get; init; } = 10;

    public bool NoRaw { get; init; }

    public bool Analyze { get; init; }

    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "renewals-bench");

    public bool Keep { get; init; }

    public string? Out { get; init; } = "docs/performance.md";

    public bool IsPostgres => Provider == "postgres";

    /// <summary>The command line as it was given, with the password of a connection string hidden.</summary>
    public required string CommandLine { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { CommandLine = Describe(args) };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v
                : throw new UsageException($"{name} needs a whole number >= 0");
            o = name switch
            {
                "--n" => o with { N = Int() },
                "--provider" => o with { Provider = Value().ToLowerInvariant() switch
                {
                    "sqlite" => "sqlite",
                    "postgres" or "postgresql" or "pg" => "postgres",
                    var p => throw new UsageException($"--provider: sqlite or postgres, not {p}"),
                } },
                "--pg" => o with { Pg = Value() },
                "--reset" => o with { Reset = true },
                "--instances" => o with { InstancesOption = Int() },
                "--days" => o with { Days = Int() },
                "--start" => o with { Start = LocalDatePattern.Iso.Parse(Value()).GetValueOrThrow() },
                "--seed" => o with { Seed = Int() },
                "--quartz-n" => o with { QuartzN = Int() },
                "--quartz-threads" => o with { QuartzThreads = Int() },
                "--no-raw" => o with { NoRaw = true },
                "--analyze" => o with { Analyze = true },
                "--work-dir" => o with { WorkDir = Path.GetFullPath(Value()) },
                "--keep" => o with { Keep = true },
                "--out" => o with { Out = Value() is "-" ? null : args[i] },
                "--help" or "-h" => throw new UsageException(null),
                _ => throw new UsageException($"unknown option {name}"),
            };
        }

        if (o.N < 1)
        {
            throw new UsageException("--n must be at least 1");
        }

        if (o.IsPostgres && string.IsNullOrWhiteSpace(o.Pg))
        {
            throw new UsageException("--provider postgres needs --pg \"Host=...;Port=...;Username=...;Database=...\"");
        }

        if (!o.IsPostgres && o.InstancesOption is > 1)
        {
            throw new UsageException("--instances > 1 needs PostgreSQL: on SQLite one engine works at a time (EngineLock)");
        }

        if (o.Instances < 1 || o.QuartzThreads < 1)
        {
            throw new UsageException("--instances and --quartz-threads must be at least 1");
        }

        return o;
    }

    private static string Describe(string[] args)
    {
        var parts = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = args[i];
            if (i > 0 && args[i - 1] == "--pg")
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(value);
                if (!string.IsNullOrEmpty(builder.Password))
                {
                    builder.Password = "***";
                }

                value = builder.ConnectionString;
            }

            parts.Add(value.Contains(' ', StringComparison.Ordinal) || value.Contains(';', StringComparison.Ordinal) ? $"\"{value}\"" : value);
        }

        return "dotnet run -c Release --project bench/Renewals.Bench --" + (parts.Count > 0 ? " " + string.Join(' ', parts) : "");
    }
}

/// <summary>A bad command line (or --help, with no message): the usage is printed.</summary>
internal sealed class UsageException(string? message) : Exception(message ?? "");

/// <summary>The engine's clock: it stands where the benchmark puts it.</summary>
internal sealed class SettableClock(Instant start) : IClock
{
    private long _ticks = start.ToUnixTimeTicks();

    public Instant Now
    {
        get => Instant.FromUnixTimeTicks(Interlocked.Read(ref _ticks));
        set => Interlocked.Exchange(ref _ticks, value.ToUnixTimeTicks());
    }

    public Instant GetCurrentInstant() => Now;
}
