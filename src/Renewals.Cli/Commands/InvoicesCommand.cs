using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using NodaTime.Text;
using Renewals.Core.Invoicing;
using Renewals.Domain.Invoicing;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals invoices list [--account N]</c>: the issued invoices and credit notes;
/// <c>renewals invoices pdf NUMBER [--out FILE]</c>: one invoice or credit note as a PDF;
/// <c>renewals invoices reissue NUMBER</c>: a credit note cancels an invoice issued without
/// the purchase order that now covers it, and a new invoice carries the order.
/// </summary>
internal static class InvoicesCommand
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static Command Create(CliContext context) =>
        new("invoices", context.Text["Invoices.Description"]) { List(context), Pdf(context), Reissue(context) };

    private static Option<string> Format(Text.CliText text)
    {
        var format = new Option<string>("--format") { Description = text["Option.Format"], DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Invoices.List.Account"], text);
        var format = Format(text);

        var command = new Command("list", text["Invoices.List.Description"]) { account, format };
        command.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            await using var db = await context.NewDbContextAsync(ct);
            var accountId = parse.GetValue(account);
            if (accountId is { } id && !await db.Accounts.AnyAsync(a => a.Id == id, ct))
            {
                throw new UsageException(text.Format("Error.AccountUnknown", id, DbCommand.Describe(database)));
            }

            var invoices = await InvoiceList.ListAsync(db, accountId, ct);
            if (parse.GetValue(format) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(invoices, Json));
                return RenewalsCli.Ok;
            }

            // Amounts in the operator's language; dates in tables are ISO (ADR 002).
            var culture = InvoiceFormat.Culture(text.Culture.TwoLetterISOLanguageName);
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(new TableColumn(text["Invoices.Column.Number"]).NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.Issued"]).NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.Account"]));
            table.AddColumn(new TableColumn(text["Invoices.Column.Total"]).RightAligned().NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.PurchaseOrder"]).NoWrap());
            table.AddColumn(new TableColumn(text["Invoices.Column.Notes"]));
            foreach (var invoice in invoices)
            {
                var credit = invoice.Kind == InvoiceDocumentKind.CreditNote;
                table.AddRow(
                    Markup.Escape(invoice.Number),
                    LocalDatePattern.Iso.Format(invoice.IssuedOn),
                    Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{invoice.AccountName} (#{invoice.AccountId})")),
                    // A credit note's total is already negative: what it takes back.
                    Markup.Escape(InvoiceFormat.Money(invoice.Total, invoice.Currency, culture)),
                    Markup.Escape(credit ? "" : invoice.PurchaseOrderNumber ?? text["Invoices.NoPurchaseOrder"]),
                    Markup.Escape(Notes(invoice, text)));
            }

            context.Console.Write(table);
            context.Console.MarkupLine(Markup.Escape(text.Format("Invoices.Count",
                invoices.Count(i => i.Kind == InvoiceDocumentKind.Invoice), invoices.Count(i => i.Kind == InvoiceDocumentKind.CreditNote))));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static string Notes(InvoiceSummary invoice, Text.CliText text)
    {
        if (invoice.Kind == InvoiceDocumentKind.CreditNote)
        {
            return text.Format("Invoices.Note.Cancels", invoice.Cancels ?? "?");
        }

        List<string> notes = [];
        if (invoice.Replaces is { } replaced)
        {
            notes.Add(text.Format("Invoices.Note.Replaces", replaced));
        }

        if (invoice.CancelledBy is { } credit)
        {
            notes.Add(text.Format("Invoices.Note.CancelledBy", credit));
        }

        return string.Join("; ", notes);
    }

    private static Command Pdf(CliContext context)
    {
        var text = context.Text;
        var number = new Argument<string>("number") { Description = text["Invoices.Pdf.Number"], HelpName = "INV-yyyy-nnnnnn|CN-yyyy-nnnnnn" };
        var output = new Option<string?>("--out") { Description = text["Invoices.Pdf.Out"], HelpName = "file" };

        var command = new Command("pdf", text["Invoices.Pdf.Description"]) { number, output };
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(number) ?? "";
            var isInvoice = InvoiceNumber.TryParse(requested, out var invoiceNumber);
            var isCreditNote = CreditNoteNumber.TryParse(requested, out var creditNumber);
            if (!isInvoice && !isCreditNote)
            {
                throw new UsageException(text.Format("Error.DocumentNumber", requested));
            }

            var seller = context.Seller;
            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            string documentNumber;
            byte[] pdf;
            await using (var db = await context.NewDbContextAsync(ct))
            {
                // Rendered before the file is opened: a failure leaves nothing on disk.
                if (isInvoice)
                {
                    var document = await InvoiceDocuments.LoadByNumberAsync(db, requested, seller, ct)
                        ?? throw new UsageException(text.Format("Error.InvoiceUnknown", invoiceNumber, DbCommand.Describe(database)));
                    (documentNumber, pdf) = (document.Number, InvoicePdf.Render(document));
                }
                else
                {
                    var document = await CreditNoteDocuments.LoadByNumberAsync(db, requested, seller, ct)
                        ?? throw new UsageException(text.Format("Error.CreditNoteUnknown", creditNumber, DbCommand.Describe(database)));
                    (documentNumber, pdf) = (document.Number, CreditNotePdf.Render(document));
                }
            }

            var file = Target(parse.GetValue(output), documentNumber);
            try
            {
                await File.WriteAllBytesAsync(file, pdf, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException(text.Format("Error.CannotWrite", file, e.Message));
            }

            context.Console.MarkupLine(Markup.Escape(text.Format(isInvoice ? "Invoices.Pdf.Written" : "Invoices.Pdf.WrittenCreditNote", documentNumber, file, pdf.Length)));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Reissue(CliContext context)
    {
        var text = context.Text;
        var number = new Argument<string>("number") { Description = text["Invoices.Reissue.Number"], HelpName = "INV-yyyy-nnnnnn" };
        var format = Format(text);

        var command = new Command("reissue", text["Invoices.Reissue.Description"]) { number, format };
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(number) ?? "";
            if (!InvoiceNumber.TryParse(requested, out _))
            {
                throw new UsageException(text.Format("Error.InvoiceNumber", requested));
            }

            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            var done = await context.UseAsync((InvoiceReissue reissue) => reissue.ReissueAsync(requested, "operator", ct));
            if (parse.GetValue(format) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(done, Json));
                return RenewalsCli.Ok;
            }

            var culture = InvoiceFormat.Culture(text.Culture.TwoLetterISOLanguageName);
            context.Console.WriteLine(text.Format("Invoices.Reissue.Done", done.CancelledInvoice, done.CreditNote, done.NewInvoice,
                done.PurchaseOrderNumber, InvoiceFormat.Money(done.Total, done.Currency, culture), done.SentTo));
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
