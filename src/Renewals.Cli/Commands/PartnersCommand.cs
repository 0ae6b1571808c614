using System.CommandLine;
using Renewals.Core.Partners;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals partners add|list</c>: resellers and the contract that says how their customers cancel.</summary>
internal static class PartnersCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var name = TextOption("--name", text["Partners.Name"]);
        var email = TextOption("--email", text["Partners.Email"], "address");
        var noticeDays = CommonOptions.Number("--notice-days", text["Partners.NoticeDays"], text);
        var partnerOnly = new Option<bool>("--partner-only") { Description = text["Partners.PartnerOnly"] };
        var addFormat = Format(text);
        var add = new Command("add", text["Partners.Add.Description"]) { name, email, noticeDays, partnerOnly, addFormat };
        CommonOptions.Require(add, text, name, email, noticeDays);
        add.SetAction(async (parse, ct) =>
        {
            var contract = await WithAsync(context, (PartnerService service) => service.AddAsync(new NewPartnerContract(
                parse.GetValue(name)!, parse.GetValue(email)!, parse.GetValue(noticeDays), parse.GetValue(partnerOnly)), ct), ct);
            if (!WroteJson(parse, addFormat, contract))
            {
                Say(context, text.Format(contract.FiledByPartnerOnly ? "Partners.Added.PartnerOnly" : "Partners.Added",
                    contract.ContractId, contract.Partner, contract.NoticeDays));
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["Partners.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var contracts = await WithAsync(context, (PartnerService service) => service.ListAsync(ct), ct);
            if (!WroteJson(parse, listFormat, new { contracts }))
            {
                var table = Table(text, "Partners.Column.Contract", "Partners.Column.Partner", "Partners.Column.Email",
                    "Partners.Column.NoticeDays", "Partners.Column.PartnerOnly");
                foreach (var c in contracts)
                {
                    Row(table, Number(c.ContractId), c.Partner, c.Email, Number(c.NoticeDays), YesNo(c.FiledByPartnerOnly, text));
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });

        return new Command("partners", text["Partners.Description"]) { add, list };
    }
}
