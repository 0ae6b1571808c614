using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Domain.Text;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals simulate --until DATE [--dry-run]</c>: moves the engine's clock day by day from
/// today to DATE, carrying out each day what falls due exactly as the running service would.
/// </summary>
internal static class SimulateCommand
{
    public const int MaxDays = 3660;

    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var until = CommonOptions.Date("--until", text["Simulate.Until"], text);
        var dryRun = new Option<bool>("--dry-run") { Description = text["Simulate.DryRun"] };
        var quiet = new Option<bool>("--totals-only") { Description = text["Simulate.TotalsOnly"] };
        var format = Operations.Format(text);
        var command = new Command("simulate", text["Simulate.Description"]) { until, dryRun, quiet, format };
        CommonOptions.Require(command, text, until);
        command.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            var today = context.Clock.GetCurrentInstant().InUtc().Date;
            var last = parse.GetValue(until);
            await SimulateAsync(context, database, today, last, parse.GetValue(dryRun), parse.GetValue(quiet), ct, parse.GetValue(format) == "json" ? parse.InvocationConfiguration.Output : null);
            return RenewalsCli.Ok;
        });
        return command;
    }

    public static async Task SimulateAsync(
        CliContext context, Data.RenewalsDatabase database, LocalDate today, LocalDate until, bool dryRun, bool totalsOnly, CancellationToken ct, TextWriter? json = null)
    {
        var text = context.Text;
        if (until < today || Period.Between(today, until, PeriodUnits.Days).Days > MaxDays)
        {
            throw new UsageException(text.Format("Error.UntilRange", DomainText.LongDate(until, text.Culture), DomainText.LongDate(today, text.Culture), MaxDays));
        }

        await EngineDays.RequireMigratedAsync(database, text, ct);
        // The command's clock, made to stand at each simulated day in turn: the engine and the dispatcher read it.
        var engine = new RenewalEngine(database, context.Clock);
        var days = new List<(LocalDate Day, Instant AsOf)>();
        for (var day = today; day <= until; day = day.PlusDays(1))
        {
            days.Add((day, EngineDays.EndOf(day)));
        }

        var results = new List<(LocalDate Day, EngineRunResult Result)>();
        // Each simulated day's messages go out on that day, as of that day's instant, as the
        // running service would have sent them: dated and worded for the day they are read.
        await using var transport = dryRun ? null : context.Delivery.CreateTransport();
        var dispatcher = transport is null ? null : context.Delivery.Dispatcher(transport);
        var delivered = new DispatchResult(0, 0, 0);
        async Task RunDaysAsync(Action? dayDone)
        {
            await engine.SimulateAsync(days.Select(d => { context.StandClockAt(d.AsOf); return d; }), dryRun, async (day, result) =>
            {
                results.Add((day, result));
                if (dispatcher is not null)
                {
                    delivered = delivered.Then(await dispatcher.DispatchAsync(EngineDays.EndOf(day), ct));
                }

                dayDone?.Invoke();
            }, ct);
        }

        if (json is not null)
        {
            // One JSON document on the output, nothing else: no progress bar.
            await RunDaysAsync(null);
            json.WriteLine(Operations.ToJson(new
            {
                From = Iso(today),
                Until = Iso(until),
                DryRun = dryRun,
                Days = totalsOnly ? null : results.Where(r => r.Result.Executed > 0).Select(r => new { Day = Iso(r.Day), Engine = EngineDays.Json(r.Result) }).ToList(),
                Total = EngineDays.Json(EngineDays.Sum(results.Select(r => r.Result))),
                Messages = EngineDays.Json(transport is null ? null : delivered, transport),
            }));
            return;
        }

        await context.Console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(Markup.Escape(text["Simulate.Progress"]), maxValue: days.Count);
            await RunDaysAsync(() => task.Increment(1));
        });

        var table = EngineDays.NewTable(text);
        if (!totalsOnly)
        {
            foreach (var (day, result) in results.Where(r => r.Result.Executed > 0))
            {
                EngineDays.AddRow(table, Iso(day), result);
            }
        }

        var total = EngineDays.Sum(results.Select(r => r.Result));
        EngineDays.AddRow(table, text["Engine.Row.Total"], total);
        context.Console.Write(table);
        context.Console.MarkupLine(Markup.Escape(text.Format(dryRun ? "Simulate.SummaryDryRun" : "Simulate.Summary",
            DomainText.LongDate(today, text.Culture), DomainText.LongDate(until, text.Culture), total.Done, total.Skipped, results.Count(r => r.Result.Executed > 0))));
        if (transport is not null)
        {
            MessagesCommand.Report(context, delivered, transport);
        }
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
