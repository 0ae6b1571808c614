using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Renewals.Bench;

/// <summary>
/// The command line the two delivery phases (<c>--phase delivery</c>, <c>--phase webhooks</c>) share:
/// the book's size, the engine's as-of day, the database and how many dispatchers. A phase reads its
/// own further options through <c>extra</c> (the option's name and a reader of its value; true when known).
/// </summary>
internal sealed record PhaseOptions(int N, LocalDate Until, string Provider, string? Pg, int Dispatchers, string WorkDir)
{
    public static PhaseOptions Parse(string[] args, string usage, string workDirName, Func<string, Func<string>, bool>? extra = null)
    {
        var options = new PhaseOptions(3000, new LocalDate(2027, 3, 31), "sqlite", null, 1, Path.Combine(Path.GetTempPath(), workDirName));
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            options = name switch
            {
                "--n" => options with { N = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--until" => options with { Until = LocalDatePattern.Iso.Parse(Value()).GetValueOrThrow() },
                "--provider" => options with { Provider = Value().ToLowerInvariant() is "postgres" or "postgresql" or "pg" ? "postgres" : "sqlite" },
                "--pg" => options with { Pg = Value() },
                "--dispatchers" => options with { Dispatchers = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--work-dir" => options with { WorkDir = Path.GetFullPath(Value()) },
                _ when extra?.Invoke(name, Value) == true => options,
                _ => throw new UsageException($"unknown option {name}\n{usage}"),
            };
        }

        if (options.Dispatchers > 1 && options.Provider != "postgres")
        {
            throw new UsageException("--dispatchers above 1 needs --provider postgres (on SQLite one dispatcher works at a time)");
        }

        return options;
    }
}
