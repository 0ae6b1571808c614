using System.CommandLine;
using System.Globalization;
using Renewals.Core.Access;
using Renewals.Core.Amendments;
using Renewals.Domain.Text;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals amendments list|propose|confirm|withdraw</c>: the operator's hand on amendments
/// of a subscription's coming term, through the same service as the advisor's page and the API.
/// The operator sees everything and may override the deadline with a reason.
/// </summary>
internal static class AmendmentsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("amendments", text["Amendments.Description"]) { List(context), Propose(context), Confirm(context), Withdraw(context) };
    }

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var subscription = CommonOptions.Id("--subscription", text["Amendments.Subscription"], text);
        var format = Format(text);
        var list = new Command("list", text["Amendments.List.Description"]) { subscription, format };
        CommonOptions.Require(list, text, subscription);
        list.SetAction(async (parse, ct) =>
        {
            var amendments = await WithAsync(context, (AmendmentService s) => s.ListAsync(new Actor.OperatorConsole(), parse.GetValue(subscription)!.Value, ct), ct);
            if (!WroteJson(parse, format, new { amendments }))
            {
                Print(context, amendments);
            }

            return RenewalsCli.Ok;
        });
        return list;
    }

    private static Command Propose(CliContext context)
    {
        var text = context.Text;
        var subscription = CommonOptions.Id("--subscription", text["Amendments.Subscription"], text);
        var lines = new Option<AmendLine[]>("--line")
        {
            Description = text["Amendments.Line"],
            HelpName = "CODE:QUANTITY[:PRICE[:DISCOUNT]]",
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                var parsed = new List<AmendLine>();
                foreach (var token in result.Tokens.Select(t => t.Value))
                {
                    if (ParseLine(token) is not { } line)
                    {
                        result.AddError(text.Format("Amendments.Error.Line", token));
                        return [];
                    }

                    parsed.Add(line);
                }

                return [.. parsed];
            },
        };
        var reason = new Option<string>("--reason") { Description = text["Amendments.Reason"] };
        var overrideReason = new Option<string>("--override-reason") { Description = text["Amendments.OverrideReason"] };
        var years = new Option<int?>("--years") { Description = text["Amendments.Years"], HelpName = "YEARS" };
        var format = Format(text);
        var propose = new Command("propose", text["Amendments.Propose.Description"]) { subscription, lines, reason, overrideReason, years, format };
        CommonOptions.Require(propose, text, subscription, lines, reason);
        propose.SetAction(async (parse, ct) =>
        {
            var made = await WithAsync(context, (AmendmentService s) => s.ProposeAsync(new Actor.OperatorConsole(), parse.GetValue(subscription)!.Value,
                new AmendmentRequest(parse.GetValue(lines)!, parse.GetValue(reason), parse.GetValue(overrideReason), parse.GetValue(years)), ct), ct);
            if (!WroteJson(parse, format, made))
            {
                Say(context, text.Format("Amendments.Proposed", made.Id, made.SubscriptionId, made.TermNumber));
                Print(context, [made]);
            }

            return RenewalsCli.Ok;
        });
        return propose;
    }

    private static Command Confirm(CliContext context)
    {
        var text = context.Text;
        var id = CommonOptions.Id("--amendment", text["Amendments.Id"], text);
        var order = new Option<string>("--signed-order") { Description = text["Amendments.SignedOrder"] };
        var format = Format(text);
        var confirm = new Command("confirm", text["Amendments.Confirm.Description"]) { id, order, format };
        CommonOptions.Require(confirm, text, id, order);
        confirm.SetAction(async (parse, ct) =>
        {
            var confirmed = await WithAsync(context, (AmendmentService s) => s.ConfirmBySignedOrderAsync(new Actor.OperatorConsole(), parse.GetValue(id)!.Value,
                parse.GetValue(order), ct), ct);
            if (!WroteJson(parse, format, confirmed))
            {
                Say(context, text.Format("Amendments.Confirmed", confirmed.Id, confirmed.SignedOrderReference ?? ""));
            }

            return RenewalsCli.Ok;
        });
        return confirm;
    }

    private static Command Withdraw(CliContext context)
    {
        var text = context.Text;
        var id = CommonOptions.Id("--amendment", text["Amendments.Id"], text);
        var format = Format(text);
        var withdraw = new Command("withdraw", text["Amendments.Withdraw.Description"]) { id, format };
        CommonOptions.Require(withdraw, text, id);
        withdraw.SetAction(async (parse, ct) =>
        {
            var withdrawn = await WithAsync(context, (AmendmentService s) => s.WithdrawAsync(new Actor.OperatorConsole(), parse.GetValue(id)!.Value, ct), ct);
            if (!WroteJson(parse, format, withdrawn))
            {
                Say(context, text.Format("Amendments.Withdrawn", withdrawn.Id));
            }

            return RenewalsCli.Ok;
        });
        return withdraw;
    }

    private static void Print(CliContext context, IEnumerable<AmendmentView> amendments)
    {
        var text = context.Text;
        var table = Table(text, "Amendments.Column.Id", "Amendments.Column.Term", "Amendments.Column.Status", "Amendments.Column.Made",
            "Amendments.Column.Lines", "Amendments.Column.Reason");
        foreach (var a in amendments)
        {
            Row(table, Number(a.Id), a.RenewalYears == 1 ? $"{a.TermNumber} ({Iso(a.TermStart)})" : $"{a.TermNumber} ({Iso(a.TermStart)}, {text.Format("Amendments.TermYears", a.RenewalYears)})", text[$"Amendments.Status.{a.Status}"], $"{Iso(a.MadeOn)} {a.MadeBy}",
                string.Join(", ", a.Lines.Select(l => $"{l.ProductCode} × {l.Quantity} {MoneyText.Format(l.NetYearlyUnitPrice, l.Currency, text.Culture)}")),
                a.DeadlineOverrideReason is { } why ? $"{a.Reason} ({why})" : a.Reason);
        }

        Write(context, table);
    }

    /// <summary><c>CODE:QUANTITY</c>, with a yearly unit price and a discount in percent if wanted (decimal points).</summary>
    internal static AmendLine? ParseLine(string token)
    {
        var parts = token.Split(':');
        if (parts.Length is < 2 or > 4 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
        {
            return null;
        }

        decimal? price = null;
        if (parts.Length >= 3 && parts[2].Length > 0)
        {
            if (!decimal.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p))
            {
                return null;
            }

            price = p;
        }

        var discount = 0m;
        if (parts.Length == 4 && !decimal.TryParse(parts[3], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out discount))
        {
            return null;
        }

        return new AmendLine(parts[0], quantity, price, discount);
    }
}
