using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Renewals.Cli.Text;
using Renewals.Core.Engagement;
using Renewals.Data.Model;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary>
/// <c>renewals meetings schedule|move|cancel|ics</c>: review meetings between an advisor and a
/// customer contact, and their calendar invitations.
/// </summary>
internal static class MeetingsCommand
{
    private static readonly LocalDateTimePattern Minutes = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    public static Command Create(CliContext context)
    {
        var text = context.Text;
        return new Command("meetings", text["Meetings.Description"])
        {
            Schedule(context),
            Move(context),
            Cancel(context),
            Ics(context),
        };
    }

    private static Command Schedule(CliContext context)
    {
        var text = context.Text;
        var task = Id("--task", text["Meetings.Task"], text);
        var account = Id("--account", text["Meetings.Account"], text);
        var contact = Id("--contact", text["Meetings.Contact"], text);
        var at = At(text);
        var zone = Zone(text);
        var minutes = CommonOptions.Number("--minutes", text["Meetings.Minutes"], text, MeetingService.DefaultMinutes);
        var location = new Option<string?>("--location") { Description = text["Meetings.Location"], HelpName = "text" };

        var command = new Command("schedule", text["Meetings.Schedule.Description"]) { task, account, at, zone, minutes, location, contact };
        CommonOptions.Require(command, text, at);
        command.Validators.Add(result =>
        {
            if (result.GetResult(task) is null == result.GetResult(account) is null)
            {
                result.AddError(text["Meetings.Error.Target"]);
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var start = parse.GetValue(at);
            var request = parse.GetResult(task) is not null
                ? NewMeeting.ForTask(parse.GetValue(task), start)
                : NewMeeting.ForAccount(parse.GetValue(account), start);
            request = request with
            {
                DurationMinutes = parse.GetValue(minutes),
                TimeZoneId = parse.GetValue(zone),
                Location = parse.GetValue(location),
                ContactId = parse.GetResult(contact) is null ? null : parse.GetValue(contact),
            };

            var meeting = await WithServiceAsync(context, parse, (service, ct) => service.ScheduleAsync(request, Actor(), ct), ct);
            Say(context, text.Format("Meetings.Scheduled", meeting.Id, Describe(meeting, text), meeting.Uid));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Move(CliContext context)
    {
        var text = context.Text;
        var meetingId = MeetingArgument(text);
        var at = At(text);
        var zone = Zone(text);
        var minutes = CommonOptions.Number("--minutes", text["Meetings.MinutesKeep"], text);
        var location = new Option<string?>("--location") { Description = text["Meetings.LocationKeep"], HelpName = "text" };
        var command = new Command("move", text["Meetings.Move.Description"]) { meetingId, at, minutes, zone, location };
        CommonOptions.Require(command, text, at);
        command.SetAction(async (parse, ct) =>
        {
            int? duration = parse.GetResult(minutes) is null ? null : parse.GetValue(minutes);
            var meeting = await WithServiceAsync(context, parse, (service, ct) => service.RescheduleAsync(
                parse.GetValue(meetingId), parse.GetValue(at), duration, Actor(), parse.GetValue(zone), parse.GetValue(location), ct), ct);
            Say(context, text.Format("Meetings.Moved", meeting.Id, Describe(meeting, text), meeting.Sequence));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Cancel(CliContext context)
    {
        var text = context.Text;
        var meetingId = MeetingArgument(text);
        var command = new Command("cancel", text["Meetings.Cancel.Description"]) { meetingId };
        command.SetAction(async (parse, ct) =>
        {
            var meeting = await WithServiceAsync(context, parse, (service, ct) => service.CancelAsync(parse.GetValue(meetingId), Actor(), ct), ct);
            Say(context, text.Format("Meetings.Cancelled", meeting.Id, Describe(meeting, text), meeting.Sequence));
            return RenewalsCli.Ok;
        });
        return command;
    }

    private static Command Ics(CliContext context)
    {
        var text = context.Text;
        var meetingId = MeetingArgument(text);
        var output = new Option<FileInfo?>("--out") { Description = text["Meetings.Out"], HelpName = "file" };
        var command = new Command("ics", text["Meetings.Ics.Description"]) { meetingId, output };
        command.SetAction(async (parse, ct) =>
        {
            var ics = await WithServiceAsync(context, parse, (service, ct) => service.InvitationAsync(parse.GetValue(meetingId), ct), ct);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, ics, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), ct);
                Say(context, text.Format("Meetings.Written", file.FullName));
            }
            else
            {
                await parse.InvocationConfiguration.Output.WriteAsync(ics);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    private static async Task<T> WithServiceAsync<T>(
        CliContext context, ParseResult parse, Func<MeetingService, CancellationToken, Task<T>> use, CancellationToken ct)
    {
        var database = context.Database;
        await EngineDays.RequireMigratedAsync(database, context.Text, ct);
        await using var scope = context.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<MeetingService>(), ct);
    }

    /// <summary>Who the audit trail names: the operator at the command line.</summary>
    private static string Actor() => $"cli:{Environment.UserName}";

    private static void Say(CliContext context, string line) => context.Console.MarkupLine(Markup.Escape(line));

    private static string Describe(ReviewMeeting meeting, CliText text) =>
        text.Format("Meetings.When", Minutes.Format(meeting.Start).Replace('T', ' '), meeting.TimeZoneId, meeting.DurationMinutes);

    private static Option<LocalDateTime> At(CliText text) => new("--at")
    {
        Description = text["Meetings.At"],
        HelpName = "yyyy-mm-ddThh:mm",
        CustomParser = result =>
        {
            var token = Token(result);
            if (Minutes.Parse(token) is { Success: true } minutes)
            {
                return minutes.Value;
            }

            if (LocalDateTimePattern.GeneralIso.Parse(token) is { Success: true } seconds)
            {
                return seconds.Value;
            }

            result.AddError(text.Format("Meetings.Error.At", token));
            return default;
        },
    };

    private static Option<string?> Zone(CliText text) => new("--zone")
    {
        Description = text["Meetings.Zone"],
        HelpName = "zone",
        CustomParser = result =>
        {
            var token = Token(result);
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(token) is { } zone)
            {
                return zone.Id;
            }

            result.AddError(text.Format("Error.TimeZone", token));
            return null;
        },
    };

    private static Option<long> Id(string name, string description, CliText text) => new(name)
    {
        Description = description,
        HelpName = "id",
        CustomParser = result => ParseId(result, name, text),
    };

    private static Argument<long> MeetingArgument(CliText text) => new("meeting")
    {
        Description = text["Meetings.Meeting"],
        HelpName = "id",
        CustomParser = result => ParseId(result, "MEETING", text),
    };

    private static long ParseId(ArgumentResult result, string name, CliText text)
    {
        var token = Token(result);
        if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            return id;
        }

        result.AddError(text.Format("Meetings.Error.Id", name, token));
        return 0;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
