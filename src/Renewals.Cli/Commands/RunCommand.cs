using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engine;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Messaging;
using Renewals.Core.Payments;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals run [--as-of DATE]</c>: runs the book (<see cref="BookRun"/>: the engine, then the collection pass)
/// as of now or the end of DATE, once, then delivers the outbox; <c>run --watch</c> does so again and again.
/// </summary>
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
        var watch = new Option<bool>("--watch") { Description = text["Run.Watch"] };
        var every = CommonOptions.Number("--every", text["Run.Every"], text, 60);
        var giveUp = CommonOptions.Number("--give-up-after", text["Run.GiveUpAfter"], text, 1800);
        var command = new Command("run", text["Run.Description"]) { asOf, batch, noSend, format, watch, every, giveUp };
        command.SetAction(async (parse, ct) =>
        {
            var size = parse.GetValue(batch);
            if (size is < 1 or > 100_000)
            {
                throw new UsageException(text.Format("Error.Range", "--batch-size", 1, 100_000, size));
            }

            var database = context.Database;
            // The command's --batch-size over the host's collection settings; the order is BookRun's.
            var book = new BookRun(
                new RenewalEngine(database, context.Clock, new EngineOptions { BatchSize = size }),
                context.Services.GetRequiredService<CollectionPass>());
            if (parse.GetValue(watch))
            {
                if (parse.GetResult(asOf) is { Implicit: false } || parse.GetValue(format) == "json")
                {
                    throw new UsageException(text.Format("Run.WatchAlone", parse.GetResult(asOf) is { Implicit: false } ? "--as-of" : "--format json"));
                }

                var seconds = parse.GetValue(every);
                if (seconds is < 1 or > 86_400)
                {
                    throw new UsageException(text.Format("Error.Range", "--every", 1, 86_400, seconds));
                }

                var patience = parse.GetValue(giveUp);
                if (patience < 0)
                {
                    throw new UsageException(text.Format("Error.Range", "--give-up-after", 0, int.MaxValue, patience));
                }

                return await WatchAsync(context, parse, book, !parse.GetValue(noSend), TimeSpan.FromSeconds(seconds), patience == 0 ? null : TimeSpan.FromSeconds(patience), ct);
            }

            await EngineDays.RequireMigratedAsync(database, text, ct);
            if (parse.GetValue(asOf) is { } given)
            {
                // The command's clock stands there: the engine's, the collection pass's and the
                // dispatcher's stamps (audit rows, messages written, dated and sent) all read it.
                context.StandClockAt(given);
            }

            var at = context.Clock.GetCurrentInstant();
            var ran = await book.RunAsync(at, ct);
            var (result, chased) = (ran.Engine, ran.Collections);
            if (parse.GetValue(format) == "json")
            {
                (DispatchResult Result, string Transport)? sent = null;
                if (!parse.GetValue(noSend))
                {
                    sent = await MessagesCommand.DispatchQuietlyAsync(context, ct);
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
                // a fresh reading finds them due (at --as-of, the clock still stands at `at`).
                await MessagesCommand.DispatchAsync(context, ct);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    /// <summary>The longest wait between two tries while the database is out of reach.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>run --watch</c>: runs the book as of now, then again every <paramref name="every"/>, until
    /// Ctrl+C or SIGTERM (exit 0). While the database is out of reach (a server restarting or
    /// gone) it says so in one line on standard error and tries again after 1, 2, 4... up to 30
    /// seconds; nothing is lost meanwhile (a batch cut short was rolled back and is claimed again).
    /// Pooled connections that died with the server fail once each and are dropped, so the first
    /// tries after the server is back may still fail, silently.
    /// After <paramref name="giveUpAfter"/> without the database it stops with one line and exit
    /// code 3 (<see cref="RenewalsCli.Unreachable"/>), so that a supervisor can take over.
    /// </summary>
    private static async Task<int> WatchAsync(
        CliContext context, ParseResult parse, BookRun book, bool send, TimeSpan every, TimeSpan? giveUpAfter, CancellationToken ct)
    {
        var text = context.Text;
        var error = parse.InvocationConfiguration.Error;
        var migrated = false;
        // Real elapsed time (a monotonic timer): the injected clock may stand still in a test.
        long? outageSince = null;
        var wait = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                if (!migrated)
                {
                    await EngineDays.RequireMigratedAsync(context.Database, text, ct);
                    migrated = true;
                }

                var at = context.Clock.GetCurrentInstant();
                var ran = await book.RunAsync(at, ct);
                DispatchResult? sent = null;
                if (send)
                {
                    // The engine's messages are due at its clock's reading, taken after `at`.
                    sent = (await MessagesCommand.DispatchQuietlyAsync(context, ct)).Result;
                }

                if (outageSince is { } since)
                {
                    await error.WriteLineAsync(text.Format("Run.Reachable", (int)System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalSeconds));
                    outageSince = null;
                    wait = TimeSpan.FromSeconds(1);
                }

                if (ran.Engine.Executed + ran.Collections.NewlyOverdue + ran.Collections.Reminders + (sent?.Sent ?? 0) + (sent?.DeadLettered ?? 0) > 0)
                {
                    context.Console.WriteLine(text.Format("Run.WatchPass", InstantPattern.General.Format(at), ran.Engine.Done, ran.Engine.Skipped,
                        ran.Collections.NewlyOverdue, ran.Collections.Reminders, sent?.Sent ?? 0));
                }

                pause = every;
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Npgsql.NpgsqlException)
            {
                break;
            }
            catch (Exception e) when (DatabaseOutage.Reason(e) is { } reason)
            {
                var since = outageSince ??= System.Diagnostics.Stopwatch.GetTimestamp();
                if (giveUpAfter is { } patience && System.Diagnostics.Stopwatch.GetElapsedTime(since) >= patience)
                {
                    await error.WriteLineAsync(text.ErrorLine(text.Format("Run.GaveUp", (int)patience.TotalSeconds, OneLine(reason))));
                    return RenewalsCli.Unreachable;
                }

                if (wait == TimeSpan.FromSeconds(1))
                {
                    // Once an outage: the tries that follow are silent until it answers again.
                    await error.WriteLineAsync(text.Format("Run.Unreachable", OneLine(reason), (int)LongestWait.TotalSeconds));
                }

                pause = wait;
                wait = wait * 2 > LongestWait ? LongestWait : wait * 2;
            }

            try
            {
                await Task.Delay(pause, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return RenewalsCli.Ok;
    }

    private static string OneLine(string reason) => reason.ReplaceLineEndings(" ").Trim();
}
