using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;
using Renewals.Core.Invoicing;
using Renewals.Domain.Invoicing;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals invoices list [--account N]</c>: the issued invoices;
/// <c>renewals invoices pdf NUMBER [--out FILE]</c>: one invoice as a PDF.
/// </summary>
internal static class InvoicesCommand
{
    public static Command Create(CliContext context) =>
        new("invoices", context.Text["Invoices.Description"]) { List(context), Pdf(context) };

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Invoices.List.Account"], text);

        var command = new Command("list", text["Invoices.List.Description"]) { account };
        command.SetAction(async (parse, ct) =>
        {
            var database = context.Database(parse);
            await EngineDays.RequireMigratedAsync(database, text, ct);
            await using var db = database.CreateContext();
            var accountId = parse.GetValue(account);
            if (accountId is { } id && !await db.Accounts.AnyAsync(a => a.Id == id, ct))
            {
                throw new UsageException(text.Format("Error.AccountUnknown", id, DbCommand.Describe(database)));
            }

            var invoices = await InvoiceList.ListAsync(db, accountId, ct);
            // Amounts in the operator's language; dates in tables are ISO (ADR 002).
            var culture = InvoiceFormat.Culture(text.Culture.TwoLetterISOLanguageName);
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(new TableColumn(text["Invoices.Column.Number"]).NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.Issued"]).NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.Account"]));
            table.AddColumn(new TableColumn(text["Invoices.Column.Total"]).RightAligned().NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.PurchaseOrder"]).NoWrap());
            foreach (var invoice in invoices)
            {
                table.AddRow(
                    Markup.Escape(invoice.Number),
                    LocalDatePattern.Iso.Format(invoice.IssuedOn),
                    Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{invoice.AccountName} (#{invoice.AccountId})")),
                    Markup.Escape(InvoiceFormat.Money(invoice.Total, invoice.Currency, culture)),
                    Markup.Escape(invoice.PurchaseOrderNumber ?? text["Invoices.NoPurchaseOrder"]));
            }

            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape(text.Format("Invoices.Count", invoices.Count)));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Pdf(CliContext context)
    {
        var text = context.Text;
        var number = new Argument<string>("number") { Description = text["Invoices.Pdf.Number"], HelpName = "INV-yyyy-nnnnnn" };
        var output = new Option<string?>("--out") { Description = text["Invoices.Pdf.Out"], HelpName = "file" };

        var command = new Command("pdf", text["Invoices.Pdf.Description"]) { number, output };
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(number) ?? "";
            if (!InvoiceNumber.TryParse(requested, out var parsed))
            {
                throw new UsageException(text.Format("Error.InvoiceNumber", requested));
            }

            var database = context.Database(parse);
            await EngineDays.RequireMigratedAsync(database, text, ct);
            InvoiceDocument? document;
            await using (var db = database.CreateContext())
            {
                document = await InvoiceDocuments.LoadByNumberAsync(db, requested, ct);
            }

            if (document is null)
            {
                throw new UsageException(text.Format("Error.InvoiceUnknown", parsed, DbCommand.Describe(database)));
            }

            var file = Target(parse.GetValue(output), document.Number);
            // Rendered before the file is opened: a failure leaves nothing on disk.
            var pdf = InvoicePdf.Render(document);
            try
            {
                await File.WriteAllBytesAsync(file, pdf, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException(text.Format("Error.CannotWrite", file, e.Message));
            }

            context.Console.MarkupLine(Markup.Escape(text.Format("Invoices.Pdf.Written", document.Number, file, pdf.Length)));
            return RenewalsCli.Ok;
        });
        return command;
    }

    /// <summary>--out as given; a folder gets NUMBER.pdf inside it; no --out gives NUMBER.pdf in the current folder.</summary>
    private static string Target(string? output, string number)
    {
        var fileName = number + ".pdf";
        if (string.IsNullOrWhiteSpace(output))
        {
            return Path.GetFullPath(fileName);
        }

        var path = Path.GetFullPath(output);
        return Directory.Exists(path) ? Path.Combine(path, fileName) : path;
    }
}
