using System.CommandLine;
using Renewals.Core.Access;
using Renewals.Core.Conferences;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals events list</c>: the user conference's events, with invitations sent and meetings requested and confirmed.</summary>
internal static class EventsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var format = Format(text);
        var list = new Command("list", text["Events.List.Description"]) { format };
        list.SetAction(async (parse, ct) =>
        {
            var events = await WithAsync(context, (ConferenceService service) => service.ListAsync(new Actor.OperatorConsole(), ct), ct);
            if (!WroteJson(parse, format, new { events }))
            {
                var table = Table(text, "Events.Column.Id", "Events.Column.Name", "Events.Column.Dates", "Events.Column.City", "Events.Column.Zone",
                    "Events.Column.Invitations", "Events.Column.Requested", "Events.Column.Confirmed");
                foreach (var e in events)
                {
                    Row(table, Number(e.Id), e.Name, $"{Iso(e.StartsOn)}..{Iso(e.EndsOn)}", e.City, e.TimeZoneId,
                        Number(e.InvitationsSent), Number(e.MeetingsRequested), Number(e.MeetingsConfirmed));
                }

                Write(context, table);
                Say(context, text.Format("Events.Count", events.Count));
            }

            return RenewalsCli.Ok;
        });

        return new Command("events", text["Events.Description"]) { list };
    }
}
