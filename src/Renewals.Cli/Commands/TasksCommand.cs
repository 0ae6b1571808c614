using System.CommandLine;
using Renewals.Core.Tasks;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals tasks list</c>: advisor tasks. With --advisor, that advisor's tasks and the
/// unassigned queue (accounts without an advisor), marked as such; --unassigned, the queue alone.
/// </summary>
internal static class TasksCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var advisor = CommonOptions.Id("--advisor", text["Tasks.Advisor"], text);
        var unassigned = new Option<bool>("--unassigned") { Description = text["Tasks.Unassigned"] };
        var all = new Option<bool>("--all") { Description = text["Tasks.All"] };
        var format = Format(text);
        var list = new Command("list", text["Tasks.List.Description"]) { advisor, unassigned, all, format };
        list.Validators.Add(result =>
        {
            if (result.GetResult(advisor) is not null && result.GetValue(unassigned))
            {
                result.AddError(text["Tasks.Error.AdvisorOrUnassigned"]);
            }
        });
        list.SetAction(async (parse, ct) =>
        {
            var tasks = await WithAsync(context, (TaskService service) => service.ListAsync(
                parse.GetValue(advisor), parse.GetValue(unassigned), parse.GetValue(all), ct), ct);
            if (!WroteJson(parse, format, new { tasks }))
            {
                var table = Table(text, "Tasks.Column.Id", "Tasks.Column.Due", "Tasks.Column.Advisor", "Tasks.Column.Account",
                    "Tasks.Column.Subscription", "Tasks.Column.Kind", "Tasks.Column.Details");
                foreach (var t in tasks)
                {
                    Row(table, Number(t.Id), Iso(t.DueOn), t.Unassigned ? text["Tasks.UnassignedMark"] : t.Advisor, t.Account,
                        t.SubscriptionId is { } s ? Number(s) : "", text[$"TaskKind.{t.Kind}"], Details(t, text));
                }

                Write(context, table);
                Say(context, text.Format("Tasks.Count", tasks.Count, tasks.Count(t => t.Unassigned)));
            }

            return RenewalsCli.Ok;
        });

        return new Command("tasks", text["Tasks.Description"]) { list };
    }

    private static string Details(TaskView task, Text.CliText text)
    {
        var parts = new List<string>();
        if (task.RecommendedValidation)
        {
            parts.Add(text["Tasks.RecommendedValidation"]);
        }

        if (task.NewToCustomer.Products.Count > 0)
        {
            parts.Add(text.Format("Tasks.NewProducts", string.Join(", ", task.NewToCustomer.Products)));
        }

        if (task.NewToCustomer.Families.Count > 0)
        {
            parts.Add(text.Format("Tasks.NewFamilies", string.Join(", ", task.NewToCustomer.Families)));
        }

        if (parts.Count == 0 && task.Kind != TaskService.CheckInKind && task.Details is { } details)
        {
            parts.Add(details);
        }

        return string.Join(text["Ops.Separator"], parts);
    }
}
