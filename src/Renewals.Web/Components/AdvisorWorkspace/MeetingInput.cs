using NodaTime;
using NodaTime.Text;
using Renewals.Core.Advisors;
using Renewals.Core.Engagement;

namespace Renewals.Web.Components.AdvisorWorkspace;

/// <summary>A meeting form as posted: the date and time as the browser's date and time fields send them (ISO).</summary>
public sealed class MeetingInput
{
    /// <summary>The lengths offered, in minutes, within what MeetingService accepts.</summary>
    public static IReadOnlyList<int> Durations { get; } = [30, MeetingService.DefaultMinutes, 60, 90, 120];

    public string? Date { get; set; }

    public string? Time { get; set; }

    public int DurationMinutes { get; set; } = MeetingService.DefaultMinutes;

    public string? Place { get; set; }

    public long ContactId { get; set; }

    /// <summary>A first proposal: the next working day at 10:00 with the first (primary) contact.</summary>
    public static MeetingInput Suggested(MeetingChoices choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var day = choices.Today.PlusDays(1);
        while (day.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
        {
            day = day.PlusDays(1);
        }

        return new MeetingInput
        {
            Date = LocalDatePattern.Iso.Format(day),
            Time = "10:00",
            ContactId = choices.Contacts.Count > 0 ? choices.Contacts[0].Id : 0,
        };
    }

    /// <summary>The same fields filled from a meeting, to move it.</summary>
    public static MeetingInput From(AdvisorMeetingView meeting)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        return new MeetingInput
        {
            Date = LocalDatePattern.Iso.Format(meeting.Start.Date),
            Time = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Format(meeting.Start.TimeOfDay),
            DurationMinutes = meeting.DurationMinutes,
            Place = meeting.Location,
            ContactId = meeting.ContactId,
        };
    }

    /// <summary>The local start, or null when the date or the time does not read.</summary>
    public LocalDateTime? Start()
    {
        var date = LocalDatePattern.Iso.Parse(Date?.Trim() ?? "");
        // Browsers send "10:00", or "10:00:30" when seconds are set.
        var text = Time?.Trim() ?? "";
        var time = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(text);
        if (!time.Success)
        {
            time = LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss").Parse(text);
        }

        return date.Success && time.Success ? date.Value + time.Value : null;
    }
}
