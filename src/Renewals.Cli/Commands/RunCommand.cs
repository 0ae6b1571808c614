using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals run [--as-of DATE]</c>: carries out everything due now (or as of the end of DATE), once.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var asOf = new Option<Instant?>("--as-of")
        {
            Description = text["Run.AsOf"],
            HelpName = "yyyy-mm-dd",
            CustomParser = result =>
            {
                var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (LocalDatePattern.Iso.Parse(token) is { Success: true } date)
                {
                    return EngineDays.EndOf(date.Value);
                }

                if (InstantPattern.ExtendedIso.Parse(token) is { Success: true } instant)
                {
                    return instant.Value;
                }

                result.AddError(text.Format("Error.Date", "--as-of", token));
                return null;
            },
        };
        var batch = CommonOptions.Number("--batch-size", text["Run.BatchSize"], text, new EngineOptions().BatchSize);

        var noSend = new Option<bool>("--no-send") { Description = text["Run.NoSend"] };
        var format = Operations.Format(text);
        var command = new Command("run", text["Run.Description"]) { asOf, batch, noSend, format };
        command.SetAction(async (parse, ct) =>
        {
            var size = parse.GetValue(batch);
            if (size is < 1 or > 100_000)
            {
                throw new UsageException(text.Format("Error.Range", "--batch-size", 1, 100_000, size));
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            var at = parse.GetValue(asOf) ?? context.Clock.GetCurrentInstant();
            var result = await new RenewalEngine(database, context.Clock, new EngineOptions { BatchSize = size }).RunAsync(at, ct);
            // The same collection pass as the web host's CollectionWorker: overdue invoices are chased by `run` too.
            var chased = await Operations.WithAsync(context, (Renewals.Core.Payments.CollectionPass collections) => collections.RunAsync(at, ct), ct);
            if (parse.GetValue(format) == "json")
            {
                (DispatchResult Result, string Transport)? sent = null;
                if (!parse.GetValue(noSend))
                {
                    var reading = context.Clock.GetCurrentInstant();
                    sent = await MessagesCommand.DispatchQuietlyAsync(context, at > reading ? at : reading, ct);
                }

                Operations.WroteJson(parse, format, new
                {
                    AsOf = at,
                    Engine = EngineDays.Json(result),
                    Collections = new { chased.NewlyOverdue, chased.Reminders },
                    Messages = sent is { } s ? new MessagesJson(s.Result.Sent, s.Result.Retrying, s.Result.DeadLettered, s.Result.Discarded, s.Transport) : null,
                });
                return RenewalsCli.Ok;
            }

            var table = EngineDays.NewTable(text);
            EngineDays.AddRow(table, InstantPattern.General.Format(at), result);
            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape(text.Format("Run.Summary", result.Done, result.Skipped, result.Batches)));
            context.Console.MarkupLine(Markup.Escape(text.Format("Run.Collections", chased.NewlyOverdue, chased.Reminders)));
            if (!parse.GetValue(noSend))
            {
                // The engine wrote its messages as due at its clock's reading, after `at` was taken:
                // a fresh reading finds them due. A later --as-of keeps its day's wording.
                var now = context.Clock.GetCurrentInstant();
                await MessagesCommand.DispatchAsync(context, at > now ? at : now, ct);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }
}
