using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Subscriptions;
using Renewals.Data.Model;
using Renewals.Domain.Text;
using static Renewals.Cli.Commands.Operations;
using BillingMode = Renewals.Domain.Subscriptions.BillingMode;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals subscriptions add|list|show</c>: sell (or import) a subscription, list them, tell one's whole story.</summary>
internal static class SubscriptionsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("subscriptions", text["Subscriptions.Description"]) { Add(context), List(context), Show(context) };
    }

    private static Command Add(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Subscriptions.Account"], text);
        var lines = new Option<NewLine[]>("--line")
        {
            Description = text["Subscriptions.Line"],
            HelpName = "CODE:QUANTITY[:PRICE]",
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                var parsed = new List<NewLine>();
                foreach (var token in result.Tokens.Select(t => t.Value))
                {
                    if (ParseLine(token) is { } line)
                    {
                        parsed.Add(line);
                    }
                    else
                    {
                        result.AddError(text.Format("Subscriptions.Error.Line", token));
                        return [];
                    }
                }

                return [.. parsed];
            },
        };
        var currency = TextOption("--currency", text["Subscriptions.Currency"], "EUR");
        var start = CommonOptions.Date("--start", text["Subscriptions.Start"], text);
        var years = CommonOptions.Number("--years", text["Subscriptions.Years"], text);
        var billing = Choice("--billing", text["Subscriptions.Billing"], text, "yearly", "yearly", "upfront");
        var contract = CommonOptions.Id("--partner-contract", text["Subscriptions.PartnerContract"], text);
        var delivery = Choice("--licence-delivery", text["Subscriptions.LicenceDelivery"], text, "extend", "extend", "web-account");
        var import = new Option<bool>("--import") { Description = text["Subscriptions.Import"] };
        var format = Format(text);
        var add = new Command("add", text["Subscriptions.Add.Description"]) { account, lines, currency, start, years, billing, contract, delivery, import, format };
        CommonOptions.Require(add, text, account, lines, start, years);
        add.SetAction(async (parse, ct) =>
        {
            var lineCurrency = parse.GetValue(currency);
            var input = new NewSubscription(
                parse.GetValue(account)!.Value,
                parse.GetValue(start),
                parse.GetValue(years),
                [.. parse.GetValue(lines)!.Select(l => l with { Currency = lineCurrency ?? l.Currency })],
                parse.GetValue(billing) == "upfront" ? BillingMode.Upfront : BillingMode.Yearly,
                parse.GetValue(delivery) == "web-account" ? LicenceDelivery.AvailableInWebAccount : LicenceDelivery.ExtendAutomatically,
                PartnerContractId: parse.GetValue(contract));
            var isImport = parse.GetValue(import);
            var details = await WithScopeAsync(context, async services =>
            {
                var service = services.GetRequiredService<SubscriptionService>();
                var sold = isImport ? await service.ImportAsync(input, ct) : await service.SellAsync(input, ct);
                return await services.GetRequiredService<SubscriptionQueries>().ShowAsync(sold.Id, text.Culture, ct);
            }, ct);
            if (!WroteJson(parse, format, details))
            {
                var term = details.Terms[^1];
                Say(context, text.Format(isImport ? "Subscriptions.Imported" : "Subscriptions.Sold", details.Summary.Id, details.Summary.Account,
                    term.Number, Long(term.Start, text), Long(term.LastDay, text), Long(term.End, text)));
                if (details.RecommendedValidation)
                {
                    Say(context, NewToCustomerLine(details.NewToCustomer, text));
                }
            }

            return RenewalsCli.Ok;
        });
        return add;
    }

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Subscriptions.List.Account"], text);
        var format = Format(text);
        var list = new Command("list", text["Subscriptions.List.Description"]) { account, format };
        list.SetAction(async (parse, ct) =>
        {
            var subscriptions = await WithAsync(context, (SubscriptionQueries service) => service.ListAsync(parse.GetValue(account), ct), ct);
            if (!WroteJson(parse, format, new { subscriptions }))
            {
                var table = Table(text, "Subscriptions.Column.Id", "Subscriptions.Column.Account", "Subscriptions.Column.Start",
                    "Subscriptions.Column.Years", "Subscriptions.Column.Billing", "Subscriptions.Column.Term", "Subscriptions.Column.Status",
                    "Subscriptions.Column.Partner");
                foreach (var s in subscriptions)
                {
                    Row(table, Number(s.Id), s.Account, Iso(s.Start), Number(s.InitialTermYears), BillingText(s.Billing, text), Number(s.CurrentTermNumber),
                        StatusText(s.Status, s.EndsOn, text), s.Partner);
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });
        return list;
    }

    private static Command Show(CliContext context)
    {
        var text = context.Text;
        var id = IdArgument("subscription", text["Subscriptions.Id"], text);
        var format = Format(text);
        var show = new Command("show", text["Subscriptions.Show.Description"]) { id, format };
        show.SetAction(async (parse, ct) =>
        {
            var d = await WithAsync(context, (SubscriptionQueries service) => service.ShowAsync(parse.GetValue(id), text.Culture, ct), ct);
            if (WroteJson(parse, format, d))
            {
                return RenewalsCli.Ok;
            }

            var s = d.Summary;
            Say(context, text.Format("Subscriptions.Heading", s.Id, s.Account, text.Format(s.InitialTermYears == 1 ? "Ops.Years.One" : "Ops.Years.Many", s.InitialTermYears), Long(s.Start, text), d.TimeZoneId,
                BillingText(s.Billing, text), StatusText(s.Status, s.EndsOn, text)));
            if (d.PartnerContract is { } p)
            {
                Say(context, text.Format(p.FiledByPartnerOnly ? "Subscriptions.Partner.Only" : "Subscriptions.Partner", p.Partner, p.NoticeDays));
            }

            if (d.RecommendedValidation)
            {
                Say(context, NewToCustomerLine(d.NewToCustomer, text));
            }

            var lines = Table(text, "Subscriptions.Column.Product", "Subscriptions.Column.Family", "Subscriptions.Column.Quantity", "Subscriptions.Column.Price");
            foreach (var l in d.Lines)
            {
                Row(lines, $"{l.Product} ({l.ProductCode})", l.Family, Number(l.Quantity), MoneyText.Format(l.YearlyUnitPrice, l.Currency, text.Culture));
            }

            Write(context, lines);
            foreach (var term in d.Terms)
            {
                Say(context, text.Format("Subscriptions.Term", term.Number, Long(term.Start, text), Long(term.LastDay, text), Long(term.End, text)));
            }

            var dates = Table(text, "Subscriptions.Column.Date", "Subscriptions.Column.Term", "Subscriptions.Column.KeyDate",
                "Subscriptions.Column.Status", "Subscriptions.Column.Reason");
            foreach (var k in d.KeyDates)
            {
                Row(dates, Iso(k.Date), Number(k.TermNumber), k.Title, MilestoneStatusText(k.Status, k.Outcome, text), k.Reason);
            }

            Write(context, dates);
            if (d.Notices.Count == 0)
            {
                Say(context, text["Subscriptions.NoNotices"]);
            }

            foreach (var n in d.Notices)
            {
                Say(context, NoticesCommand.Describe(n, text));
            }

            Say(context, d.PurchaseOrders.Count == 0
                ? text["Subscriptions.NoPurchaseOrders"]
                : text.Format("Subscriptions.PurchaseOrders", string.Join(", ", d.PurchaseOrders.Select(o => PurchaseOrderText(o, text)))));
            var invoices = Table(text, "Invoices.Column.Number", "Invoices.Column.Issued", "Subscriptions.Column.Period", "Invoices.Column.Total",
                "Invoices.Column.PurchaseOrder");
            foreach (var i in d.Invoices)
            {
                Row(invoices, i.Number, Iso(i.IssuedOn), $"{Iso(i.PeriodStart)} – {Iso(i.PeriodEnd.PlusDays(-1))}", MoneyText.Format(i.Total, i.Currency, text.Culture),
                    i.PurchaseOrderNumber ?? text["Invoices.NoPurchaseOrder"]);
            }

            if (d.Invoices.Count > 0)
            {
                Write(context, invoices);
            }

            return RenewalsCli.Ok;
        });
        return show;
    }

    /// <summary><c>CODE:QUANTITY</c> or <c>CODE:QUANTITY:PRICE</c> (price with a decimal point).</summary>
    internal static NewLine? ParseLine(string token)
    {
        var parts = token.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
        {
            return null;
        }

        if (parts.Length == 2)
        {
            return new NewLine(parts[0], quantity);
        }

        return decimal.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price)
            ? new NewLine(parts[0], quantity, price)
            : null;
    }

    private static string NewToCustomerLine(NewToCustomer news, Text.CliText text)
    {
        var parts = new List<string>();
        if (news.Products.Count > 0)
        {
            parts.Add(text.Format("Tasks.NewProducts", string.Join(", ", news.Products)));
        }

        if (news.Families.Count > 0)
        {
            parts.Add(text.Format("Tasks.NewFamilies", string.Join(", ", news.Families)));
        }

        return text.Format("Subscriptions.RecommendedValidation", string.Join(text["Ops.Separator"], parts));
    }

    private static string PurchaseOrderText(PurchaseOrderView o, Text.CliText text)
    {
        var scope = o.SubscriptionId is null ? text["Subscriptions.Po.AccountWide"] : text["Subscriptions.Po.Subscription"];
        var period = o.ValidFrom is null && o.ValidUntil is null ? "" : $", {Iso(o.ValidFrom)} – {Iso(o.ValidUntil)}";
        return $"{o.Number} ({scope}{period})";
    }

    internal static string Long(NodaTime.LocalDate date, Text.CliText text) => DomainText.LongDate(date, text.Culture);

    private static string BillingText(BillingMode billing, Text.CliText text) => text[$"Subscriptions.Billing.{billing}"];

    private static string StatusText(SubscriptionStatus status, NodaTime.LocalDate? endsOn, Text.CliText text) =>
        endsOn is { } end ? text.Format($"Subscriptions.Status.{status}.On", Long(end, text)) : text[$"Subscriptions.Status.{status}"];

    private static string MilestoneStatusText(MilestoneStatus status, string? outcome, Text.CliText text) =>
        outcome is null ? text[$"Subscriptions.Milestone.{status}"] : $"{text[$"Subscriptions.Milestone.{status}"]} ({text[$"Outcome.{outcome}"]})";
}
