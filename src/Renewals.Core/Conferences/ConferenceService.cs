using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;
using Renewals.Core.Access;
using Renewals.Core.Invoicing;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Conferences;

/// <summary>
/// The user conference: administrators set up events and invite the customers' contacts;
/// advisors offer meeting slots at an event; a customer asks for one of its own advisor's free
/// slots; the advisor confirms (the contact then gets the invitation with its .ics through the
/// outbox) or declines (the slot is free again). Every write leaves an audit line; a refused
/// one stores nothing. Dates and times are local to the event's zone.
/// </summary>
public sealed class ConferenceService(RenewalsDbContext db, IClock clock)
{
    public const int MaxName = 200;
    public const int MaxCity = 100;
    public const int MaxVenue = 200;
    public const int MaxAddress = 500;
    public const int MaxDays = 14;
    public const int MinSlotMinutes = 15;
    public const int MaxSlotMinutes = 240;
    public const int DefaultSlotMinutes = 30;

    // ---- Administrators and the operator -------------------------------------------------

    /// <summary>Every event, the coming and latest first, with its invitations and meetings counted.</summary>
    public async Task<IReadOnlyList<ConferenceView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var events = await db.ConferenceEvents.AsNoTracking().OrderByDescending(e => e.StartsOn).ThenByDescending(e => e.Id).ToListAsync(ct);
        return await ViewsAsync(events, null, ct);
    }

    /// <summary>One event for an administrator; null when there is none.</summary>
    public async Task<ConferenceView?> FindAsync(Actor actor, long eventId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var row = await db.ConferenceEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct);
        return row is null ? null : (await ViewsAsync([row], null, ct))[0];
    }

    public async Task<ConferenceView> CreateAsync(Actor actor, ConferenceInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var valid = Validate(input);
        var now = clock.GetCurrentInstant();
        var row = new ConferenceEvent
        {
            Name = valid.Name!, City = valid.City!, VenueName = valid.VenueName!, VenueAddress = valid.VenueAddress!,
            TimeZoneId = valid.TimeZoneId!, StartsOn = valid.StartsOn, EndsOn = valid.EndsOn, CreatedAt = now, UpdatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ConferenceEvents.Add(row);
        await db.SaveChangesAsync(ct);
        Audit(actor.AuditName, "conference.created", "conference-event", row.Id, Describe(row), now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await ViewsAsync([row], null, ct))[0];
    }

    public async Task<ConferenceView> UpdateAsync(Actor actor, long eventId, ConferenceInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var valid = Validate(input);
        var row = await db.ConferenceEvents.SingleOrDefaultAsync(e => e.Id == eventId, ct)
            ?? throw new DomainException(DomainErrors.ConferenceUnknown, eventId);
        var now = clock.GetCurrentInstant();
        row.Name = valid.Name!;
        row.City = valid.City!;
        row.VenueName = valid.VenueName!;
        row.VenueAddress = valid.VenueAddress!;
        row.TimeZoneId = valid.TimeZoneId!;
        row.StartsOn = valid.StartsOn;
        row.EndsOn = valid.EndsOn;
        row.UpdatedAt = now;
        Audit(actor.AuditName, "conference.updated", "conference-event", row.Id, Describe(row), now);
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([row], null, ct))[0];
    }

    /// <summary>
    /// Sends the event's invitation to every contact of an account with a running subscription
    /// (active, or ending at its term) who has not had it yet, in the contact's language,
    /// through the outbox. The unique (event, contact) key keeps it at one each even when two
    /// administrators send at the same moment.
    /// </summary>
    public async Task<InvitationRun> SendInvitationsAsync(Actor actor, long eventId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var conference = await db.ConferenceEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct)
            ?? throw new DomainException(DomainErrors.ConferenceUnknown, eventId);
        var now = clock.GetCurrentInstant();
        var zone = DateTimeZoneProviders.Tzdb[conference.TimeZoneId];
        if (now.InZone(zone).Date > conference.EndsOn)
        {
            throw new DomainException(DomainErrors.ConferenceOver, conference.Name, conference.EndsOn);
        }

        var contacts = await db.Contacts.AsNoTracking()
            .Where(c => db.Subscriptions.Any(s => s.AccountId == c.AccountId && s.Status != SubscriptionStatus.Ended))
            .OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.AccountId, c.Email, c.Language })
            .ToListAsync(ct);
        var invited = (await db.ConferenceInvitations.AsNoTracking().Where(i => i.EventId == eventId).Select(i => i.ContactId).ToListAsync(ct)).ToHashSet();
        var fresh = contacts.Where(c => !invited.Contains(c.Id)).ToList();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var contact in fresh)
        {
            db.ConferenceInvitations.Add(new ConferenceInvitation
            {
                EventId = eventId, AccountId = contact.AccountId, ContactId = contact.Id, Language = contact.Language, SentAt = now,
            });
            db.Outbox.Add(new OutboxMessage
            {
                Template = MessageKinds.ConferenceInvitation,
                AccountId = contact.AccountId,
                ContactId = contact.Id,
                ToEmail = contact.Email,
                Language = contact.Language,
                Payload = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["event_id"] = conference.Id,
                    ["event"] = conference.Name,
                    ["city"] = conference.City,
                    ["venue_name"] = conference.VenueName,
                    ["venue_address"] = OneLine(conference.VenueAddress),
                    ["starts_on"] = LocalDatePattern.Iso.Format(conference.StartsOn),
                    ["ends_on"] = LocalDatePattern.Iso.Format(conference.EndsOn),
                    ["time_zone"] = conference.TimeZoneId,
                }),
                // One per (event, contact), like the invitation row: a retry keeps it.
                MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.ConferenceInvitation}.e{conference.Id}.c{contact.Id}@renewals>"),
                Status = OutboxStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }

        Audit(actor.AuditName, "conference.invitations-sent", "conference-event", eventId,
            string.Create(CultureInfo.InvariantCulture, $"{fresh.Count} sent, {contacts.Count - fresh.Count} already invited"), now);
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e, "ix_conference_invitations_event_id_contact_id", "conference_invitations.event_id, conference_invitations.contact_id"))
        {
            throw new DomainException(DomainErrors.ConferenceInvitationsMeanwhile);
        }

        return new InvitationRun(fresh.Count, contacts.Count - fresh.Count);
    }

    // ---- Advisors ------------------------------------------------------------------------

    /// <summary>The events not over yet (and those over, after), with this advisor's own requests and confirmations counted.</summary>
    public async Task<IReadOnlyList<ConferenceView>> AdvisorEventsAsync(Actor.Advisor advisor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var events = await db.ConferenceEvents.AsNoTracking().OrderByDescending(e => e.StartsOn).ThenByDescending(e => e.Id).ToListAsync(ct);
        return await ViewsAsync(events, advisor.Id, ct);
    }

    /// <summary>The advisor's agenda at an event: its slots and the requests holding them; null when there is no such event.</summary>
    public async Task<AdvisorAgenda?> AgendaAsync(Actor.Advisor advisor, long eventId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var row = await db.ConferenceEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct);
        if (row is null)
        {
            return null;
        }

        var slots = await db.ConferenceSlots.AsNoTracking().Where(s => s.EventId == eventId && s.AdvisorId == advisor.Id).ToListAsync(ct);
        var meetings = await db.ConferenceMeetings.AsNoTracking()
            .Where(m => m.EventId == eventId && m.AdvisorId == advisor.Id && m.HeldSlotId != null)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { Meeting = m, Account = a.Name })
            .Join(db.Contacts, x => x.Meeting.ContactId, c => c.Id, (x, c) => new { x.Meeting, x.Account, Contact = c.Name, c.Email })
            .ToListAsync(ct);
        var bySlot = meetings.ToDictionary(m => m.Meeting.HeldSlotId!.Value);
        var agenda = slots.OrderBy(s => s.Start).ThenBy(s => s.Id).Select(s => new AgendaSlot(s.Id, s.Start, s.DurationMinutes,
            bySlot.TryGetValue(s.Id, out var m)
                ? new AgendaMeeting(m.Meeting.Id, m.Meeting.Status, m.Meeting.AccountId, m.Account, m.Contact, m.Email, m.Meeting.RequestedAt)
                : null)).ToList();
        return new AdvisorAgenda((await ViewsAsync([row], advisor.Id, ct))[0], agenda);
    }

    /// <summary>Publishes a slot: a local start during the event, in the future, not overlapping the advisor's other slots there.</summary>
    public async Task<AgendaSlot> OfferSlotAsync(Actor.Advisor advisor, long eventId, LocalDateTime start, int durationMinutes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var conference = await db.ConferenceEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct)
            ?? throw new DomainException(DomainErrors.ConferenceUnknown, eventId);
        if (durationMinutes is < MinSlotMinutes or > MaxSlotMinutes)
        {
            throw new DomainException(DomainErrors.ConferenceSlotLength, durationMinutes, MinSlotMinutes, MaxSlotMinutes);
        }

        if (start.Date < conference.StartsOn || start.Date > conference.EndsOn)
        {
            throw new DomainException(DomainErrors.ConferenceSlotOutsideEvent, start, conference.StartsOn, conference.EndsOn);
        }

        var zone = DateTimeZoneProviders.Tzdb[conference.TimeZoneId];
        if (zone.MapLocal(start).Count == 0)
        {
            throw new DomainException(DomainErrors.MeetingInClockChangeGap, start, zone.Id);
        }

        var now = clock.GetCurrentInstant();
        var startsAt = StartInstant(start, zone);
        if (startsAt <= now)
        {
            throw new DomainException(DomainErrors.MeetingInThePast, start, zone.Id);
        }

        var endsAt = startsAt + Duration.FromMinutes(durationMinutes);
        var others = await db.ConferenceSlots.AsNoTracking().Where(s => s.EventId == eventId && s.AdvisorId == advisor.Id).ToListAsync(ct);
        if (others.FirstOrDefault(o => StartInstant(o.Start, zone) < endsAt && startsAt < StartInstant(o.Start, zone) + Duration.FromMinutes(o.DurationMinutes)) is { } overlap)
        {
            throw new DomainException(DomainErrors.ConferenceSlotOverlap, overlap.Start);
        }

        var slot = new ConferenceSlot { EventId = eventId, AdvisorId = advisor.Id, Start = start, DurationMinutes = durationMinutes, CreatedAt = now };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ConferenceSlots.Add(slot);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e, "ix_conference_slots_event_id_advisor_id_start", "conference_slots.event_id, conference_slots.advisor_id, conference_slots.start"))
        {
            throw new DomainException(DomainErrors.ConferenceSlotOverlap, start);
        }

        Audit(advisor.AuditName, "conference.slot-offered", "conference-slot", slot.Id,
            $"event {eventId}: {LocalDateTimePattern.GeneralIso.Format(start)} {zone.Id}, {durationMinutes} min", now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AgendaSlot(slot.Id, slot.Start, slot.DurationMinutes, null);
    }

    /// <summary>Confirms a request: the contact gets the invitation with its .ics (venue, local time) through the outbox.</summary>
    public async Task ConfirmAsync(Actor.Advisor advisor, long meetingId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var meeting = await OwnRequestAsync(advisor, meetingId, ct);
        var conference = await db.ConferenceEvents.AsNoTracking().SingleAsync(e => e.Id == meeting.EventId, ct);
        var slot = await db.ConferenceSlots.AsNoTracking().SingleAsync(s => s.Id == meeting.SlotId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == meeting.ContactId, ct);
        var person = await db.Advisors.AsNoTracking().SingleAsync(a => a.Id == meeting.AdvisorId, ct);
        var now = clock.GetCurrentInstant();
        var zone = DateTimeZoneProviders.Tzdb[conference.TimeZoneId];

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await AnswerAsync(meeting.Id, ConferenceMeetingStatus.Confirmed, slot.Id, now, ct);
        db.Outbox.Add(new OutboxMessage
        {
            Template = MessageKinds.ConferenceMeetingConfirmed,
            AccountId = meeting.AccountId,
            ContactId = contact.Id,
            ToEmail = contact.Email,
            Language = contact.Language,
            Payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["conference_meeting_id"] = meeting.Id,
                ["event"] = conference.Name,
                ["city"] = conference.City,
                ["location"] = Location(conference.VenueName, conference.VenueAddress),
                ["start"] = LocalDateTimePattern.GeneralIso.Format(slot.Start),
                ["end"] = LocalDateTimePattern.GeneralIso.Format(EndLocal(slot.Start, slot.DurationMinutes, zone)),
                ["zone"] = zone.Id,
                ["duration_minutes"] = slot.DurationMinutes,
                ["advisor"] = new Dictionary<string, object> { ["name"] = person.Name, ["email"] = person.Email },
            }),
            MessageId = string.Create(CultureInfo.InvariantCulture, $"<conference-meeting{meeting.Id}.confirmed@renewals>"),
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        });
        Audit(advisor.AuditName, "conference.meeting-confirmed", "conference-meeting", meeting.Id,
            $"event {conference.Id}: {LocalDateTimePattern.GeneralIso.Format(slot.Start)} {zone.Id}, account {meeting.AccountId}", now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Declines a request: the slot is free again for the advisor's other customers.</summary>
    public async Task DeclineAsync(Actor.Advisor advisor, long meetingId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(advisor);
        var meeting = await OwnRequestAsync(advisor, meetingId, ct);
        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await AnswerAsync(meeting.Id, ConferenceMeetingStatus.Declined, null, now, ct);
        Audit(advisor.AuditName, "conference.meeting-declined", "conference-meeting", meeting.Id,
            string.Create(CultureInfo.InvariantCulture, $"event {meeting.EventId}, slot {meeting.SlotId}, account {meeting.AccountId}"), now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    // ---- Customers -----------------------------------------------------------------------

    /// <summary>The events the customer's account is invited to, the coming first, with its advisor's free slots and its meetings.</summary>
    public async Task<IReadOnlyList<CustomerConference>> CustomerConferencesAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var ids = await db.ConferenceInvitations.AsNoTracking().Where(i => i.AccountId == customer.AccountId).Select(i => i.EventId).Distinct().ToListAsync(ct);
        var list = new List<CustomerConference>();
        foreach (var id in ids)
        {
            if (await CustomerConferenceAsync(customer, id, ct) is { } one)
            {
                list.Add(one);
            }
        }

        return [.. list.OrderBy(c => c.Event.StartsOn).ThenBy(c => c.Event.Id)];
    }

    /// <summary>One event for the customer; null when its account is not invited (or there is no such event): the page answers 404.</summary>
    public async Task<CustomerConference?> CustomerConferenceAsync(PortalCustomer customer, long eventId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.ConferenceInvitations.AnyAsync(i => i.EventId == eventId && i.AccountId == customer.AccountId, ct))
        {
            return null;
        }

        var row = await db.ConferenceEvents.AsNoTracking().SingleAsync(e => e.Id == eventId, ct);
        var account = await db.Accounts.AsNoTracking().Include(a => a.Advisor).SingleAsync(a => a.Id == customer.AccountId, ct);
        var zone = DateTimeZoneProviders.Tzdb[row.TimeZoneId];
        var now = clock.GetCurrentInstant();
        var free = new List<FreeSlot>();
        if (account.AdvisorId is { } advisorId)
        {
            var slots = await db.ConferenceSlots.AsNoTracking()
                .Where(s => s.EventId == eventId && s.AdvisorId == advisorId && !db.ConferenceMeetings.Any(m => m.HeldSlotId == s.Id))
                .ToListAsync(ct);
            free.AddRange(slots.Where(s => StartInstant(s.Start, zone) > now).OrderBy(s => s.Start).Select(s => new FreeSlot(s.Id, s.Start, s.DurationMinutes)));
        }

        var meetings = await MeetingsAsync(customer.AccountId, eventId, ct);
        var view = new ConferenceView(row.Id, row.Name, row.City, row.VenueName, row.VenueAddress, row.TimeZoneId, row.StartsOn, row.EndsOn, 0, 0, 0);
        return new CustomerConference(view, account.Advisor?.Name, free, meetings);
    }

    /// <summary>
    /// The customer asks its advisor for a meeting in one of the advisor's free slots at an
    /// event its account is invited to. The contact is the signed-in one (by email), else the
    /// account's primary contact. Of two requests for one slot, the second is refused.
    /// </summary>
    public async Task<CustomerMeeting> RequestAsync(PortalCustomer customer, string? userEmail, long eventId, long? slotId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!await db.ConferenceInvitations.AnyAsync(i => i.EventId == eventId && i.AccountId == customer.AccountId, ct))
        {
            throw new DomainException(DomainErrors.ConferenceNotInvited);
        }

        if (slotId is not { } id)
        {
            throw new DomainException(DomainErrors.ConferenceSlotRequired);
        }

        var account = await db.Accounts.AsNoTracking().Include(a => a.Contacts).SingleAsync(a => a.Id == customer.AccountId, ct);
        var slot = await db.ConferenceSlots.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.EventId == eventId, ct);
        if (slot is null || account.AdvisorId != slot.AdvisorId)
        {
            // Another advisor's slot reads as no slot at all.
            throw new DomainException(DomainErrors.ConferenceSlotUnknown);
        }

        var conference = await db.ConferenceEvents.AsNoTracking().SingleAsync(e => e.Id == eventId, ct);
        var zone = DateTimeZoneProviders.Tzdb[conference.TimeZoneId];
        var now = clock.GetCurrentInstant();
        if (StartInstant(slot.Start, zone) <= now)
        {
            throw new DomainException(DomainErrors.MeetingInThePast, slot.Start, zone.Id);
        }

        if (await db.ConferenceMeetings.AnyAsync(m => m.HeldSlotId == slot.Id, ct))
        {
            throw new DomainException(DomainErrors.ConferenceSlotTaken);
        }

        var standing = await db.ConferenceMeetings.AsNoTracking()
            .Where(m => m.EventId == eventId && m.AccountId == account.Id && m.HeldSlotId != null)
            .Join(db.ConferenceSlots, m => m.SlotId, s => s.Id, (m, s) => s.Start).ToListAsync(ct);
        if (standing.Count > 0)
        {
            throw new DomainException(DomainErrors.ConferenceAlreadyBooked, standing.Min());
        }

        var contact = Attendee(account, userEmail);
        var meeting = new ConferenceMeeting
        {
            EventId = eventId, SlotId = slot.Id, HeldSlotId = slot.Id, AdvisorId = slot.AdvisorId, AccountId = account.Id, ContactId = contact.Id,
            Status = ConferenceMeetingStatus.Requested, Uid = $"conference-{Guid.NewGuid():N}@renewals", RequestedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ConferenceMeetings.Add(meeting);
        try
        {
            // The unique key on the held slot decides between two requests made at the same moment.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e, "ix_conference_meetings_held_slot_id", "conference_meetings.held_slot_id"))
        {
            throw new DomainException(DomainErrors.ConferenceSlotTaken);
        }

        Audit(string.Create(CultureInfo.InvariantCulture, $"customer:{account.Id}"), "conference.meeting-requested", "conference-meeting", meeting.Id,
            $"event {eventId}: {LocalDateTimePattern.GeneralIso.Format(slot.Start)} {zone.Id}, contact {contact.Id}", now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await MeetingsAsync(account.Id, eventId, ct)).Single(m => m.MeetingId == meeting.Id);
    }

    // ---- The invitation (.ics) -----------------------------------------------------------

    /// <summary>A confirmed meeting's calendar invitation in its contact's language; null when it is not confirmed.</summary>
    public static async Task<string?> InvitationAsync(RenewalsDbContext db, long meetingId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var meeting = await db.ConferenceMeetings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meetingId, ct);
        if (meeting is not { Status: ConferenceMeetingStatus.Confirmed })
        {
            return null;
        }

        var conference = await db.ConferenceEvents.AsNoTracking().SingleAsync(e => e.Id == meeting.EventId, ct);
        var slot = await db.ConferenceSlots.AsNoTracking().SingleAsync(s => s.Id == meeting.SlotId, ct);
        var advisor = await db.Advisors.AsNoTracking().SingleAsync(a => a.Id == meeting.AdvisorId, ct);
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == meeting.ContactId, ct);
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == meeting.AccountId, ct);
        return ConferenceCalendar.ToIcs(meeting, conference, slot, advisor, contact, account.Name);
    }

    // ---- Shared --------------------------------------------------------------------------

    /// <summary>The venue on one line: its name, then its address lines.</summary>
    public static string Location(string venueName, string venueAddress) =>
        string.Join(", ", new[] { venueName }.Concat(venueAddress.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));

    /// <summary>The instant a local time starts, the earlier one when the clocks fall back.</summary>
    public static Instant StartInstant(LocalDateTime start, DateTimeZone zone) =>
        zone.ResolveLocal(start, Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ThrowWhenSkipped)).ToInstant();

    /// <summary>The local end: the start plus the length in elapsed time (an hour that the clocks skip is not counted twice).</summary>
    public static LocalDateTime EndLocal(LocalDateTime start, int minutes, DateTimeZone zone) =>
        (StartInstant(start, zone) + Duration.FromMinutes(minutes)).InZone(zone).LocalDateTime;

    private async Task<List<CustomerMeeting>> MeetingsAsync(long accountId, long eventId, CancellationToken ct)
    {
        var rows = await db.ConferenceMeetings.AsNoTracking()
            .Where(m => m.AccountId == accountId && m.EventId == eventId)
            .Join(db.ConferenceSlots, m => m.SlotId, s => s.Id, (m, s) => new { Meeting = m, s.Start, s.DurationMinutes })
            .Join(db.ConferenceEvents, x => x.Meeting.EventId, e => e.Id, (x, e) => new { x.Meeting, x.Start, x.DurationMinutes, Event = e })
            .Join(db.Advisors, x => x.Meeting.AdvisorId, a => a.Id, (x, a) => new { x.Meeting, x.Start, x.DurationMinutes, x.Event, Advisor = a.Name })
            .Join(db.Contacts, x => x.Meeting.ContactId, c => c.Id, (x, c) => new { x.Meeting, x.Start, x.DurationMinutes, x.Event, x.Advisor, Contact = c.Name })
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.Start).ThenBy(r => r.Meeting.Id).Select(r => new CustomerMeeting(
            r.Meeting.Id, r.Event.Id, r.Event.Name, r.Start, r.DurationMinutes, r.Event.TimeZoneId, Location(r.Event.VenueName, r.Event.VenueAddress),
            r.Meeting.Status, r.Advisor, r.Contact))];
    }

    /// <summary>The advisor's own request still waiting for an answer; another advisor's reads as none.</summary>
    private async Task<ConferenceMeeting> OwnRequestAsync(Actor.Advisor advisor, long meetingId, CancellationToken ct)
    {
        var meeting = await db.ConferenceMeetings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meetingId && m.AdvisorId == advisor.Id, ct)
            ?? throw new DomainException(DomainErrors.ConferenceMeetingUnknown, meetingId);
        return meeting.Status == ConferenceMeetingStatus.Requested
            ? meeting
            : throw new DomainException(DomainErrors.ConferenceMeetingAnswered);
    }

    /// <summary>Records the answer, guarded on the request still waiting: of two answers, the first wins and the second is refused.</summary>
    private async Task AnswerAsync(long meetingId, ConferenceMeetingStatus answer, long? heldSlotId, Instant now, CancellationToken ct)
    {
        var changed = await db.ConferenceMeetings
            .Where(m => m.Id == meetingId && m.Status == ConferenceMeetingStatus.Requested)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, answer).SetProperty(m => m.HeldSlotId, heldSlotId).SetProperty(m => m.AnsweredAt, now), ct);
        if (changed != 1)
        {
            throw new DomainException(DomainErrors.ConferenceMeetingAnswered);
        }
    }

    private static Contact Attendee(Account account, string? userEmail) =>
        account.Contacts.FirstOrDefault(c => !string.IsNullOrWhiteSpace(userEmail) && string.Equals(c.Email.Trim(), userEmail.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? account.Contacts.Where(c => c.Role == ContactRole.Primary).OrderBy(c => c.Id).FirstOrDefault()
        ?? account.Contacts.OrderBy(c => c.Id).FirstOrDefault()
        ?? throw new DomainException(DomainErrors.AccountWithoutContact, account.Id);

    private async Task<List<ConferenceView>> ViewsAsync(IReadOnlyList<ConferenceEvent> events, long? advisorId, CancellationToken ct)
    {
        var ids = events.Select(e => e.Id).ToList();
        var invitations = await db.ConferenceInvitations.AsNoTracking().Where(i => ids.Contains(i.EventId))
            .GroupBy(i => i.EventId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var meetings = await db.ConferenceMeetings.AsNoTracking().Where(m => ids.Contains(m.EventId) && (advisorId == null || m.AdvisorId == advisorId))
            .GroupBy(m => new { m.EventId, m.Status }).Select(g => new { g.Key.EventId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        return [.. events.Select(e => new ConferenceView(
            e.Id, e.Name, e.City, e.VenueName, e.VenueAddress, e.TimeZoneId, e.StartsOn, e.EndsOn,
            invitations.GetValueOrDefault(e.Id),
            meetings.Where(m => m.EventId == e.Id).Sum(m => m.Count),
            meetings.Where(m => m.EventId == e.Id && m.Status == ConferenceMeetingStatus.Confirmed).Sum(m => m.Count)))];
    }

    /// <summary>The input trimmed, or the first rule it breaks as a coded error (the page words it in the user's language).</summary>
    private static ConferenceInput Validate(ConferenceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = Required(input.Name, MaxName, DomainErrors.ConferenceNameRequired);
        var city = Required(input.City, MaxCity, DomainErrors.ConferenceCityRequired);
        var venue = Required(input.VenueName, MaxVenue, DomainErrors.ConferenceVenueRequired);
        var address = Required(input.VenueAddress?.Replace("\r\n", "\n", StringComparison.Ordinal), MaxAddress, DomainErrors.ConferenceAddressRequired);
        var zoneId = input.TimeZoneId?.Trim() ?? "";
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? throw new DomainException(DomainErrors.TimeZoneUnknown, zoneId);
        if (input.EndsOn < input.StartsOn)
        {
            throw new DomainException(DomainErrors.ConferenceDates, input.StartsOn, input.EndsOn);
        }

        if (Period.Between(input.StartsOn, input.EndsOn, PeriodUnits.Days).Days + 1 > MaxDays)
        {
            throw new DomainException(DomainErrors.ConferenceTooLong, MaxDays, input.StartsOn, input.EndsOn);
        }

        return new ConferenceInput(name, city, venue, address, zone.Id, input.StartsOn, input.EndsOn);
    }

    private static string Required(string? value, int max, string error)
    {
        var text = value?.Trim() ?? "";
        return text.Length == 0 || text.Length > max ? throw new DomainException(error, max) : text;
    }

    private static string OneLine(string address) =>
        string.Join(", ", address.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Describe(ConferenceEvent e) =>
        $"{e.Name}, {e.City}, {LocalDatePattern.Iso.Format(e.StartsOn)}..{LocalDatePattern.Iso.Format(e.EndsOn)} {e.TimeZoneId}";

    private void Audit(string actor, string action, string entity, long id, string details, Instant now) =>
        db.Audit.Add(new AuditEntry { At = now, Actor = actor, Action = action, Entity = entity, EntityId = id, Details = details });
}
