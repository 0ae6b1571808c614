using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Cli.Text;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Core.Planning;
using Renewals.Data;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>How the run and simulate commands turn days into engine runs and print what they did.</summary>
internal static class EngineDays
{
    /// <summary>The engine's clock at the end of a UTC day: every milestone whose local date has begun anywhere by then is due.</summary>
    public static Instant EndOf(LocalDate day) => day.PlusDays(1).AtMidnight().InUtc().ToInstant() - Duration.Epsilon;

    /// <summary>The database must have its schema before the engine touches it.</summary>
    public static async Task RequireMigratedAsync(RenewalsDatabase database, CliText text, CancellationToken ct)
    {
        if (database.SqliteFile is { } file && !File.Exists(file))
        {
            // Opening it would create an empty file: say so instead and leave the disk as it was.
            throw new UsageException(text.Format("Error.NotMigrated", DbCommand.Describe(database)));
        }

        await using var db = database.CreateContext();
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            throw new UsageException(text.Format("Error.NotMigrated", DbCommand.Describe(database)));
        }
    }

    private static readonly (string Column, Func<string, bool> Matches)[] Columns =
    [
        ("Engine.Column.DayOne", o => o == MilestoneOutcomes.Welcomed),
        ("Engine.Column.CheckIns", o => o == MilestoneOutcomes.AdvisorTaskCreated),
        ("Engine.Column.Invoices", o => o == MilestoneOutcomes.Invoiced),
        ("Engine.Column.Reminders", o => o == MilestoneOutcomes.Reminded),
        ("Engine.Column.Deadlines", o => o is MilestoneOutcomes.RenewalCertain or MilestoneOutcomes.SubscriptionEnding),
        ("Engine.Column.Renewals", o => o == MilestoneOutcomes.Renewed),
        ("Engine.Column.Ended", o => o == MilestoneOutcomes.Ended),
        ("Engine.Column.Skipped", o => o.StartsWith("skipped:", StringComparison.Ordinal)),
    ];

    public static Table NewTable(CliText text)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn(text["Engine.Column.Day"]).NoWrap());
        foreach (var (column, _) in Columns)
        {
            table.AddColumn(new TableColumn(text[column]).RightAligned());
        }

        table.AddColumn(new TableColumn(text["Engine.Column.Total"]).RightAligned());
        return table;
    }

    public static void AddRow(Table table, string label, EngineRunResult result) =>
        table.AddRow([
            Markup.Escape(label),
            .. Columns.Select(c => Count(result, c.Matches).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            result.Executed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);

    public static EngineRunResult Sum(IEnumerable<EngineRunResult> results)
    {
        var byOutcome = new Dictionary<string, int>(StringComparer.Ordinal);
        int batches = 0, done = 0, skipped = 0;
        foreach (var r in results)
        {
            batches += r.Batches;
            done += r.Done;
            skipped += r.Skipped;
            foreach (var (outcome, count) in r.ByOutcome)
            {
                byOutcome[outcome] = byOutcome.GetValueOrDefault(outcome) + count;
            }
        }

        return new EngineRunResult(batches, done, skipped, byOutcome);
    }

    /// <summary>A run's counts as the JSON output writes them: every outcome by its stored name.</summary>
    public static EngineRunJson Json(EngineRunResult result) =>
        new(result.Executed, result.Done, result.Skipped, result.Batches, new SortedDictionary<string, int>(result.ByOutcome.ToDictionary(), StringComparer.Ordinal));

    public static MessagesJson? Json(DispatchResult? result, Core.Messaging.IMailTransport? transport) =>
        result is null || transport is null ? null : new(result.Sent, result.Retrying, result.DeadLettered, result.Discarded, transport.Describe());

    private static int Count(EngineRunResult result, Func<string, bool> matches) =>
        result.ByOutcome.Where(kv => matches(kv.Key)).Sum(kv => kv.Value);
}

internal sealed record EngineRunJson(int Executed, int Done, int Skipped, int Batches, IReadOnlyDictionary<string, int> ByOutcome);

internal sealed record MessagesJson(int Sent, int Retrying, int DeadLettered, int Discarded, string Transport);
