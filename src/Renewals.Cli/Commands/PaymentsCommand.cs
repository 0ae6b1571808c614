using System.CommandLine;
using Renewals.Core.Access;
using Renewals.Core.Payments;
using Renewals.Domain.Payments;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals payments import FILE|list</c>: a bank statement matched to invoices, and the payments recorded.</summary>
internal static class PaymentsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var operatorConsole = new Actor.OperatorConsole();

        var file = new Argument<string>("file") { Description = text["Payments.File"], HelpName = "FILE" };
        var importFormat = Format(text);
        var import = new Command("import", text["Payments.Import.Description"]) { file, importFormat };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException(text.Format("Import.Error.NoFile", path));
            }

            await EngineDays.RequireMigratedAsync(context.Database, text, ct);
            var bytes = await File.ReadAllBytesAsync(path, ct);
            StatementResult result;
            try
            {
                result = await WithAsync(context, (StatementImport statements) => statements.ImportAsync(operatorConsole, path, bytes, ct), ct);
            }
            catch (StatementRefusedException refused)
            {
                WroteJson(parse, importFormat, new
                {
                    stored = false,
                    errors = refused.Errors.Select(e => new { e.Line, e.Column, e.Code, Message = e.Describe(text.Culture) }),
                });
                var error = parse.InvocationConfiguration.Error;
                foreach (var e in refused.Errors)
                {
                    await error.WriteLineAsync(text.ErrorLine(e.Describe(text.Culture)));
                }

                await error.WriteLineAsync(text.ErrorLine(text.Format("Payments.Refused", refused.Errors.Count)));
                return RenewalsCli.BadInput;
            }

            if (!WroteJson(parse, importFormat, new
                {
                    stored = true, result.Matched, result.Unmatched, result.AlreadyImported,
                    lines = result.Lines.Select(l => new
                    {
                        l.Line, l.TransactionId, bookedOn = Iso(l.BookedOn), l.Amount, l.Currency, l.Reference, outcome = Outcome(l.Outcome), l.Reason, l.Invoices,
                    }),
                }))
            {
                var table = Table(text, "Payments.Column.Line", "Payments.Column.Transaction", "Payments.Column.Date", "Payments.Column.Amount",
                    "Payments.Column.Reference", "Payments.Column.Outcome");
                foreach (var l in result.Lines)
                {
                    Row(table, Number(l.Line), l.TransactionId, Iso(l.BookedOn), Money(l.Amount, l.Currency), l.Reference,
                        text[$"Payments.Outcome.{l.Outcome}"] + (l.Reason is null ? "" : $" ({l.Reason})"));
                }

                Write(context, table);
                Say(context, text.Format("Payments.Imported", result.Matched, result.Unmatched, result.AlreadyImported));
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["Payments.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var payments = await WithAsync(context, (PaymentService service) => service.PaymentsAsync(operatorConsole, 1000, ct), ct);
            var unmatched = await WithAsync(context, (PaymentService service) => service.UnmatchedAsync(operatorConsole, ct), ct);
            if (!WroteJson(parse, listFormat, new
                {
                    payments = payments.Select(p => new
                    {
                        p.Id, receivedOn = Iso(p.ReceivedOn), p.Amount, p.Currency, p.Reference, p.Source, p.RecordedBy, reversed = p.Reversal?.Reason,
                        allocations = p.Allocations.Select(a => new { invoice = a.InvoiceNumber, a.Amount, status = InvoiceStanding.Code(a.StatusAfter) }),
                    }),
                    unmatched = unmatched.Select(u => new { u.Id, u.TransactionId, bookedOn = Iso(u.BookedOn), u.Amount, u.Currency, u.Reference, u.Reason }),
                }))
            {
                var table = Table(text, "Payments.Column.Id", "Payments.Column.Date", "Payments.Column.Amount", "Payments.Column.Reference",
                    "Payments.Column.Source", "Payments.Column.Invoices");
                foreach (var p in payments)
                {
                    Row(table, Number(p.Id), Iso(p.ReceivedOn), Money(p.Amount, p.Currency)
                        + (p.Reversal is { } r ? " " + text.Format("Payments.ReversedMark", r.Reason) : ""), p.Reference, p.Source,
                        string.Join(", ", p.Allocations.Select(a => $"{a.InvoiceNumber} {Money(a.Amount, p.Currency)} ({InvoiceStanding.Describe(a.StatusAfter, text.Culture)})")));
                }

                Write(context, table);
                Say(context, text.Format("Payments.Unmatched", unmatched.Count));
                foreach (var u in unmatched)
                {
                    Say(context, $"  #{Number(u.Id)} {u.TransactionId} · {Iso(u.BookedOn)} · {Money(u.Amount, u.Currency)} · {u.Reference} · {u.Reason}");
                }
            }

            return RenewalsCli.Ok;
        });

        return new Command("payments", text["Payments.Description"]) { import, list, Reverse(context), Dismiss(context) };
    }

    /// <summary><c>renewals payments reverse --payment ID --reason TEXT</c>: a bounced payment taken back; its invoices owe again.</summary>
    private static Command Reverse(CliContext context)
    {
        var text = context.Text;
        var id = CommonOptions.Id("--payment", text["Payments.Id"], text);
        var reason = new Option<string>("--reason") { Description = text["Payments.Reverse.Reason"] };
        var format = Format(text);
        var reverse = new Command("reverse", text["Payments.Reverse.Description"]) { id, reason, format };
        CommonOptions.Require(reverse, text, id, reason);
        reverse.SetAction(async (parse, ct) =>
        {
            var reversed = await WithAsync(context, (PaymentService s) => s.ReverseAsync(new Actor.OperatorConsole(), parse.GetValue(id)!.Value, parse.GetValue(reason), ct), ct);
            if (!WroteJson(parse, format, new
                {
                    reversed.Id, reversed.Amount, reversed.Currency, reason = reversed.Reversal?.Reason,
                    invoices = reversed.Allocations.Select(a => new { invoice = a.InvoiceNumber, a.Amount, status = InvoiceStanding.Code(a.StatusAfter) }),
                }))
            {
                Say(context, text.Format("Payments.Reversed", reversed.Id, Money(reversed.Amount, reversed.Currency),
                    string.Join(", ", reversed.Allocations.Select(a => $"{a.InvoiceNumber} ({InvoiceStanding.Describe(a.StatusAfter, text.Culture)})"))));
            }

            return RenewalsCli.Ok;
        });
        return reverse;
    }

    /// <summary><c>renewals payments dismiss --line ID --reason TEXT</c>: an unmatched statement line set aside.</summary>
    private static Command Dismiss(CliContext context)
    {
        var text = context.Text;
        var id = CommonOptions.Id("--line", text["Payments.LineId"], text);
        var reason = new Option<string>("--reason") { Description = text["Payments.Dismiss.Reason"] };
        var format = Format(text);
        var dismiss = new Command("dismiss", text["Payments.Dismiss.Description"]) { id, reason, format };
        CommonOptions.Require(dismiss, text, id, reason);
        dismiss.SetAction(async (parse, ct) =>
        {
            var line = parse.GetValue(id)!.Value;
            await WithAsync(context, async (PaymentService s) =>
            {
                await s.DismissLineAsync(new Actor.OperatorConsole(), line, parse.GetValue(reason), ct);
                return true;
            }, ct);
            if (!WroteJson(parse, format, new { line, dismissed = true }))
            {
                Say(context, text.Format("Payments.Dismissed", line));
            }

            return RenewalsCli.Ok;
        });
        return dismiss;
    }

    private static string Outcome(StatementOutcome outcome) => outcome switch
    {
        StatementOutcome.Matched => "matched",
        StatementOutcome.Unmatched => "unmatched",
        StatementOutcome.AlreadyImported => "already-imported",
    };

    private static string Money(decimal amount, string currency) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{amount:0.00} {currency}");
}
