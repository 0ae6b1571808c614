using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using NodaTime.Text;
using Renewals.Core.Invoicing;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals po add|list</c>: the purchase-order numbers customers register for their invoices.</summary>
internal static class PurchaseOrdersCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Po.Account"], text);
        var number = new Option<string>("--number") { Description = text["Po.Number"], HelpName = "text" };
        var subscription = CommonOptions.Id("--subscription", text["Po.Subscription"], text);
        var from = CommonOptions.Date("--from", text["Po.From"], text);
        var until = CommonOptions.Date("--until", text["Po.Until"], text);
        var amount = new Option<decimal?>("--amount")
        {
            Description = text["Po.Amount"],
            HelpName = "1234.50",
            CustomParser = result =>
            {
                var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (decimal.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError(text.Format("Error.Amount", "--amount", token));
                return null;
            },
        };

        var format = Format(text);
        var add = new Command("add", text["Po.Add.Description"]) { account, number, subscription, from, until, amount, format };
        CommonOptions.Require(add, text, account, number);
        add.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            await using var scope = context.Services.CreateAsyncScope();
            var order = await scope.ServiceProvider.GetRequiredService<PurchaseOrderService>().RegisterAsync(new NewPurchaseOrder(
                parse.GetValue(account)!.Value,
                parse.GetValue(number)!,
                parse.GetValue(subscription),
                parse.GetResult(from) is null ? null : parse.GetValue(from),
                parse.GetResult(until) is null ? null : parse.GetValue(until),
                parse.GetValue(amount)), "operator", ct);
            var covered = await scope.ServiceProvider.GetRequiredService<InvoiceReissue>().CoveredByAsync(order.Id, ct);
            if (parse.GetValue(format) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new { PurchaseOrder = Json(order), Reissuable = covered }, JsonOptions));
                return RenewalsCli.Ok;
            }

            context.Console.WriteLine(text.Format("Po.Registered", order.Number, order.AccountId, Period(order.ValidFrom, order.ValidUntil, text)));
            // What the new order lets the operator put right: invoices already issued without one.
            if (covered.Count > 0)
            {
                var culture = InvoiceFormat.Culture(text.Culture.TwoLetterISOLanguageName);
                context.Console.WriteLine(text.Format("Po.Covers", order.Number, covered.Count));
                foreach (var invoice in covered)
                {
                    // A sentence, not a table: dates written out in the operator's language.
                    context.Console.WriteLine(text.Format("Po.Covers.Invoice", invoice.Number, InvoiceFormat.Date(invoice.IssuedOn, culture),
                        InvoiceFormat.Date(invoice.Period.Start, culture), InvoiceFormat.Date(invoice.Period.LastDay, culture),
                        InvoiceFormat.Money(invoice.Total, invoice.Currency, culture)));
                }

                context.Console.WriteLine(text.Format("Po.Covers.Reissue", covered[0].Number));
            }

            return RenewalsCli.Ok;
        });

        var listAccount = CommonOptions.Id("--account", text["Po.Account"], text);
        var listFormat = Format(text);
        var list = new Command("list", text["Po.List.Description"]) { listAccount, listFormat };
        CommonOptions.Require(list, text, listAccount);
        list.SetAction(async (parse, ct) =>
        {
            var database = context.Database;
            await EngineDays.RequireMigratedAsync(database, text, ct);
            await using var db = await context.NewDbContextAsync(ct);
            var id = parse.GetValue(listAccount)!.Value;
            var orders = await db.PurchaseOrders.AsNoTracking().Where(p => p.AccountId == id).OrderBy(p => p.Id).ToListAsync(ct);
            if (parse.GetValue(listFormat) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(orders.Select(Json).ToList(), JsonOptions));
                return RenewalsCli.Ok;
            }

            var table = new Table().AddColumns(text["Po.Column.Number"], text["Po.Column.Subscription"], text["Po.Column.Period"], text["Po.Column.Amount"]);
            foreach (var o in orders)
            {
                table.AddRow(Markup.Escape(o.Number), o.SubscriptionId?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(Period(o.ValidFrom, o.ValidUntil, text)), o.Amount?.ToString("N2", text.Culture) ?? "");
            }

            context.Console.Write(table);
            return RenewalsCli.Ok;
        });

        return new Command("po", text["Po.Description"]) { add, list };
    }

    private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    private static Option<string> Format(Text.CliText text)
    {
        var format = new Option<string>("--format") { Description = text["Option.Format"], DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    /// <summary>An order as the JSON output shows it; <c>validUntil</c> is the day after the last day covered, as stored.</summary>
    private static PurchaseOrderJson Json(Data.Model.PurchaseOrder o) =>
        new(o.Id, o.AccountId, o.SubscriptionId, o.Number, o.ValidFrom, o.ValidUntil, o.Amount, o.RegisteredAt);

    private sealed record PurchaseOrderJson(
        long Id, long AccountId, long? SubscriptionId, string Number, LocalDate? ValidFrom, LocalDate? ValidUntil, decimal? Amount, Instant RegisteredAt);

    /// <summary>The period in prose, first and last day included (rule 8); an open end in words.</summary>
    private static string Period(LocalDate? from, LocalDate? until, Text.CliText text) => (from, until) switch
    {
        ({ } f, { } u) => Renewals.Domain.Text.PeriodText.Format(f, u, text.Culture),
        ({ } f, null) => text.Format("Po.Period.From", Renewals.Domain.Text.DomainText.LongDate(f, text.Culture)),
        (null, { } u) => text.Format("Po.Period.Until", Renewals.Domain.Text.DomainText.LongDate(Renewals.Domain.Text.PeriodText.LastDay(u), text.Culture)),
        _ => text["Po.Period.Open"],
    };
}
