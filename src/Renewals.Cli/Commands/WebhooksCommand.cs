using System.CommandLine;
using Renewals.Core.Access;
using Renewals.Core.Webhooks;
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
            var endpoint = await WithAsync(context, (WebhookAdminService service) => service.AddAsync(new Actor.OperatorConsole(), new NewWebhookEndpoint(parse.GetValue(url)!, types), ct), ct);
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
            var endpoints = await WithAsync(context, (WebhookAdminService service) => service.ListAsync(new Actor.OperatorConsole(), ct), ct);
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
            await WithAsync(context, async (WebhookAdminService service) =>
            {
                await service.RemoveAsync(new Actor.OperatorConsole(), removed, ct);
                return removed;
            }, ct);
            Say(context, text.Format("Webhooks.Removed", removed));
            return RenewalsCli.Ok;
        });

        return new Command("webhooks", text["Webhooks.Description"]) { add, list, remove };
    }
}
