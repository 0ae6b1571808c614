using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Renewals.Core.Cancellations;
using Renewals.Core.Subscriptions;
using Renewals.Domain;
using Renewals.Domain.Cancellations;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals notices file|withdraw|list</c>: written cancellation notices. Filing says
/// whether the notice is on time and the date the subscription ends; a scanned letter is kept
/// in the letters folder beside the database, named by its SHA-256.
/// </summary>
internal static class NoticesCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("notices", text["Notices.Description"]) { File(context), Withdraw(context), List(context) };
    }

    private static Command File(CliContext context)
    {
        var text = context.Text;
        var subscription = CommonOptions.Id("--subscription", text["Notices.Subscription"], text);
        var received = CommonOptions.Date("--received", text["Notices.Received"], text);
        var filedBy = Choice("--filed-by", text["Notices.FiledBy"], text, "customer", "customer", "partner");
        var channel = Choice("--channel", text["Notices.Channel"], text, "post", "post", "email", "upload");
        var signedBy = TextOption("--signed-by", text["Notices.SignedBy"], "name");
        var letter = new Option<FileInfo?>("--letter") { Description = text["Notices.Letter"], HelpName = "file" };
        var format = Format(text);
        var command = new Command("file", text["Notices.File.Description"]) { subscription, received, filedBy, channel, signedBy, letter, format };
        CommonOptions.Require(command, text, subscription, received);
        command.SetAction(async (parse, ct) =>
        {
            var subscriptionId = parse.GetValue(subscription)!.Value;
            var receivedOn = parse.GetValue(received);
            var filer = parse.GetValue(filedBy) == "partner" ? NoticeFiler.Partner : NoticeFiler.Customer;
            var how = parse.GetValue(channel) switch
            {
                "email" => NoticeChannel.Email,
                "upload" => NoticeChannel.UploadedLetter,
                _ => NoticeChannel.PostalLetter,
            };
            var letterFile = parse.GetValue(letter);
            if (letterFile is not null && !letterFile.Exists)
            {
                throw new UsageException(text.Format("Error.FileMissing", letterFile.FullName));
            }

            var database = context.Database;
            var notice = await WithScopeAsync(context, async services =>
            {
                var db = services.GetRequiredService<Data.RenewalsDbContext>();
                var who = await db.Subscriptions.AsNoTracking().Where(s => s.Id == subscriptionId)
                        .Select(s => new
                        {
                            s.Account!.TimeZoneId,
                            Primary = s.Account.Contacts.Where(c => c.Role == Data.Model.ContactRole.Primary).Select(c => c.Name).FirstOrDefault(),
                            Partner = s.PartnerContract!.Partner!.Name,
                        })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new DomainException(DomainErrors.SubscriptionUnknown, subscriptionId);
                var zone = DateTimeZoneProviders.Tzdb[who.TimeZoneId];
                var signer = parse.GetValue(signedBy) ?? (filer == NoticeFiler.Partner ? who.Partner : who.Primary) ?? "";

                // The letter is kept before the notice is stored, and taken back if the notice is refused.
                var stored = letterFile is null ? null : await LetterStore.Beside(database.SqliteFile).StoreAsync(letterFile.FullName, ct);
                var hash = stored?.Sha256 ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                    $"notice without a scanned letter: subscription {subscriptionId}, received {Iso(receivedOn)}, signed by {signer}, {how}")));
                try
                {
                    var written = new WrittenNotice(receivedOn.AtStartOfDayInZone(zone).ToInstant(), how, signer, hash, filer);
                    return await services.GetRequiredService<CancellationService>().FileAsync(subscriptionId, written, Actor(), stored?.FileName, ct);
                }
                catch
                {
                    if (stored is not null)
                    {
                        LetterStore.Forget(stored);
                    }

                    throw;
                }
            }, ct);
            if (!WroteJson(parse, format, notice))
            {
                Say(context, Describe(notice, text));
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Withdraw(CliContext context)
    {
        var text = context.Text;
        var id = IdArgument("notice", text["Notices.Id"], text);
        var format = Format(text);
        var command = new Command("withdraw", text["Notices.Withdraw.Description"]) { id, format };
        command.SetAction(async (parse, ct) =>
        {
            var notice = await WithAsync(context, (CancellationService service) => service.WithdrawAsync(parse.GetValue(id), Actor(), ct), ct);
            if (!WroteJson(parse, format, notice))
            {
                Say(context, text.Format("Notices.Withdrawn", notice.Id, notice.SubscriptionId, SubscriptionsCommand.Long(notice.EffectiveEndDate, text)));
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var text = context.Text;
        var subscription = CommonOptions.Id("--subscription", text["Notices.List.Subscription"], text);
        var format = Format(text);
        var command = new Command("list", text["Notices.List.Description"]) { subscription, format };
        command.SetAction(async (parse, ct) =>
        {
            var notices = await WithAsync(context, (CancellationService service) => service.ListAsync(parse.GetValue(subscription), ct), ct);
            if (!WroteJson(parse, format, new { notices }))
            {
                var table = Table(text, "Notices.Column.Id", "Notices.Column.Subscription", "Notices.Column.Received", "Notices.Column.FiledBy",
                    "Notices.Column.OnTime", "Notices.Column.Ends", "Notices.Column.Withdrawn", "Notices.Column.Letter");
                foreach (var n in notices)
                {
                    Row(table, Number(n.Id), Number(n.SubscriptionId), Iso(n.ReceivedOn), text[$"Notices.Filer.{n.FiledBy}"], YesNo(n.IsOnTime, text),
                        Iso(n.EffectiveEndDate), n.WithdrawnAt is null ? "" : text["Ops.Yes"], n.LetterFile);
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    /// <summary>One line: the notice, on time or late, and the date the subscription ends (or that it was withdrawn).</summary>
    internal static string Describe(NoticeView n, Text.CliText text)
    {
        var key = n.WithdrawnAt is not null ? "Notices.Line.Withdrawn" : n.IsOnTime ? "Notices.Line.OnTime" : "Notices.Line.Late";
        return text.Format(key, n.Id, n.SubscriptionId, SubscriptionsCommand.Long(n.ReceivedOn, text), text[$"Notices.Filer.{n.FiledBy}"],
            SubscriptionsCommand.Long(n.EffectiveEndDate, text), SubscriptionsCommand.Long(n.EffectiveEndDate.PlusDays(-1), text));
    }
}
