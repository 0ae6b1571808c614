using System.CommandLine;
using NodaTime.Text;
using Renewals.Core.Access;
using Renewals.Core.Api;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals apikeys add|list|revoke</c>: the keys integrators use on /api/v1, made and revoked by the operator.</summary>
internal static class ApiKeysCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var operatorConsole = new Actor.OperatorConsole();

        var admin = new Option<bool>("--admin") { Description = text["ApiKeys.Admin"] };
        var partner = new Option<long?>("--partner") { Description = text["ApiKeys.Partner"], HelpName = "id" };
        var name = TextOption("--name", text["ApiKeys.Name"]);
        var addFormat = Format(text);
        var add = new Command("add", text["ApiKeys.Add.Description"]) { admin, partner, name, addFormat };
        add.SetAction(async (parse, ct) =>
        {
            var partnerId = parse.GetValue(partner);
            // Exactly one scope: a key for everything must be asked for in so many words.
            if (parse.GetValue(admin) == partnerId is not null)
            {
                throw new UsageException(text["ApiKeys.ScopeRequired"]);
            }

            var made = await WithAsync(context, (ApiKeyService service) => service.MakeAsync(operatorConsole, partnerId, parse.GetValue(name), ct), ct);
            if (!WroteJson(parse, addFormat, new { made.Key.Id, made.Key.Name, made.Key.PartnerId, key = made.Secret }))
            {
                Say(context, text.Format(made.Key.IsAdmin ? "ApiKeys.Added.Admin" : "ApiKeys.Added.Partner", made.Key.Id, made.Key.Name, made.Key.PartnerId ?? 0));
                Say(context, made.Secret);
                Say(context, text["ApiKeys.ShownOnce"]);
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["ApiKeys.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var keys = await WithAsync(context, (ApiKeyService service) => service.ListAsync(operatorConsole, ct), ct);
            if (!WroteJson(parse, listFormat, new { keys }))
            {
                var table = Table(text, "ApiKeys.Column.Id", "ApiKeys.Column.Name", "ApiKeys.Column.Prefix", "ApiKeys.Column.Scope",
                    "ApiKeys.Column.Created", "ApiKeys.Column.LastUsed", "ApiKeys.Column.Revoked");
                foreach (var k in keys)
                {
                    Row(table, Number(k.Id), k.Name, k.Prefix + "…", k.IsAdmin ? text["ApiKeys.Scope.Admin"] : text.Format("ApiKeys.Scope.Partner", k.PartnerId ?? 0, k.Partner ?? ""),
                        At(k.CreatedAt), k.LastUsedAt is { } used ? At(used) : "", k.RevokedAt is { } revoked ? At(revoked) : "");
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });

        var id = new Argument<long>("id") { Description = text["ApiKeys.Id"] };
        var revokeFormat = Format(text);
        var revoke = new Command("revoke", text["ApiKeys.Revoke.Description"]) { id, revokeFormat };
        revoke.SetAction(async (parse, ct) =>
        {
            var revoked = await WithAsync(context, (ApiKeyService service) => service.RevokeAsync(operatorConsole, parse.GetValue(id), ct), ct);
            if (!WroteJson(parse, revokeFormat, revoked))
            {
                Say(context, text.Format("ApiKeys.Revoked", revoked.Id, revoked.Name));
            }

            return RenewalsCli.Ok;
        });

        return new Command("apikeys", text["ApiKeys.Description"]) { add, list, revoke };
    }

    private static string At(NodaTime.Instant at) => InstantPattern.General.Format(at);
}
