using System.Globalization;
using System.Resources;
using MimeKit;
using Renewals.Core.Engagement;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Text;

namespace Renewals.Core.Conferences;

/// <summary>
/// The calendar invitation (.ics) of a confirmed conference meeting, built the way review
/// meetings' are (<see cref="MeetingInvitation"/>): the advisor organises, the contact attends,
/// LOCATION is the venue and DTSTART the slot's local time with the event zone's TZID and VTIMEZONE.
/// </summary>
public static class ConferenceCalendar
{
    private static readonly ResourceManager Texts =
        new("Renewals.Core.Conferences.ConferenceStrings", typeof(ConferenceCalendar).Assembly);

    public static string ToIcs(ConferenceMeeting meeting, ConferenceEvent conference, ConferenceSlot slot, Advisor advisor, Contact contact, string accountName)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(conference);
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(advisor);
        ArgumentNullException.ThrowIfNull(contact);
        var culture = CultureInfo.GetCultureInfo(contact.Language);
        var location = ConferenceService.Location(conference.VenueName, conference.VenueAddress);
        // The review meetings' calendar writer takes a meeting as a plain value: this one is never stored as a review meeting.
        var asMeeting = new ReviewMeeting
        {
            AccountId = meeting.AccountId, AdvisorId = meeting.AdvisorId, ContactId = meeting.ContactId, Uid = meeting.Uid, Sequence = 0,
            Start = slot.Start, DurationMinutes = slot.DurationMinutes, TimeZoneId = conference.TimeZoneId, Location = location,
            UpdatedAt = meeting.AnsweredAt ?? meeting.RequestedAt,
        };
        var summary = Format("Summary", culture, conference.Name, advisor.Name);
        var description = Format("Description", culture, accountName, advisor.Name, conference.Name, DomainText.LongDateTime(slot.Start, culture),
            conference.TimeZoneId, slot.DurationMinutes, location, advisor.Email);
        return MeetingInvitation.ToIcs(asMeeting, advisor, contact, summary, description, asMeeting.UpdatedAt);
    }

    private static string Format(string key, CultureInfo culture, params object[] arguments) =>
        string.Format(culture, Texts.GetString(key, culture) ?? throw new InvalidOperationException($"No text for '{key}'."), arguments);
}

/// <summary>A confirmed conference meeting's message carries its invitation (text/calendar; method=REQUEST), made at delivery from the stored meeting.</summary>
public sealed class ConferenceInvitationAttachments : IAttachmentSource
{
    public async Task<IReadOnlyList<MimePart>> AttachmentsAsync(RenewalsDbContext db, OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Template != MessageKinds.ConferenceMeetingConfirmed
            || MessageModel.FromPayload(message.Payload).GetValueOrDefault("conference_meeting_id") is not { } raw
            || !long.TryParse(Convert.ToString(raw, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var meetingId))
        {
            return [];
        }

        if (await ConferenceService.InvitationAsync(db, meetingId, ct) is not { } ics)
        {
            return [];
        }

        var part = IAttachmentSource.File("text", "calendar", System.Text.Encoding.UTF8.GetBytes(ics), "invitation.ics");
        part.ContentType.Parameters.Add("method", "REQUEST");
        part.ContentType.Charset = "utf-8";
        return [part];
    }
}
