using System.CommandLine;
using Renewals.Core.Export;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals export pipeline|subscriptions|invoices [--out FILE]</c>: the book as CSV, to the
/// console or a file. The subscriptions file is in the import layout.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("export", text["Export.Description"])
        {
            Kind(context, "pipeline", ExportKind.Pipeline, "Export.Pipeline"),
            Kind(context, "subscriptions", ExportKind.Subscriptions, "Export.Subscriptions"),
            Kind(context, "invoices", ExportKind.Invoices, "Export.Invoices"),
        };
    }

    private static Command Kind(CliContext context, string name, ExportKind kind, string descriptionKey)
    {
        var text = context.Text;
        var output = new Option<string?>("--out") { Description = text["Export.Out"], HelpName = "FILE" };
        var command = new Command(name, text[descriptionKey]) { output };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(output);
            await using var buffer = new MemoryStream();
            await WithAsync(context, async (BookExport export) =>
            {
                await export.WriteAsync(kind, buffer, ct);
                return true;
            }, ct);
            if (path is null)
            {
                await parse.InvocationConfiguration.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                return RenewalsCli.Ok;
            }

            try
            {
                await File.WriteAllBytesAsync(path, buffer.ToArray(), ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException(text.Format("Export.Error.Write", path, e.Message));
            }

            Say(context, text.Format("Export.Written", path));
            return RenewalsCli.Ok;
        });
        return command;
    }
}
