using System.CommandLine;
using Renewals.Core.Accounts;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals advisors add|list</c>: the renewal advisors that accounts name and tasks go to.</summary>
internal static class AdvisorsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var name = TextOption("--name", text["Advisors.Name"]);
        var email = TextOption("--email", text["Advisors.Email"], "address");
        var language = Choice("--language", text["Advisors.Language"], text, "en", "fr", "en");
        var addFormat = Format(text);
        var add = new Command("add", text["Advisors.Add.Description"]) { name, email, language, addFormat };
        CommonOptions.Require(add, text, name, email);
        add.SetAction(async (parse, ct) =>
        {
            var advisor = await WithAsync(context, (AdvisorService service) => service.AddAsync(
                new NewAdvisor(parse.GetValue(name)!, parse.GetValue(email)!, parse.GetValue(language)!), ct), ct);
            if (!WroteJson(parse, addFormat, advisor))
            {
                Say(context, text.Format("Advisors.Added", advisor.Id, advisor.Name, advisor.Email, advisor.Language));
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["Advisors.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var advisors = await WithAsync(context, (AdvisorService service) => service.ListAsync(ct), ct);
            if (!WroteJson(parse, listFormat, new { advisors }))
            {
                var table = Table(text, "Advisors.Column.Id", "Advisors.Column.Name", "Advisors.Column.Email", "Advisors.Column.Language", "Advisors.Column.Accounts");
                foreach (var a in advisors)
                {
                    Row(table, Number(a.Id), a.Name, a.Email, a.Language, Number(a.Accounts));
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });

        return new Command("advisors", text["Advisors.Description"]) { add, list };
    }
}
