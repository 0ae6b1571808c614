using System.CommandLine;
using Renewals.Core.Import;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals import FILE [--dry-run]</c>: brings in a book from a CSV file (docs/import.md).
/// Every error is printed, one line each with its line and column, and nothing is stored
/// unless the whole file is right (exit code 2 otherwise).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var file = new Argument<string>("file") { Description = text["Import.File"], HelpName = "FILE" };
        var dryRun = new Option<bool>("--dry-run") { Description = text["Import.DryRun"] };
        var format = Format(text);
        var command = new Command("import", text["Import.Description"]) { file, dryRun, format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException(text.Format("Import.Error.NoFile", path));
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            ImportResult result;
            await using (var stream = File.OpenRead(path))
            {
                result = await context.UseAsync((BookImport import) => import.ImportAsync(stream, parse.GetValue(dryRun), Actor(), ct));
            }

            var written = WroteJson(parse, format, new
            {
                result.Stored, result.Rows, result.Accounts, result.Subscriptions, result.Milestones,
                Errors = result.Errors.Select(e => new { e.Line, e.Column, Code = e.Code, Message = e.Reason(text.Culture) }),
            });
            if (!result.IsValid)
            {
                var error = parse.InvocationConfiguration.Error;
                foreach (var e in result.Errors)
                {
                    await error.WriteLineAsync(text.ErrorLine(e.Describe(text.Culture)));
                }

                await error.WriteLineAsync(text.ErrorLine(text.Format(result.Errors.Count == 1 ? "Import.Refused.One" : "Import.Refused.Many", result.Errors.Count)));
                return RenewalsCli.BadInput;
            }

            if (!written)
            {
                Say(context, result.Stored
                    ? text.Format("Import.Stored", result.Rows, result.Accounts, result.Subscriptions, result.Milestones)
                    : text.Format("Import.Checked", result.Rows, result.Accounts, result.Subscriptions));
            }

            return RenewalsCli.Ok;
        });
        return command;
    }
}
