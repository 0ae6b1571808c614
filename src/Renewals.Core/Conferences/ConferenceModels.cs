using NodaTime;
using Renewals.Data.Model;

namespace Renewals.Core.Conferences;

/// <summary>What an administrator types for an event; the dates are the venue's local days, the last one included.</summary>
public sealed record ConferenceInput(
    string? Name, string? City, string? VenueName, string? VenueAddress, string? TimeZoneId, LocalDate StartsOn, LocalDate EndsOn);

/// <summary>An event with how far it has come: invitations sent, meetings requested (every request made) and confirmed.</summary>
public sealed record ConferenceView(
    long Id, string Name, string City, string VenueName, string VenueAddress, string TimeZoneId, LocalDate StartsOn, LocalDate EndsOn,
    int InvitationsSent, int MeetingsRequested, int MeetingsConfirmed)
{
    /// <summary>The venue as a calendar's LOCATION reads it: its name, then its address on one line.</summary>
    public string Location => ConferenceService.Location(VenueName, VenueAddress);
}

/// <summary>What sending an event's invitations did: new ones sent, contacts who already had theirs.</summary>
public sealed record InvitationRun(int Sent, int AlreadyInvited);

/// <summary>A customer's request in an advisor's agenda.</summary>
public sealed record AgendaMeeting(
    long MeetingId, ConferenceMeetingStatus Status, long AccountId, string Account, string Contact, string ContactEmail, Instant RequestedAt);

/// <summary>One of the advisor's slots at an event and the request that holds it, if any.</summary>
public sealed record AgendaSlot(long SlotId, LocalDateTime Start, int DurationMinutes, AgendaMeeting? Meeting)
{
    public LocalDateTime End => Start.PlusMinutes(DurationMinutes);
}

/// <summary>An advisor's agenda at an event: every slot it offers, in time order, with what holds each.</summary>
public sealed record AdvisorAgenda(ConferenceView Event, IReadOnlyList<AgendaSlot> Slots)
{
    public IEnumerable<AgendaSlot> Requested => Slots.Where(s => s.Meeting?.Status == ConferenceMeetingStatus.Requested);

    public IEnumerable<AgendaSlot> Confirmed => Slots.Where(s => s.Meeting?.Status == ConferenceMeetingStatus.Confirmed);
}

/// <summary>A slot the customer may ask for.</summary>
public sealed record FreeSlot(long SlotId, LocalDateTime Start, int DurationMinutes);

/// <summary>One of the customer's meetings at an event, as its web account shows it.</summary>
public sealed record CustomerMeeting(
    long MeetingId, long EventId, string Event, LocalDateTime Start, int DurationMinutes, string TimeZoneId, string Location,
    ConferenceMeetingStatus Status, string Advisor, string Contact);

/// <summary>An event the customer is invited to: its advisor, the advisor's free slots and the account's meetings there.</summary>
public sealed record CustomerConference(
    ConferenceView Event, string? Advisor, IReadOnlyList<FreeSlot> FreeSlots, IReadOnlyList<CustomerMeeting> Meetings);
