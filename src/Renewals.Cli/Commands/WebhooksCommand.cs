using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Access;
using Renewals.Core.Webhooks;
using Renewals.Data;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals webhooks add|list|remove</c>: the endpoints that hear what Renewals does (the web host delivers).</summary>
internal static class WebhooksCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var url = TextOption("--url", text["Webhooks.Url"], "url");
        var events = TextOption("--events", text.Format("Webhooks.Events", string.Join(",", WebhookEventTypes.All)), "types");
        var addFormat = Format(text);
        var add = new Command("add", text["Webhooks.Add.Description"]) { url, events, addFormat };
        CommonOptions.Require(add, text, url, events);
        add.SetAction(async (parse, ct) =>
        {
            var types = parse.GetValue(events)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var endpoint = await WithDbAsync(context, parse, db => Service(context, parse, db).AddAsync(new Actor.OperatorConsole(), new NewWebhookEndpoint(parse.GetValue(url)!, types), ct), ct);
            if (!WroteJson(parse, addFormat, endpoint))
            {
                Say(context, text.Format("Webhooks.Added", endpoint.Id, endpoint.Url, string.Join(", ", endpoint.EventTypes), endpoint.Secret));
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["Webhooks.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var endpoints = await WithDbAsync(context, parse, db => Service(context, parse, db).ListAsync(new Actor.OperatorConsole(), ct), ct);
            if (!WroteJson(parse, listFormat, new { endpoints }))
            {
                var table = Table(text, "Webhooks.Column.Id", "Webhooks.Column.Url", "Webhooks.Column.Events", "Webhooks.Column.Enabled",
                    "Webhooks.Column.Pending", "Webhooks.Column.Delivered", "Webhooks.Column.Failed");
                foreach (var e in endpoints)
                {
                    Row(table, Number(e.Id), e.Url, string.Join(",", e.EventTypes), YesNo(e.Enabled, text), Number(e.Pending), Number(e.Delivered), Number(e.Failed));
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });

        var id = IdArgument("id", text["Webhooks.Id"], text);
        var remove = new Command("remove", text["Webhooks.Remove.Description"]) { id };
        remove.SetAction(async (parse, ct) =>
        {
            var removed = parse.GetValue(id);
            await WithDbAsync(context, parse, async db =>
            {
                await Service(context, parse, db).RemoveAsync(new Actor.OperatorConsole(), removed, ct);
                return removed;
            }, ct);
            Say(context, text.Format("Webhooks.Removed", removed));
            return RenewalsCli.Ok;
        });

        return new Command("webhooks", text["Webhooks.Description"]) { add, list, remove };
    }

    private static WebhookAdminService Service(CliContext context, ParseResult parse, RenewalsDbContext db)
    {
        // Only a replay sends from here; the command line offers none, but the service takes the dispatcher.
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new WebhookAdminService(db, context.Clock, new WebhookDispatcher(context.Database(parse), http));
    }
}
