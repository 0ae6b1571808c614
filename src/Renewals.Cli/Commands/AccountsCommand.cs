using System.CommandLine;
using System.Globalization;
using Renewals.Core.Accounts;
using Renewals.Data.Model;
using Renewals.Domain.Text;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals accounts add|list|show</c> and <c>renewals contacts add</c>: customers and the people at them.</summary>
internal static class AccountsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("accounts", text["Accounts.Description"]) { Add(context), List(context), Show(context) };
    }

    public static Command Contacts(CliContext context)
    {
        var text = context.Text;
        var account = CommonOptions.Id("--account", text["Contacts.Account"], text);
        var name = TextOption("--name", text["Contacts.Name"]);
        var email = TextOption("--email", text["Contacts.Email"], "address");
        var role = Choice("--role", text["Contacts.Role"], text, "other", "primary", "accounts-payable", "other");
        var language = Choice("--language", text["Contacts.Language"], text, "", "fr", "en");
        var format = Format(text);
        var add = new Command("add", text["Contacts.Add.Description"]) { account, name, email, role, language, format };
        CommonOptions.Require(add, text, account, name, email);
        add.SetAction(async (parse, ct) =>
        {
            var contact = await WithAsync(context, (AccountService service) => service.AddContactAsync(
                parse.GetValue(account)!.Value,
                new NewContact(parse.GetValue(name)!, parse.GetValue(email)!, Role(parse.GetValue(role)!), NullIfEmpty(parse.GetValue(language))), ct), ct);
            if (!WroteJson(parse, format, contact))
            {
                Say(context, text.Format("Contacts.Added", contact.Id, contact.Name, contact.Email, RoleText(contact.Role, text), contact.AccountId));
            }

            return RenewalsCli.Ok;
        });
        return new Command("contacts", text["Contacts.Description"]) { add };
    }

    private static Command Add(CliContext context)
    {
        var text = context.Text;
        var name = TextOption("--name", text["Accounts.Name"]);
        var language = Choice("--language", text["Accounts.Language"], text, "en", "fr", "en");
        var zone = new Option<string>("--time-zone")
        {
            Description = text["Accounts.TimeZone"],
            HelpName = "zone",
            CustomParser = result =>
            {
                var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(token) is { } found)
                {
                    return found.Id;
                }

                result.AddError(text.Format("Error.TimeZone", token));
                return "";
            },
        };
        var contactName = TextOption("--contact-name", text["Accounts.ContactName"]);
        var contactEmail = TextOption("--contact-email", text["Accounts.ContactEmail"], "address");
        var payablesName = TextOption("--payables-name", text["Accounts.PayablesName"]);
        var payablesEmail = TextOption("--payables-email", text["Accounts.PayablesEmail"], "address");
        var poRequired = new Option<bool>("--po-required") { Description = text["Accounts.PoRequired"] };
        var advisor = CommonOptions.Id("--advisor", text["Accounts.Advisor"], text);
        var partner = CommonOptions.Id("--partner", text["Accounts.Partner"], text);
        var address = new Option<string[]>("--billing-address") { Description = text["Accounts.BillingAddress"], HelpName = "line", Arity = ArgumentArity.ZeroOrMore };
        var vatNumber = TextOption("--vat-number", text["Accounts.VatNumber"], "FR...");
        var vatRate = Operations.Amount("--vat-rate", text["Accounts.VatRate"], text);
        var format = Format(text);
        var add = new Command("add", text["Accounts.Add.Description"])
        {
            name, language, zone, contactName, contactEmail, payablesName, payablesEmail, poRequired, advisor, partner, address, vatNumber, vatRate, format,
        };
        CommonOptions.Require(add, text, name, zone, contactName, contactEmail);
        add.Validators.Add(result =>
        {
            if (result.GetResult(payablesName) is null != result.GetResult(payablesEmail) is null)
            {
                result.AddError(text["Accounts.Error.Payables"]);
            }
        });
        add.SetAction(async (parse, ct) =>
        {
            List<NewContact> contacts = [new(parse.GetValue(contactName)!, parse.GetValue(contactEmail)!, ContactRole.Primary)];
            if (parse.GetValue(payablesEmail) is { } ap)
            {
                contacts.Add(new NewContact(parse.GetValue(payablesName)!, ap, ContactRole.AccountsPayable));
            }

            var lines = parse.GetValue(address) ?? [];
            var input = new NewAccount(parse.GetValue(name)!, parse.GetValue(language)!, parse.GetValue(zone)!, contacts,
                parse.GetValue(poRequired), parse.GetValue(vatRate) ?? 0.20m, parse.GetValue(advisor), parse.GetValue(partner),
                lines.Length == 0 ? null : string.Join('\n', lines), parse.GetValue(vatNumber));
            var details = await WithAsync(context, async (AccountService service) =>
            {
                var created = await service.CreateAsync(input, ct);
                return await service.ShowAsync(created.Id, ct);
            }, ct);
            if (!WroteJson(parse, format, details))
            {
                Say(context, text.Format("Accounts.Added", details.Id, details.Name, details.TimeZoneId,
                    details.Advisor ?? text["Accounts.NoAdvisor"]));
            }

            return RenewalsCli.Ok;
        });
        return add;
    }

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var format = Format(text);
        var list = new Command("list", text["Accounts.List.Description"]) { format };
        list.SetAction(async (parse, ct) =>
        {
            var accounts = await WithAsync(context, (AccountService service) => service.ListAsync(ct), ct);
            if (!WroteJson(parse, format, new { accounts }))
            {
                var table = Table(text, "Accounts.Column.Id", "Accounts.Column.Name", "Accounts.Column.Language", "Accounts.Column.TimeZone",
                    "Accounts.Column.Advisor", "Accounts.Column.Partner", "Accounts.Column.Subscriptions");
                foreach (var a in accounts)
                {
                    Row(table, Number(a.Id), a.Name, a.Language, a.TimeZoneId, a.Advisor ?? text["Accounts.NoAdvisor"], a.Partner, Number(a.Subscriptions));
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
        var id = IdArgument("account", text["Accounts.Id"], text);
        var format = Format(text);
        var show = new Command("show", text["Accounts.Show.Description"]) { id, format };
        show.SetAction(async (parse, ct) =>
        {
            var a = await WithAsync(context, (AccountService service) => service.ShowAsync(parse.GetValue(id), ct), ct);
            if (!WroteJson(parse, format, a))
            {
                Say(context, text.Format("Accounts.Heading", a.Id, a.Name, a.Language, a.TimeZoneId));
                Say(context, text.Format("Accounts.Line.Advisor", a.Advisor ?? text["Accounts.NoAdvisor"]));
                if (a.Partner is { } partner)
                {
                    Say(context, text.Format("Accounts.Line.Partner", partner));
                }

                Say(context, text.Format("Accounts.Line.Billing", a.BillingAddress?.Replace("\n", ", ", StringComparison.Ordinal) ?? text["Accounts.None"],
                    a.VatNumber ?? text["Accounts.None"], MoneyText.Percent(a.VatRate, text.Culture), YesNo(a.RequiresPurchaseOrder, text)));
                var table = Table(text, "Accounts.Column.Id", "Contacts.Column.Name", "Contacts.Column.Email", "Contacts.Column.Role", "Accounts.Column.Language");
                foreach (var c in a.Contacts)
                {
                    Row(table, Number(c.Id), c.Name, c.Email, RoleText(c.Role, text), c.Language);
                }

                Write(context, table);
                Say(context, text.Format("Accounts.Line.Subscriptions",
                    a.SubscriptionIds.Count == 0 ? text["Accounts.None"] : string.Join(", ", a.SubscriptionIds.Select(s => s.ToString(CultureInfo.InvariantCulture)))));
            }

            return RenewalsCli.Ok;
        });
        return show;
    }

    private static ContactRole Role(string role) => role switch
    {
        "primary" => ContactRole.Primary,
        "accounts-payable" => ContactRole.AccountsPayable,
        _ => ContactRole.Other,
    };

    private static string RoleText(ContactRole role, Text.CliText text) => text[$"Contacts.Role.{role}"];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
