using System.CommandLine;
using Renewals.Core.Access;
using Renewals.Core.Messaging;
using Renewals.Core.Newsletter;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals newsletter send [--issue ID]</c>: writes every newsletter issue that is due (or the
/// one named, now) to the outbox for the contacts who subscribed, then delivers the outbox. The
/// web host does the same on its own; an issue never reaches a contact twice.
/// </summary>
internal static class NewsletterCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var issue = CommonOptions.Id("--issue", text["Newsletter.Issue"], text);
        var format = Format(text);
        var send = new Command("send", text["Newsletter.Send.Description"]) { issue, format };
        send.SetAction(async (parse, ct) =>
        {
            var result = await WithAsync(context, (NewsletterService service) => service.SendDueAsync(new Actor.OperatorConsole(), parse.GetValue(issue), ct), ct);
            await using var transport = context.Delivery.CreateTransport();
            var dispatched = await context.Delivery.Dispatcher(transport).DispatchAsync(context.Clock.GetCurrentInstant(), ct);
            if (WroteJson(parse, format, new
                {
                    issues = result.Issues.Select(i => new { id = i.IssueId, queued = i.Queued, alreadySent = i.AlreadySent }),
                    queued = result.Queued,
                    delivered = new { sent = dispatched.Sent, retrying = dispatched.Retrying, deadLettered = dispatched.DeadLettered, discarded = dispatched.Discarded },
                }))
            {
                return RenewalsCli.Ok;
            }

            if (result.Issues.Count == 0)
            {
                Say(context, text["Newsletter.NoneDue"]);
            }

            foreach (var sent in result.Issues)
            {
                Say(context, text.Format("Newsletter.Sent", sent.IssueId, sent.Queued, sent.AlreadySent));
            }

            MessagesCommand.Report(context, dispatched, transport);
            return RenewalsCli.Ok;
        });

        return new Command("newsletter", text["Newsletter.Description"]) { send };
    }
}
