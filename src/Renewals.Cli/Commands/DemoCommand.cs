using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Renewals.Core.Demo;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals demo</c>: sets up the database, fills it with a generated book of business and
/// (by default) simulates the year ahead, so a newcomer sees the engine at work.
/// </summary>
internal static class DemoCommand
{
    public const int MaxSubscriptions = 10_000_000;

    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var count = CommonOptions.Number("--subscriptions", text["Demo.Subscriptions"], text, 2000);
        var seed = CommonOptions.Number("--seed", text["Demo.Seed"], text, 2027);
        var days = CommonOptions.Number("--simulate-days", text["Demo.SimulateDays"], text, 0);
        var command = new Command("demo", text["Demo.Description"]) { count, seed, days };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(count);
            var simulate = parse.GetValue(days);
            if (n is < 1 or > MaxSubscriptions)
            {
                throw new UsageException(text.Format("Error.Range", "--subscriptions", 1, MaxSubscriptions, n));
            }

            if (simulate is < 0 or > SimulateCommand.MaxDays)
            {
                throw new UsageException(text.Format("Error.Range", "--simulate-days", 0, SimulateCommand.MaxDays, simulate));
            }

            var database = context.Database;
            await database.MigrateAsync(ct);
            int existing;
            await using (var db = await context.NewDbContextAsync(ct))
            {
                existing = await db.Subscriptions.CountAsync(ct);
            }

            if (existing > 0)
            {
                context.Console.MarkupLine(Markup.Escape(text.Format("Demo.AlreadyThere", existing, DbCommand.Describe(database))));
            }
            else
            {
                DemoResult? result = null;
                await context.Console.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask(Markup.Escape(text["Demo.Progress"]), maxValue: n);
                    result = await context.Services.GetRequiredService<DemoBook>().GenerateAsync(
                        n, parse.GetValue(seed), new Progress<int>(done => task.Value = done), ct);
                });
                context.Console.MarkupLine(Markup.Escape(text.Format("Demo.Created", result!.Subscriptions, result.Milestones, DbCommand.Describe(database))));
            }

            if (simulate > 0)
            {
                var today = context.Clock.GetCurrentInstant().InUtc().Date;
                await SimulateCommand.SimulateAsync(context, database, today, today.PlusDays(simulate - 1), dryRun: false, totalsOnly: false, ct);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }
}
