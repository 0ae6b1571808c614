using System.Globalization;
using System.Resources;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using NodaTime;
using Renewals.Data.Model;
using Renewals.Domain.Text;

namespace Renewals.Core.Engagement;

/// <summary>
/// The calendar invitation (.ics, RFC 5545 with iTIP methods) of a review meeting: the
/// advisor organises, the customer contact attends, the time is local to the meeting's zone.
/// </summary>
public static class MeetingInvitation
{
    public const string ProductId = "-//Renewals//Review meetings//EN";

    private static readonly ResourceManager Texts =
        new("Renewals.Core.Engagement.MeetingStrings", typeof(MeetingInvitation).Assembly);

    /// <summary>
    /// A REQUEST (or, for a cancelled meeting, a CANCEL) carrying the meeting's stable UID and
    /// sequence. <paramref name="stamp"/> is the DTSTAMP: when this version of the meeting was made.
    /// </summary>
    public static string ToIcs(ReviewMeeting meeting, Advisor advisor, Contact attendee, string summary, string description, Instant stamp)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(advisor);
        ArgumentNullException.ThrowIfNull(attendee);

        var calendar = new Ical.Net.Calendar
        {
            ProductId = ProductId,
            Method = meeting.IsCancelled ? "CANCEL" : "REQUEST",
        };
        // The zone's rules from a year before the meeting: enough for any calendar to place it.
        calendar.AddTimeZone(meeting.TimeZoneId, meeting.Start.Date.PlusYears(-1).ToDateTimeUnspecified(), includeHistoricalData: false);

        var calendarEvent = new CalendarEvent
        {
            Uid = meeting.Uid,
            Sequence = meeting.Sequence,
            DtStamp = new CalDateTime(stamp.ToDateTimeUtc(), "UTC"),
            DtStart = Local(meeting.Start, meeting.TimeZoneId),
            DtEnd = Local(MeetingService.EndLocal(meeting), meeting.TimeZoneId),
            Summary = summary,
            Description = description,
            Location = meeting.Location,
            Status = meeting.IsCancelled ? "CANCELLED" : "CONFIRMED",
            Transparency = "OPAQUE",
            Organizer = new Organizer($"mailto:{advisor.Email}") { CommonName = advisor.Name },
        };
        calendarEvent.Attendees.Add(new Attendee($"mailto:{attendee.Email}")
        {
            CommonName = attendee.Name,
            Role = "REQ-PARTICIPANT",
            ParticipationStatus = "NEEDS-ACTION",
            Rsvp = true,
        });
        calendar.Events.Add(calendarEvent);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    /// <summary>The invitation's title in <paramref name="culture"/>.</summary>
    public static string Summary(ReviewMeeting meeting, string accountName, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        return Format(meeting.IsCancelled ? "Summary.Cancelled" : "Summary", culture, accountName);
    }

    /// <summary>The invitation's text in <paramref name="culture"/>: when, with whom, for how long, and why.</summary>
    public static string Description(ReviewMeeting meeting, Advisor advisor, string accountName, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(advisor);
        var when = DomainText.LongDateTime(meeting.Start, culture);
        return Format(meeting.IsCancelled ? "Description.Cancelled" : "Description", culture,
            accountName, advisor.Name, when, meeting.TimeZoneId, meeting.DurationMinutes, advisor.Email);
    }

    private static CalDateTime Local(LocalDateTime local, string zoneId) =>
        new(new DateOnly(local.Year, local.Month, local.Day), new TimeOnly(local.Hour, local.Minute, local.Second), zoneId);

    private static string Format(string key, CultureInfo culture, params object[] arguments) =>
        string.Format(culture, Texts.GetString(key, culture) ?? throw new InvalidOperationException($"No text for '{key}'."), arguments);
}
